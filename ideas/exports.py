"""Exports for the project team: one row-builder per dataset, shared by the web download and the CLI.

Rows never contain e-mail addresses; every text cell that a spreadsheet could read as a
formula is neutralised by the writers, so an export can be opened safely in Excel.
"""
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

from flask import Blueprint, abort, current_app, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ideas import measures
from ideas.draft_documents import MEASURE_STATUS, PRIORITY
from ideas.extensions import db
from ideas.guards import staff_area
from ideas.labels import CHANNEL, STATUS
from ideas.models import PUBLIC_STATUSES, Comment, Idea, IdeaStatus, Process
from ideas.models.strategy import Measure, StrategyDraft
from ideas.sanitize import html_to_text
from ideas.securitylog import log_event

BATCH = 500
FORMATS = ("csv", "xlsx")
MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Control characters an XLSX cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE); openpyxl itself,
# about 11 MB per worker, is loaded with the first workbook.
_ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
# A cell starting with one of these is a formula (or becomes one) in Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def idea_rows(process: Process | None = None, public_only: bool = False) -> Iterator[list]:
    """Header, then one row per idea: what it says, where it stands and how much support it has."""
    yield [_("Reference"), _("Title"), _("Text"), _("Action field"), _("Further action fields"),
           _("Status"), _("Public answer"), _("Channel"), _("District"), _("Supports"),
           _("Comments"), _("Workshop dots"), _("Online points"), _("Created"), _("Decided"), _("Merged into")]
    stmt = (
        select(Idea)
        .options(joinedload(Idea.action_field), joinedload(Idea.merged_into),
                 selectinload(Idea.further_fields))
        .order_by(Idea.id)
    )
    stmt = stmt.where(Idea.status.in_(PUBLIC_STATUSES)) if public_only else \
        stmt.where(Idea.status != IdeaStatus.draft)
    if process is not None:
        stmt = stmt.where(Idea.process_id == process.id)
    for idea in db.session.scalars(stmt.execution_options(yield_per=BATCH)):
        yield [
            idea.reference or "", idea.title, html_to_text(idea.body_html or ""),
            idea.action_field.name if idea.action_field else "",
            ", ".join(field.name for field in idea.further_fields),
            str(STATUS[idea.status]),
            html_to_text(idea.answer_html) if idea.answer_html and idea.answer_published_at else "",
            str(CHANNEL[idea.channel]), idea.district or "", idea.support_count, idea.comment_count,
            idea.workshop_dots, idea.dot_points, _day(idea.created_at), _day(idea.decided_at),
            (idea.merged_into.reference or "") if idea.merged_into else "",
        ]


def comment_rows(process: Process | None = None) -> Iterator[list]:
    """Header, then one row per comment; authors by display name only, removed text left out."""
    yield [_("Comment"), _("Idea"), _("Reply to"), _("Author"), _("Text"), _("Created"), _("Status")]
    stmt = (
        select(Comment)
        .join(Comment.idea)
        .options(joinedload(Comment.author), joinedload(Comment.idea))
        .where(Idea.status != IdeaStatus.draft)
        .order_by(Comment.id)
    )
    if process is not None:
        stmt = stmt.where(Idea.process_id == process.id)
    for comment in db.session.scalars(stmt.execution_options(yield_per=BATCH)):
        author = comment.author
        name = author.display_name if author is not None and author.deleted_at is None \
            else _("deleted account")
        yield [
            comment.id, comment.idea.reference or "", comment.parent_id or "", name,
            "" if comment.is_deleted else comment.body, _day(comment.created_at),
            "deleted" if comment.is_deleted else comment.status.value,
        ]


def measure_rows(process: Process | None = None) -> Iterator[list]:
    """Header, then one row per measure of every draft, numbered and weighted as in the documents."""
    yield [_("Draft"), _("Number"), _("Reference"), _("Action field"), _("Title"), _("Description"),
           _("Priority"), _("Rank"), _("Time frame"), _("Responsible office"), _("Status"), _("Supports"),
           _("Dots"), _("Combined priority"), _("Source ideas")]
    stmt = (
        select(StrategyDraft)
        .options(selectinload(StrategyDraft.sections),
                 selectinload(StrategyDraft.measures).selectinload(Measure.ideas),
                 selectinload(StrategyDraft.measures).joinedload(Measure.action_field))
        .order_by(StrategyDraft.id)
    )
    if process is not None:
        stmt = stmt.where(StrategyDraft.process_id == process.id)
    for draft in db.session.scalars(stmt):
        weight, numbers = measures.draft_weight(draft), measures.numbers(draft)
        for _section, group in measures.grouped(draft):
            for m in group:
                yield [
                    draft.title, numbers[m.id], m.reference, m.action_field.name if m.action_field else "",
                    m.title, m.description, str(PRIORITY[m.priority.value]), m.rank, m.time_frame or "",
                    m.responsible_office or "", str(MEASURE_STATUS[m.status.value]), measures.supports(m),
                    measures.dots(m), measures.combined(m, weight),
                    ", ".join(idea.reference or "" for idea in m.ideas),
                ]


DATASETS: dict[str, Callable[..., Iterator[list]]] = {
    "ideas": idea_rows, "comments": comment_rows, "measures": measure_rows,
}


def safe_cell(value):
    """Text that a spreadsheet would evaluate gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = _ILLEGAL_CHARACTERS.sub("", str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(rows: Iterable[list]) -> bytes:
    """UTF-8 with BOM and semicolons, as German Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[list], title: str = "Export") -> bytes:
    """A write-only workbook; neutralised text starts with an apostrophe, so it is stored as text."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=re.sub(r"[^\w -]", "", title)[:31] or "Export")
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(dataset: str, fmt: str, process: Process | None = None) -> bytes:
    rows = DATASETS[dataset](process)
    return to_csv(rows) if fmt == "csv" else to_xlsx(rows, dataset)


def filename(dataset: str, fmt: str, process: Process | None = None, today: date | None = None) -> str:
    scope = f"-{process.slug}" if process is not None else ""
    return f"{dataset}{scope}-{(today or date.today()).isoformat()}.{fmt}"


bp = Blueprint("exports", __name__, url_prefix="/exports")

# Exports contain unpublished ideas and hidden comments: the project team and admins only.
staff_area(bp, lambda user: user.can_plan_strategy)


@bp.route("/<dataset>.<fmt>")
def download(dataset: str, fmt: str):
    """Download a dataset of one process (or all) as CSV or Excel, for the team's evaluation."""
    if dataset not in DATASETS or fmt not in FORMATS:
        abort(404)
    process = None
    slug = request.args.get("process", "")
    if slug:
        process = db.session.scalar(select(Process).where(Process.slug == slug)) or abort(404)
    body = render(dataset, fmt, process)
    log_event("export", dataset=dataset, format=fmt, process=process.slug if process else None)
    response = current_app.response_class(body, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(dataset, fmt, process)}"'
    return response
