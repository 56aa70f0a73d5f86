"""Strategy documents: a draft frozen into a snapshot, and that snapshot as Markdown and DOCX.

The snapshot is the only input of the print view, the DOCX and the Markdown, so a frozen
version (DraftVersion.snapshot) renders exactly like the live draft did when it was taken.
Labels (priority, channel) are stored as values and translated when the document is rendered.
"""
import io
import re
from datetime import UTC, date, datetime
from html import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask import current_app
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, union
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
    Vote,
    Workshop,
)
from ideas.models.strategy import MeasureStatus

SCHEMA = 1
PRIORITY = {Priority.high.value: _l("high"), Priority.medium.value: _l("medium"), Priority.low.value: _l("low")}
MEASURE_STATUS = {MeasureStatus.planned.value: _l("planned"), MeasureStatus.in_progress.value: _l("in progress"),
                  MeasureStatus.done.value: _l("done")}
CHANNEL_BY_VALUE = {channel.value: label for channel, label in CHANNEL.items()}


def _summary(process_id: int) -> dict:
    """Participation in numbers, each from one aggregate query, however large the process."""
    public = (Idea.process_id == process_id, Idea.status.in_(PUBLIC_STATUSES))
    accepted = (IdeaStatus.accepted, IdeaStatus.implemented)
    ideas, accepted_n, supports, comments = db.session.execute(
        select(func.count(Idea.id),
               func.coalesce(func.sum(case((Idea.status.in_(accepted), 1), else_=0)), 0),
               func.coalesce(func.sum(Idea.support_count), 0),
               func.coalesce(func.sum(Idea.comment_count), 0)).where(*public)
    ).one()
    in_process = select(Idea.id).where(Idea.process_id == process_id)
    people = union(
        select(Idea.author_id.label("user_id")).where(Idea.process_id == process_id, Idea.author_id.is_not(None)),
        select(Vote.user_id).where(Vote.idea_id.in_(in_process)),
        select(Comment.author_id).where(Comment.idea_id.in_(in_process), Comment.author_id.is_not(None)),
    ).subquery()
    participants = db.session.scalar(select(func.count()).select_from(people))
    found = dict(db.session.execute(
        select(Idea.channel, func.count(Idea.id)).where(*public).group_by(Idea.channel)).all())
    channels = {c.value: found.get(c, 0) for c in Channel if c == Channel.online or found.get(c)}
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.process_id == process_id)
        .order_by(Workshop.held_on.is_(None), Workshop.held_on, Workshop.id)).all()
    return {
        "ideas": int(ideas), "accepted": int(accepted_n), "supports": int(supports),
        "comments": int(comments), "participants": int(participants or 0), "channels": channels,
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


def snapshot(draft: StrategyDraft) -> dict:
    """The whole draft as plain JSON data: what the documents show, frozen at this moment."""
    # Eager-load what the numbering and the sums read, so the cost does not grow with the measures.
    draft = db.session.scalars(
        select(StrategyDraft).where(StrategyDraft.id == draft.id).options(
            selectinload(StrategyDraft.sections).joinedload(DraftSection.action_field),
            selectinload(StrategyDraft.measures).selectinload(Measure.ideas),
        )
    ).one()
    # A draft the session already holds keeps its loaded collections; this fills in the ideas
    # of measures the caller loaded without them.
    db.session.scalars(select(Measure).where(Measure.draft_id == draft.id)
                       .options(selectinload(Measure.ideas))).all()
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
    return str(table.get(value, value or ""))


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


def to_markdown(snap: dict, version: dict | None = None) -> str:
    """The document as UTF-8 Markdown: headings, lists and pipe tables."""
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
    return "\n".join(out)


def measure_facts(m: dict) -> str:
    """The details that do not fit into the table row: status, rank, combined priority, reference."""
    facts = [_("Status: %(status)s", status=label(MEASURE_STATUS, m["status"]))]
    if m.get("rank") is not None:
        facts.append(_("Rank: %(rank)d", rank=m["rank"]))
    facts.append(_("Combined priority: %(points)d", points=m["combined"]))
    facts.append(m["reference"])
    return " · ".join(facts)


# Column widths of the measures table in cm; together the text width of A4 with 2 cm margins.
_WIDTHS = (1.3, 4.2, 1.9, 2.1, 2.8, 3.0, 1.7)
FONT = "Arial"
_HEADER_FILL = "DCE6F0"
_TABLE_CELL = '<w:sz w:val="18"/>'  # 9 pt
_TABLE_HEAD = "<w:b/>" + _TABLE_CELL


def _page_number_footer(section, text: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(f"{text} · ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run, number = OxmlElement("w:r"), OxmlElement("w:t")
    number.text = "1"
    run.append(number)
    field.append(run)
    paragraph._p.append(field)


def _setup(doc, snap: dict) -> None:
    language = "de-DE" if str(get_locale()).startswith("de") else "en-GB"
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.different_first_page_header_footer = True
    _page_number_footer(section, snap["draft"]["title"])
    doc.styles["Normal"].font.size = Pt(10.5)
    # One plain sans-serif everywhere instead of the template's theme fonts (Calibri, Cambria),
    # which are missing on many systems; LibreOffice shows Arial as Liberation Sans.
    for fonts in doc.styles.element.iter(qn("w:rFonts")):
        for key in [k for k in fonts.attrib if k.endswith("Theme")]:
            del fonts.attrib[key]
        for key in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(key), FONT)
    # The document language drives spelling and hyphenation in Word and LibreOffice.
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), language)
    defaults.append(lang)
    props = doc.core_properties
    props.title, props.subject = snap["draft"]["title"][:255], snap["process"]["title"][:255]
    props.author = props.last_modified_by = f"{current_app.config.get('SITE_NAME', '')} {town()}".strip()
    props.language, props.keywords, props.comments = language, "", ""
    props.created = props.modified = taken_on(snap)


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _run(text, props: str = "") -> str:
    lines = _XML_ILLEGAL.sub("", str(text)).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line, quote=False)}</w:t>' for line in lines)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


