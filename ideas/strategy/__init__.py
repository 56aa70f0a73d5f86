"""Strategy area: processes, action fields and coverage for the project team.

One guard protects every page of the area; each module adds its views to the blueprint.
"""
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("strategy", __name__, url_prefix="/strategy")


@bp.before_request
def team_only():
    """The project team and admins only; others never see that the area exists."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.can_plan_strategy:
        abort(403)


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


from ideas.strategy import coverage, insights, processes  # noqa: E402,F401  (views register themselves on bp)
