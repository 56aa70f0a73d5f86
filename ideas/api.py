"""Open data and the read-only JSON API: published ideas and their answers, no personal data."""
import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import lru_cache

from flask import Blueprint, current_app, jsonify, request, stream_with_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from ideas import exports
from ideas.errors import MESSAGES
from ideas.extensions import db
from ideas.feed import FILTER_STATUSES, SORTS, FeedQuery
from ideas.labels import CHANNEL, STATUS
from ideas.models import PUBLIC_STATUSES, Idea, Process
from ideas.openapi import document
from ideas.sanitize import html_to_text

bp = Blueprint("api", __name__)
MAX_PER_PAGE = 100
# Counting all 100,000 ideas costs more than the page itself; a client that wants everything
# takes the open data (or follows next_page), so the total is exact only up to this many.
COUNT_BOUND = 10_000


@bp.errorhandler(HTTPException)
def json_error(exc: HTTPException):
    code = exc.code or 500
    message = exc.description if isinstance(exc, BadRequest) and exc.description != BadRequest.description \
        else str(MESSAGES.get(code, MESSAGES[500 if code >= 500 else 400])[0])
    return jsonify(error={"code": code, "message": message}), code


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _licence() -> str:
    return current_app.config.get("OPEN_DATA_LICENCE", "CC BY 4.0")


def field_json(field) -> dict:
    return {"slug": field.slug, "name": field.name, "description": field.description or "",
            "colour": field.colour, "goals": list(field.goals or []),
            "responsible_office": field.responsible_office}


def process_json(process: Process) -> dict:
    return {"id": process.id, "slug": process.slug, "title": process.title,
            "description": process.description or "", "ideas_from": _iso(process.ideas_from),
            "ideas_until": _iso(process.ideas_until)}


@lru_cache(maxsize=1024)
def _text(html: str) -> str:
    """An idea's text without markup; cached by the exact HTML (the first pages are asked for most)."""
    return html_to_text(html)


def idea_json(idea: Idea) -> dict:
    """An idea as open data: what it says and where it stands, never who wrote or supported it."""
    answered = bool(idea.answer_html and idea.answer_published_at)
    return {
        "id": idea.id, "reference": idea.reference, "title": idea.title,
        "text": _text(idea.body_html or ""),
        "url": url_for("participation.idea", idea_id=idea.id, _external=True),
        "process_id": idea.process_id,
        "status": idea.status.value, "status_label": str(STATUS[idea.status]),
        "action_field": idea.action_field.slug if idea.action_field else None,
        "further_fields": [field.slug for field in idea.further_fields],
        "channel": idea.channel.value, "channel_label": str(CHANNEL[idea.channel]),
        "district": idea.district,
        "supports": idea.support_count, "comments": idea.comment_count,
        "answer": html_to_text(idea.answer_html) if answered else None,
        "answer_published_at": _iso(idea.answer_published_at) if answered else None,
        "created_at": _iso(idea.created_at), "decided_at": _iso(idea.decided_at),
    }


def _process_arg() -> Process | None:
    slug = request.args.get("process", "")
    if not slug:
        return None
    process = db.session.scalar(
        select(Process).options(selectinload(Process.action_fields)).where(Process.slug == slug))
    if process is None:
        raise NotFound(_("There is no process with this name."))
    return process


def _int_arg(name: str, default: int) -> int:
    value = request.args.get(name, "")
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise BadRequest(_("%(name)s must be a whole number of at least 1.", name=name))
    return int(value)


@bp.route("/api/openapi.json")
def openapi():
    """The OpenAPI 3 description of the API, for developers and tools."""
    return jsonify(document())


@bp.route("/api/v1/processes")
def processes():
    """All participation processes."""
    items = db.session.scalars(select(Process).order_by(Process.created_at.desc(), Process.id.desc()))
    return jsonify(items=[process_json(p) for p in items])


@bp.route("/api/v1/action-fields")
def action_fields():
    """The action fields of one process."""
    process = _process_arg()
    if process is None:
        raise BadRequest(_("Please name a process."))
    return jsonify(items=[field_json(f) for f in process.action_fields])


