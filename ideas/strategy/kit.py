"""The workshop kit: idea cards with QR codes, posters with dot boxes and a facilitator sheet.

Everything is an HTML page printed by the browser (also to PDF): no PDF library, no images.
"""
import math
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.routing import BuildError

from ideas import qr
from ideas.extensions import db
from ideas.models import ActionField, Idea, Process
from ideas.sanitize import excerpt, html_to_text
from ideas.strategy import bp
from ideas.strategy.kit_forms import SCOPES, KitFilterForm
from ideas.strategy.processes import get_field, get_process

CARDS_PER_SHEET = 4
EXCERPT_LENGTH = 300
DOT_BOXES = 8
SUGGESTED_DOTS = 5
SUGGESTED_MAX_PER_IDEA = 2
# The workshop results area is written alongside this kit; its list page has had both names.
WORKSHOP_ENDPOINTS = ("strategy.workshops_list", "strategy.workshops")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104  # nosec B104 - compared with, never bound to


@dataclass(frozen=True)
class Selection:
    """What the team chose in the filter: one action field or all, and which ideas."""

    field: ActionField | None
    ideas: str

    @property
    def args(self) -> dict:
        """The query arguments that carry this selection to the print views."""
        return {"field": self.field.id if self.field else "", "ideas": self.ideas}


def _selection(process: Process) -> Selection:
    """The selection in the URL; a field of another process, or anything made up, is a 404."""
    raw_field = request.args.get("field", "")
    field = None
    if raw_field:
        if not raw_field.isdigit():
            abort(404)
        field = get_field(process, int(raw_field))
    ideas = request.args.get("ideas", "accepted")
    if ideas not in SCOPES:
        abort(404)
    return Selection(field, ideas)


def _fields(process: Process, selection: Selection) -> list[ActionField]:
    return [selection.field] if selection.field else list(process.action_fields)


def _counts(process: Process, selection: Selection) -> Counter:
    """{field id or None: number of selected ideas}, in one grouped query."""
    stmt = (select(Idea.action_field_id, func.count(Idea.id))
            .where(Idea.process_id == process.id, Idea.status.in_(SCOPES[selection.ideas]))
            .group_by(Idea.action_field_id))
    if selection.field:
        stmt = stmt.where(Idea.action_field_id == selection.field.id)
    return Counter(dict(db.session.execute(stmt).all()))


def _ideas(process: Process, selection: Selection) -> list[Idea]:
    """The selected ideas, in the order of the action fields and then by reference."""
    stmt = (select(Idea).options(joinedload(Idea.action_field))
            .where(Idea.process_id == process.id, Idea.status.in_(SCOPES[selection.ideas])))
    if selection.field:
        stmt = stmt.where(Idea.action_field_id == selection.field.id)
    order = {f.id: f.position for f in process.action_fields}
    return sorted(db.session.scalars(stmt),
                  key=lambda i: (order.get(i.action_field_id, math.inf), i.reference or "", i.id))


def public_base() -> str:
    """The public address printed material links to (BASE_URL), not the host the team is using."""
    return current_app.config["BASE_URL"].rstrip("/")


def base_is_local() -> bool:
    """Whether printed links would only work on the server itself (BASE_URL was never set)."""
    return (urlsplit(public_base()).hostname or "") in LOCAL_HOSTS


def idea_urls(ideas: list[Idea]) -> dict[int, str]:
    """Absolute links to the ideas' public pages under BASE_URL, built in one request context."""
    with current_app.test_request_context(base_url=public_base()):
        return {idea.id: url_for("participation.idea", idea_id=idea.id, _external=True) for idea in ideas}


def results_url(process: Process) -> str:
    """Where the dots are entered after the workshop: the workshops page, or this kit if there is none."""
    for endpoint in WORKSHOP_ENDPOINTS:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, process_id=process.id, _external=True)
            except BuildError:
                pass
    return url_for("strategy.kit", process_id=process.id, _external=True)


def _screen(process: Process, selection: Selection) -> dict:
    """What every print view shows on screen above the printed part."""
    return {"process": process, "selection": selection, "base_url": public_base(), "base_is_local": base_is_local()}


