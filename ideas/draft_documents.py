"""Strategy documents: a draft frozen into a snapshot, and that snapshot as Markdown (DOCX: draft_docx).

The snapshot is the only input of the print view, the DOCX and the Markdown, so a frozen
version (DraftVersion.snapshot) renders exactly like the live draft did when it was taken.
Labels (priority, channel) are stored as values and translated when the document is rendered.
"""
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime

from flask import current_app
from flask_babel import format_date, get_domain
from flask_babel import gettext as babel_gettext
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext as babel_ngettext
from sqlalchemy import case, exists, func, literal, select, union_all
from sqlalchemy.orm import selectinload

from ideas import measures as calc
from ideas.extensions import db
from ideas.labels import CHANNEL
from ideas.models import (
    PUBLIC_STATUSES,
    Channel,
    Comment,
    DraftSection,
    Idea,
    IdeaStatus,
    Measure,
    Priority,
    Process,
    StrategyDraft,
    User,
    Vote,
    Workshop,
)
from ideas.models.strategy import MeasureStatus

SCHEMA = 1
PRIORITY = {Priority.high.value: _l("high"), Priority.medium.value: _l("medium"), Priority.low.value: _l("low")}
MEASURE_STATUS = {MeasureStatus.planned.value: _l("planned"), MeasureStatus.in_progress.value: _l("in progress"),
                  MeasureStatus.done.value: _l("done")}
CHANNEL_BY_VALUE = {channel.value: label for channel, label in CHANNEL.items()}

# A document of 2,000 measures asks for some 16,000 translations; Flask-Babel finds the catalogue
# anew each time (about 15 µs, a quarter of the DOCX's time). While one document is written, the
# catalogue is looked up once and each label translated once.
_catalogue: ContextVar[tuple | None] = ContextVar("document_catalogue", default=None)


@contextmanager
def one_lookup_per_message() -> Iterator[None]:
    token = _catalogue.set((get_domain().get_translations(), {}))
    try:
        yield
    finally:
        _catalogue.reset(token)


def gettext(string: str, **variables) -> str:
    found = _catalogue.get()
    if found is None:
        return babel_gettext(string, **variables)
    text = found[0].ugettext(string)
    return text % variables if variables else text


_ = gettext


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    found = _catalogue.get()
    if found is None:
        return babel_ngettext(singular, plural, num, **variables)
    variables.setdefault("num", num)
    return found[0].ungettext(singular, plural, num) % variables


def _took_part(process_id: int):
    """One row for each support, idea or comment of the person in the outer query in this process.

    Under EXISTS the database stops at the first row, found by person in the votes' unique index
    and the author indexes: the count costs a few index lookups per account, however many
    supports there are. A single EXISTS over UNION ALL (not three ORed ones) keeps PostgreSQL
    from hashing all comments of the process for the few people who never supported anything.
    """
    in_process = Idea.process_id == process_id
    return union_all(
        select(literal(1)).select_from(Vote).join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == User.id, in_process).correlate(User),
        # "+ 0": SQLite has no planner statistics and would otherwise walk all ideas of the
        # process for each person instead of their own few in the author index.
        select(literal(1)).where(Idea.author_id == User.id, Idea.process_id + 0 == process_id).correlate(User),
        select(literal(1)).select_from(Comment).join(Idea, Idea.id == Comment.idea_id)
        .where(Comment.author_id == User.id, in_process).correlate(User),
    )


def _summary(process_id: int) -> dict:
    """Participation in numbers, from the ideas' counter caches and one count of people.

    Nothing here reads the process's million supports or hundred thousand comments: the sums
    come from Idea.support_count and Idea.comment_count, and a person counts at their first own
    support, idea or comment in the process (see _took_part).
    """
    public = (Idea.process_id == process_id, Idea.status.in_(PUBLIC_STATUSES))
    accepted = (IdeaStatus.accepted, IdeaStatus.implemented)
    by_channel = db.session.execute(
        select(Idea.channel, func.count(Idea.id), func.sum(case((Idea.status.in_(accepted), 1), else_=0)),
               func.sum(Idea.support_count), func.sum(Idea.comment_count)).where(*public).group_by(Idea.channel)
    ).all()
    ideas, accepted_n, supports, comments = (sum(int(row[k] or 0) for row in by_channel) for k in (1, 2, 3, 4))
    participants = db.session.scalar(select(func.count(User.id)).where(exists(_took_part(process_id))))
    found = {channel: int(n) for channel, n, *_sums in by_channel}
    channels = {c.value: found.get(c, 0) for c in Channel if c == Channel.online or found.get(c)}
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.process_id == process_id)
        .order_by(Workshop.held_on.is_(None), Workshop.held_on, Workshop.id)).all()
    return {
        "ideas": ideas, "accepted": accepted_n, "supports": supports,
        "comments": comments, "participants": int(participants or 0), "channels": channels,
        "workshops": [{"name": w.name, "held_on": w.held_on.isoformat() if w.held_on else None,
                       "place": w.place, "participants": w.participants} for w in workshops],
    }


