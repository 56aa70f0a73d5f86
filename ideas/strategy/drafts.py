"""(being written)"""
from ideas.strategy import bp  # noqa: F401
