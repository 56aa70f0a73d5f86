"""One guard for a whole staff area: anonymous visitors log in, others get 403, nothing is cached."""
from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user


def staff_area(bp: Blueprint, allowed) -> None:
    """Protect every view of `bp`; `allowed(user)` names who may enter (e.g. can_moderate)."""

    @bp.before_request
    def guard():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not allowed(current_user):
            abort(403)

    @bp.after_request
    def never_cache(response):
        response.headers["Cache-Control"] = "no-store"
        return response
