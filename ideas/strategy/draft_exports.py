"""Print view, DOCX and Markdown of a draft and of its frozen versions, all from one snapshot."""
import re

from flask import abort, current_app, render_template
from flask_babel import to_user_timezone

from ideas import draft_documents as documents
from ideas.extensions import db
from ideas.models import DraftVersion, StrategyDraft
from ideas.securitylog import log_event
from ideas.strategy import bp

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
WRITERS = {"docx": documents.to_docx, "md": documents.to_markdown}


def _version_info(version: DraftVersion) -> dict:
    return {"id": version.id, "label": version.label, "created_at": version.created_at}


def _print(snap: dict, version: dict | None, draft_id: int):
    with documents.one_lookup_per_message():  # the template calls the documents' helpers per measure
        return render_template("strategy/draft_print.html", snap=snap, version=version, draft_id=draft_id,
                               doc=documents, PRIORITY=documents.PRIORITY)


def _download(snap: dict, version: dict | None, fmt: str):
    if fmt not in WRITERS:
        abort(404)
    body = WRITERS[fmt](snap, version)
    if isinstance(body, str):
        body = body.encode("utf-8")
    day = to_user_timezone(version["created_at"] if version else documents.taken_on(snap)).date().isoformat()
    slug = re.sub(r"[^a-z0-9-]", "", snap["process"]["slug"].lower()) or "prozess"
    name = f"strategie-{slug}-{day}.{fmt}" if version is None else \
        f"strategie-{slug}-version-{version['id']}-{day}.{fmt}"
    log_event("export", document="version" if version else "draft",
              id=version["id"] if version else snap["draft"]["id"], format=fmt)
    response = current_app.response_class(body, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/drafts/<int:draft_id>/print")
def draft_print(draft_id: int):
    """The draft as it stands now, laid out for printing on A4 or saving as PDF."""
    draft = db.get_or_404(StrategyDraft, draft_id)
    return _print(documents.snapshot(draft), None, draft.id)


@bp.route("/drafts/<int:draft_id>/export.<fmt>")
def draft_export(draft_id: int, fmt: str):
    """Download the draft as it stands now, as a Word document or Markdown."""
    if fmt not in WRITERS:
        abort(404)
    draft = db.get_or_404(StrategyDraft, draft_id)
    return _download(documents.snapshot(draft), None, fmt)


@bp.route("/versions/<int:version_id>/print")
def version_print(version_id: int):
    """A frozen version laid out for printing, exactly as it was when it was frozen."""
    version = db.get_or_404(DraftVersion, version_id)
    return _print(version.snapshot, _version_info(version), version.draft_id)


@bp.route("/versions/<int:version_id>/export.<fmt>")
def version_export(version_id: int, fmt: str):
    """Download a frozen version as a Word document or Markdown."""
    if fmt not in WRITERS:
        abort(404)
    version = db.get_or_404(DraftVersion, version_id)
    return _download(version.snapshot, _version_info(version), fmt)