class _Writer:
    """Writes the body as WordprocessingML text and parses it once.

    python-docx's add_paragraph() and add_row() walk the document on every call, so a draft
    with 2,000 measures would take half a minute; text escaped here and parsed once takes a second.
    """

    def __init__(self, doc):
        self.doc, self.parts = doc, []
        self.ids = {name: doc.styles[name].style_id for name in ("Title", "Subtitle", "Heading 1", "Heading 2",
                                                                 "Heading 3", "List Bullet", "Table Grid")}

    def paragraph(self, text="", style: str | None = None, props: str = "", page_break: bool = False) -> None:
        ppr = f'<w:pPr><w:pStyle w:val="{self.ids[style]}"/></w:pPr>' if style else ""
        brk = '<w:r><w:br w:type="page"/></w:r>' if page_break else ""
        self.parts.append(f"<w:p>{ppr}{_run(text, props) if text != '' else ''}{brk}</w:p>")

    def heading(self, text: str, level: int) -> None:
        self.paragraph(text, f"Heading {level}")

    def bullets(self, items) -> None:
        for item in items:
            self.paragraph(item, "List Bullet")

    def table(self, header: list[str], rows: list[list], widths, right: tuple = ()) -> None:
        """A grid with fixed column widths (cm); the header row repeats on every page, rows never split."""
        twips = [round(w * 567) for w in widths]
        out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.ids["Table Grid"]}"/>'
               f'<w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>'
               '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
               'w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>',
               *(f'<w:gridCol w:w="{t}"/>' for t in twips), "</w:tblGrid>"]
        for values, head in [(header, True), *((row, False) for row in rows)]:
            out.append(f"<w:tr><w:trPr><w:cantSplit/>{'<w:tblHeader/>' if head else ''}</w:trPr>")
            for column, (value, width) in enumerate(zip(values, twips)):
                align = '<w:pPr><w:jc w:val="right"/></w:pPr>' if column in right else ""
                shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{_HEADER_FILL}"/>' if head else ""
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
                           f'<w:p>{align}{_run(value, _TABLE_HEAD if head else _TABLE_CELL)}</w:p></w:tc>')
            out.append("</w:tr>")
        self.parts.append("".join(out) + "</w:tbl>")
        self.paragraph()

    def close(self) -> None:
        body = parse_xml(f"<w:body {_W_NS}>{''.join(self.parts)}</w:body>")
        end = self.doc.element.body.sectPr
        for child in list(body):
            end.addprevious(child)


def to_docx(snap: dict, version: dict | None = None) -> bytes:
    """The document as DOCX: title page, summary, vision, principles, one chapter per action field."""
    doc = Document()
    _setup(doc, snap)
    out = _Writer(doc)
    draft, summary = snap["draft"], snap["summary"]
    for _i in range(6):
        out.paragraph()
    out.paragraph(town(), props='<w:sz w:val="32"/>')
    out.paragraph(draft["title"], "Title")
    out.paragraph(snap["process"]["title"], "Subtitle")
    out.paragraph(heading_line(snap, version), page_break=True)

    out.heading(_("Participation in numbers"), 1)
    out.table([_("Participation"), _("Count")], summary_figures(summary), (6, 2.5), right=(1,))
    out.table([_("Channel"), _("Ideas")], [[channel_label(c), n] for c, n in summary["channels"].items()], (6, 2.5),
              right=(1,))
    if summary["workshops"]:
        out.heading(_("Workshops"), 2)
        out.bullets(workshop_line(w) for w in summary["workshops"])
    if paragraphs(draft["vision"]):
        out.heading(_("Vision"), 1)
        for paragraph in paragraphs(draft["vision"]):
            out.paragraph(paragraph)
    if principle_items(draft["principles"]):
        out.heading(_("Guiding principles"), 1)
        out.bullets(principle_items(draft["principles"]))

    for number, section in enumerate(snap["sections"], start=1):
        out.heading(section_title(section, number), 1)
        if section["field"] and section["field"]["description"]:
            out.paragraph(section["field"]["description"])
        if section["goals"]:
            out.heading(_("Goals"), 2)
            out.bullets(section["goals"])
        if not section["measures"]:
            out.paragraph(_("No measures yet."))
            continue
        out.heading(_("Measures"), 2)
        out.table(measure_columns(), [measure_cells(m) for m in section["measures"]], _WIDTHS, right=(5, 6))
        for m in section["measures"]:
            out.heading(f"{m['number']} {m['title']}", 3)
            for paragraph in paragraphs(m["description"]):
                out.paragraph(paragraph)
            out.paragraph(measure_facts(m), props='<w:sz w:val="18"/>')
            if m["ideas"]:
                out.paragraph(_("Source ideas") + ":")
                out.bullets(idea_line(idea) for idea in m["ideas"])
    out.paragraph(weight_sentence(draft), props="<w:i/>")
    out.close()
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