def _measure(measure: Measure, number: str, weight: calc.Weight) -> dict:
    return {
        "id": measure.id, "reference": measure.reference, "number": number, "title": measure.title,
        "description": measure.description or "", "priority": Priority(measure.priority).value,
        "rank": measure.rank, "time_frame": measure.time_frame or "",
        "responsible_office": measure.responsible_office or "",
        "status": MeasureStatus(measure.status).value,
        "supports": calc.supports(measure), "dots": calc.dots(measure), "combined": calc.combined(measure, weight),
        "ideas": [{"id": idea.id, "reference": idea.reference or "", "title": idea.title,
                   "support_count": idea.support_count, "workshop_dots": idea.workshop_dots,
                   "channel": idea.channel.value} for idea in measure.ideas],
    }


_SOURCE_IDEA = (Idea.reference, Idea.title, Idea.support_count, Idea.workshop_dots, Idea.dot_points, Idea.channel,
                Idea.status)


def snapshot(draft: StrategyDraft) -> dict:
    """The whole draft as plain JSON data: what the documents show, frozen at this moment."""
    # Eager-load what the numbering and the sums read, so the cost does not grow with the measures.
    draft = db.session.scalars(
        select(StrategyDraft).where(StrategyDraft.id == draft.id).options(
            selectinload(StrategyDraft.sections).joinedload(DraftSection.action_field),
            selectinload(StrategyDraft.measures),
        )
    ).one()
    # The ideas of all measures in one pass, also for measures the session already held. Only the
    # columns the documents show (and the status the public page filters by): an idea's text and
    # search stems would double the work.
    db.session.scalars(select(Measure).where(Measure.draft_id == draft.id)
                       .options(selectinload(Measure.ideas).load_only(*_SOURCE_IDEA))).all()
    weight, numbers = calc.draft_weight(draft), calc.numbers(draft)
    sections = []
    for section, measures in calc.grouped(draft):
        field = section.action_field if section is not None else None
        sections.append({
            "field": None if field is None else {
                "id": field.id, "name": field.name, "colour": field.colour,
                "description": field.description or "", "responsible_office": field.responsible_office or ""},
            "goals": [str(goal) for goal in (section.goals or [])] if section is not None else [],
            "measures": [_measure(m, numbers[m.id], weight) for m in measures],
        })
    process = db.session.get(Process, draft.process_id)
    return {
        "schema": SCHEMA,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "process": {"id": process.id, "title": process.title, "slug": process.slug},
        "draft": {"id": draft.id, "title": draft.title, "vision": draft.vision or "",
                  "principles": draft.principles or "", "status": getattr(draft.status, "value", draft.status),
                  "support_weight": draft.support_weight, "dot_weight": draft.dot_weight},
        "summary": _summary(process.id),
        "sections": sections,
    }


def taken_on(snap: dict) -> datetime:
    return datetime.fromisoformat(snap["taken_at"])


def paragraphs(text: str) -> list[str]:
    """Plain text split at blank lines; single line breaks stay inside a paragraph."""
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def principle_items(text: str) -> list[str]:
    """One guiding principle per line; list markers people typed are dropped."""
    return [re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", line.strip()) for line in (text or "").splitlines()
            if line.strip()]


def section_title(section: dict, number: int) -> str:
    name = section["field"]["name"] if section["field"] else _("Measures without an action field")
    return f"{number} {name}"


def label(table: dict, value) -> str:
    found = _catalogue.get()
    if found is None:
        return str(table.get(value, value or ""))
    labels = found[1]
    key = (id(table), value)
    if key not in labels:
        labels[key] = str(table.get(value, value or ""))
    return labels[key]


def channel_label(value) -> str:
    return label(CHANNEL_BY_VALUE, value)


def heading_line(snap: dict, version: dict | None) -> str:
    """“Draft of 3 May 2026” or “Version for the council, 3 May 2026”."""
    if version is None:
        return _("Draft of %(date)s", date=format_date(taken_on(snap), "long"))
    return _("%(label)s, %(date)s", label=version["label"], date=format_date(version["created_at"], "long"))


def summary_figures(summary: dict) -> list[tuple[str, int]]:
    """Participation as label and number pairs; labels with a number need no plural forms."""
    return [(_("People who took part"), summary["participants"]), (_("Public ideas"), summary["ideas"]),
            (_("Supports"), summary["supports"]), (_("Comments"), summary["comments"]),
            (_("Accepted ideas"), summary["accepted"])]


def weight_sentence(draft: dict) -> str:
    return _("Combined priority: 1 support = %(support)d points, 1 dot = %(dot)d points.",
             support=draft["support_weight"], dot=draft["dot_weight"])


def workshop_line(workshop: dict) -> str:
    parts = [workshop["name"]]
    if workshop.get("held_on"):
        parts.append(format_date(date.fromisoformat(workshop["held_on"]), "medium"))
    if workshop.get("place"):
        parts.append(workshop["place"])
    if workshop.get("participants"):
        parts.append(_("%(n)d participants", n=workshop["participants"]))
    return ", ".join(parts)


