"""(being written) Print view, DOCX and Markdown of a draft and of its frozen versions."""
from flask import abort

from ideas.strategy import bp


@bp.route("/drafts/<int:draft_id>/print")
def draft_print(draft_id: int):
    abort(404)


@bp.route("/drafts/<int:draft_id>/export.<fmt>")
def draft_export(draft_id: int, fmt: str):
    abort(404)


@bp.route("/versions/<int:version_id>/print")
def version_print(version_id: int):
    abort(404)


@bp.route("/versions/<int:version_id>/export.<fmt>")
def version_export(version_id: int, fmt: str):
    abort(404)
