"""Moderation area: the queue, netiquette decisions, answers, merging, tagging, analog ideas.

One guard protects every page of the area; each module adds its views to the blueprint.
"""
from flask import Blueprint

from ideas.guards import staff_area

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

staff_area(bp, lambda user: user.can_moderate)


from ideas.moderation import (  # noqa: E402,F401  (views register themselves on bp)
    analog,
    answers,
    dashboard,
    decisions,
    ideas,
    merges,
    queue,
    tagging,
)