@bp.route("/processes/<int:process_id>/kit")
def kit(process_id: int):
    """Choose the ideas for the workshop and open the cards, posters and facilitator sheet to print."""
    process = get_process(process_id)
    selection = _selection(process)
    form = KitFilterForm(process, formdata=request.args or None, data=selection.args)
    counts = _counts(process, selection)
    fields = [(f, counts.get(f.id, 0)) for f in _fields(process, selection)]
    total = sum(counts.values())
    return render_template(
        "strategy/kit.html", form=form, fields=fields, total=total, without_field=counts.get(None, 0),
        sheets=math.ceil(total / CARDS_PER_SHEET), **_screen(process, selection),
    )


@bp.route("/processes/<int:process_id>/kit/cards")
def kit_cards(process_id: int):
    """Idea cards to print, four to an A4 page, each with a QR code to the idea's page."""
    process = get_process(process_id)
    selection = _selection(process)
    ideas = _ideas(process, selection)
    urls = idea_urls(ideas)
    cards = [{
        "idea": idea, "url": urls[idea.id], "excerpt": excerpt(html_to_text(idea.body_html or ""), EXCERPT_LENGTH),
        "qr": qr.svg(urls[idea.id], _("QR code: link to idea %(reference)s", reference=idea.reference or idea.id)),
    } for idea in ideas]
    sheets = [cards[i:i + CARDS_PER_SHEET] for i in range(0, len(cards), CARDS_PER_SHEET)]
    return render_template("strategy/kit_cards.html", sheets=sheets, count=len(cards), **_screen(process, selection))


@bp.route("/processes/<int:process_id>/kit/posters")
def kit_posters(process_id: int):
    """One poster per action field with its goals and ideas, each idea with empty boxes for dots."""
    process = get_process(process_id)
    selection = _selection(process)
    by_field: dict[int | None, list[Idea]] = {}
    for idea in _ideas(process, selection):
        by_field.setdefault(idea.action_field_id, []).append(idea)
    posters = [(f, by_field.get(f.id, [])) for f in _fields(process, selection)]
    if by_field.get(None):
        posters.append((None, by_field[None]))
    return render_template("strategy/kit_posters.html", posters=posters, boxes=range(DOT_BOXES),
                           **_screen(process, selection))


def dot_rule(process: Process) -> dict:
    """Dots per participant and at most per idea: the online dot voting's rule, or a suggestion."""
    if process.dot_points:
        return {"dots": process.dot_points, "per_idea": process.dot_max_per_idea or process.dot_points,
                "suggested": False}
    return {"dots": SUGGESTED_DOTS, "per_idea": SUGGESTED_MAX_PER_IDEA, "suggested": True}


# A two-hour workshop: (minutes, title, what happens), titles and notes through gettext in the view.
SCHEDULE = (10, 20, 30, 15, 35, 10)


def _schedule() -> list[dict]:
    steps = [
        (_("Welcome"), _("Greet everyone, explain the aim of the evening and how the results are used.")),
        (_("Presenting the action fields"), _("Introduce each action field and its goals in two or three minutes.")),
        (_("Gallery walk"), _("Everyone walks along the posters, reads the idea cards and asks questions.")),
        (_("Dot voting"), _("Everyone sticks their dots next to the ideas that matter most to them.")),
        (_("Discussion"), _("Talk about the ideas with the most dots and about gaps in the action fields.")),
        (_("Next steps"), _("Explain how the dots go into the strategy draft and when the results are published.")),
    ]
    rows, start = [], 0
    for minutes, (title, note) in zip(SCHEDULE, steps):
        rows.append({"start": start, "end": start + minutes, "title": title, "note": note})
        start += minutes
    return rows


@bp.route("/processes/<int:process_id>/kit/facilitator")
def kit_facilitator(process_id: int):
    """A one- or two-page sheet for the person leading the workshop: rule, schedule, counts, materials."""
    process = get_process(process_id)
    selection = _selection(process)
    counts = _counts(process, selection)
    fields = [(f, counts.get(f.id, 0)) for f in _fields(process, selection)]
    total = sum(counts.values())
    return render_template(
        "strategy/kit_facilitator.html", fields=fields, total=total, without_field=counts.get(None, 0),
        posters=len(fields) + (1 if counts.get(None) else 0), sheets=math.ceil(total / CARDS_PER_SHEET),
        rule=dot_rule(process), schedule=_schedule(), results_url=results_url(process),
        **_screen(process, selection),
    )