def idea_line(idea: dict) -> str:
    return ngettext("%(reference)s %(title)s (%(num)d support, %(channel)s)",
                    "%(reference)s %(title)s (%(num)d supports, %(channel)s)", idea["support_count"],
                    reference=idea["reference"], title=idea["title"], channel=channel_label(idea["channel"]))


def measure_columns() -> list[str]:
    return [_("No."), _("Measure"), _("Priority"), _("Time frame"), _("Responsible"), _("Supports"), _("Dots")]


def measure_cells(m: dict) -> list[str]:
    return [m["number"], m["title"], label(PRIORITY, m["priority"]), m["time_frame"] or "–",
            m["responsible_office"] or "–", str(m["supports"]), str(m["dots"])]


def town() -> str:
    return current_app.config.get("TOWN_NAME", "")


_MD_INLINE = re.compile(r"([\\`*_{}\[\]<>|~&!])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#>+=-])|(\d+)([.)]))")


def md_inline(text) -> str:
    """User text inside a line (a table cell, after a number): no emphasis, link, HTML or cell break."""
    return _MD_INLINE.sub(r"\\\1", " ".join(str(text or "").split()))


def md(text) -> str:
    """User text as a block: also no heading, quote or list marker at the start of a line."""
    def line_start(m):
        return m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4))
    text = _MD_INLINE.sub(r"\\\1", str(text or ""))
    return "\n".join(_MD_LINE_START.sub(line_start, line) for line in text.split("\n"))


def md_line(text) -> str:
    """User text as one line of a heading or list item."""
    return md(" ".join(str(text or "").split()))


def _md_table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(md_inline(h) for h in header) + " |",
             "|" + "|".join("---" for _h in header) + "|"]
    lines += ["| " + " | ".join(md_inline(c) for c in row) + " |" for row in rows]
    return lines + [""]


def to_docx(snap: dict, version: dict | None = None) -> bytes:
    """The document as DOCX; its writer and python-docx are loaded with the first one asked for."""
    from ideas.draft_docx import to_docx as write

    return write(snap, version)


def to_markdown(snap: dict, version: dict | None = None) -> str:
    """The document as UTF-8 Markdown: headings, lists and pipe tables."""
    with one_lookup_per_message():
        return "\n".join(_markdown(snap, version))


def _markdown(snap: dict, version: dict | None) -> list[str]:
    draft, summary = snap["draft"], snap["summary"]
    out = [f"# {md_line(draft['title'])}", "", md(town()), "", md(snap["process"]["title"]), "",
           f"*{md(heading_line(snap, version))}*", "",
           f"## {md_line(_('Participation in numbers'))}", ""]
    out += [f"- {md_inline(name)}: {n}" for name, n in summary_figures(summary)] + [""]
    out += _md_table([_("Channel"), _("Ideas")],
                     [[channel_label(c), n] for c, n in summary["channels"].items()])
    if summary["workshops"]:
        out += [f"### {md_line(_('Workshops'))}", ""] + [f"- {md_line(workshop_line(w))}" for w in summary["workshops"]]
        out.append("")
    if paragraphs(draft["vision"]):
        out += [f"## {md_line(_('Vision'))}", ""]
        for p in paragraphs(draft["vision"]):
            out += [md(p).replace("\n", "  \n"), ""]
    if principle_items(draft["principles"]):
        out += [f"## {md_line(_('Guiding principles'))}", ""]
        out += [f"- {md_line(item)}" for item in principle_items(draft["principles"])] + [""]
    for number, section in enumerate(snap["sections"], start=1):
        out += [f"## {md_line(section_title(section, number))}", ""]
        if section["field"] and section["field"]["description"]:
            out += [md(section["field"]["description"]), ""]
        if section["goals"]:
            out += [f"**{md(_('Goals'))}**", ""] + [f"- {md_line(goal)}" for goal in section["goals"]] + [""]
        if not section["measures"]:
            out += [md(_("No measures yet.")), ""]
            continue
        out += _md_table(measure_columns(), [measure_cells(m) for m in section["measures"]])
        for m in section["measures"]:
            out += [f"### {m['number']} {md_inline(m['title'])}", ""]
            for p in paragraphs(m["description"]):
                out += [md(p).replace("\n", "  \n"), ""]
            out += [md(measure_facts(m)), ""]
            if m["ideas"]:
                out += [f"{md(_('Source ideas'))}:", ""] + [f"- {md_line(idea_line(i))}" for i in m["ideas"]] + [""]
    out += [f"*{md(weight_sentence(draft))}*", ""]
    return out


def measure_facts(m: dict) -> str:
    """The details that do not fit into the table row: status, rank, combined priority, reference."""
    facts = [_("Status: %(status)s", status=label(MEASURE_STATUS, m["status"]))]
    if m.get("rank") is not None:
        facts.append(_("Rank: %(rank)d", rank=m["rank"]))
    facts.append(_("Combined priority: %(points)d", points=m["combined"]))
    facts.append(m["reference"])
    return " · ".join(facts)
