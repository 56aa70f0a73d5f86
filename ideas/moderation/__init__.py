"""Moderation area: the queue, netiquette decisions, answers, merging, tagging, analog ideas.

One guard protects every page of the area; each module adds its views to the blueprint.
"""
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.before_request
def staff_only():
    """Moderators, the project team and admins only; others never see that the area exists."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not current_user.can_moderate:
        abort(403)


@bp.after_request
def never_cache(response):
    response.headers["Cache-Control"] = "no-store"
    return response


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