@bp.route("/api/v1/ideas")
def ideas():
    """Public ideas, filtered, searched, sorted and one page at a time."""
    process = _process_arg()
    args = request.args
    fields = {f.slug: f for f in process.action_fields} if process else {}
    if args.get("field") and args["field"] not in fields:
        raise BadRequest(_("Unknown action field; name the process as well."))
    if args.get("status") and args["status"] not in FILTER_STATUSES:
        raise BadRequest(_("Unknown status."))
    if args.get("sort") and args["sort"] not in SORTS:
        raise BadRequest(_("Unknown sort order."))
    query = FeedQuery.from_args(args, fields, process)
    page = _int_arg("page", 1)
    per_page = min(_int_arg("per_page", 20), MAX_PER_PAGE)
    # A page no list can reach would only make the database skip every idea (or overflow OFFSET).
    offset = (page - 1) * per_page
    # One idea more than the page says whether a next page exists, without counting them all.
    items = query.items(per_page + 1, offset, selectinload(Idea.further_fields)) if offset < 2**31 else []
    # A search lists (and counts) its newest matches up to the feed's bound.
    bound = query.bound if query.q else COUNT_BOUND
    counted = query.count(bound + 1)
    total = min(counted, bound)
    return jsonify(items=[idea_json(i) for i in items[:per_page]], page=page, per_page=per_page,
                   total=total, total_exact=counted <= bound, pages=-(-total // per_page),
                   next_page=page + 1 if len(items) > per_page else None)


@bp.route("/api/v1/ideas/<int:idea_id>")
def idea(idea_id: int):
    """One public idea with its answer."""
    found = db.session.scalar(
        select(Idea).options(joinedload(Idea.action_field), selectinload(Idea.further_fields))
        .where(Idea.id == idea_id, Idea.status.in_(PUBLIC_STATUSES)))
    if found is None:
        raise NotFound()
    return jsonify(idea_json(found))


def _open_data_headers(response):
    response.headers["X-License"] = _licence()
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# Ideas per database round trip and per chunk sent: memory stays flat however many ideas there are.
STREAM_BATCH = 500


def _json_chunks(items: Iterable[dict]) -> Iterator[str]:
    """The same document jsonify(licence=..., items=[...]) makes (sorted keys), written piece by piece."""
    dumps = current_app.json.dumps
    yield '{"items":['
    batch: list[str] = []
    first = True
    for item in items:
        batch.append(dumps(item, separators=(",", ":")))
        if len(batch) == STREAM_BATCH:
            yield ("" if first else ",") + ",".join(batch)
            batch, first = [], False
    if batch:
        yield ("" if first else ",") + ",".join(batch)
    yield f"],\"licence\":{dumps(_licence())}}}\n"


def _csv_chunks(rows: Iterable[list]) -> Iterator[bytes]:
    """exports.to_csv's bytes (BOM, semicolons, neutralised cells), a batch of rows at a time."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";")
    for number, row in enumerate(rows, start=1):
        writer.writerow([exports.safe_cell(v) for v in row])
        if number % STREAM_BATCH == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _public_ideas(stmt) -> Iterator[dict]:
    # Runs only once the body is sent: by then Flask has closed the view's session, and
    # stream_with_context gives this generator a fresh one.
    for idea in db.session.scalars(stmt.execution_options(yield_per=STREAM_BATCH)):
        yield idea_json(idea)


@bp.route("/open-data/ideas.json")
def open_data_json():
    """All published ideas and their answers as open data, with the licence."""
    stmt = (select(Idea).options(joinedload(Idea.action_field), selectinload(Idea.further_fields))
            .where(Idea.status.in_(PUBLIC_STATUSES)).order_by(Idea.id))
    process = _process_arg()
    if process is not None:
        stmt = stmt.where(Idea.process_id == process.id)
    body = stream_with_context(_json_chunks(_public_ideas(stmt)))
    return _open_data_headers(current_app.response_class(body, mimetype="application/json"))


@bp.route("/open-data/ideas.csv")
def open_data_csv():
    """All published ideas and their answers as a CSV file, with the licence in a header."""
    rows = exports.idea_rows(_process_arg(), public_only=True)
    response = current_app.response_class(stream_with_context(_csv_chunks(rows)),
                                          mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="ideas.csv"'
    return _open_data_headers(response)
