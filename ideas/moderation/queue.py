"""Placeholder: views are added by the moderation work in progress."""
from flask import render_template

from ideas.moderation import bp


@bp.route("/")
def queue():
    """The moderation queue (being built)."""
    return render_template("moderation/queue.html")
