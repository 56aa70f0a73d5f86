"""Strategy area: processes, action fields and coverage for the project team.

One guard protects every page of the area; each module adds its views to the blueprint.
"""
from flask import Blueprint

from ideas.guards import staff_area

bp = Blueprint("strategy", __name__, url_prefix="/strategy")

staff_area(bp, lambda user: user.can_plan_strategy)


from ideas.strategy import coverage, draft_exports, drafts, insights, kit, processes, workshops  # noqa: E402,F401  (views register themselves on bp)
