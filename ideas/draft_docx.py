"""The strategy document as DOCX, written from a snapshot (see draft_documents).

Imported only when a DOCX is asked for: python-docx and lxml cost every worker about 9 MB.
python-docx builds the package (styles, footer, properties); the body, a few thousand
paragraphs and table rows, is written as WordprocessingML text straight into the zip entry.
Parsing that body into an lxml tree and moving it into the document took a second and
about 60 MB per export of 2,000 measures; the text is the same XML either way.
"""
import io
import re
import zipfile
from html import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from flask import current_app
from flask_babel import get_locale

from ideas.draft_documents import (
    channel_label,
    heading_line,
    idea_line,
    measure_cells,
    measure_columns,
    measure_facts,
    one_lookup_per_message,
    paragraphs,
    principle_items,
    section_title,
    summary_figures,
    taken_on,
    town,
    weight_sentence,
    workshop_line,
)
from ideas.draft_documents import gettext as _

# Column widths of the measures table in cm; together the text width of A4 with 2 cm margins.
_WIDTHS = (1.3, 4.2, 1.9, 2.1, 2.8, 3.0, 1.7)
FONT = "Arial"
_HEADER_FILL = "DCE6F0"
_TABLE_CELL = '<w:sz w:val="18"/>'  # 9 pt
_TABLE_HEAD = "<w:b/>" + _TABLE_CELL
_BODY = "word/document.xml"
# An empty element python-docx serialises exactly like this; the body text takes its place.
_MARKER_ID = "ideenfenster-body"
_MARKER = f'<w:customXml w:element="{_MARKER_ID}"/>'.encode()


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


def _run(text, props: str = "") -> str:
    lines = _XML_ILLEGAL.sub("", str(text)).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line, quote=False)}</w:t>' for line in lines)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


class _Writer:
    """Collects the body as WordprocessingML text, one string per paragraph or table.

    python-docx's add_paragraph() and add_row() walk the document on every call, so a draft
    with 2,000 measures would take half a minute; escaped text costs a fraction of a second.
    """

    def __init__(self, doc):
        self.parts: list[str] = []
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


def _package(doc, parts: list[str]) -> bytes:
    """The saved package with the body text in place of the marker, written part by part."""
    doc.element.body.sectPr.addprevious(OxmlElement("w:customXml", {qn("w:element"): _MARKER_ID}))
    template = io.BytesIO()
    doc.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename != _BODY:
                target.writestr(entry, data, zipfile.ZIP_DEFLATED)
                continue
            before, after = data.split(_MARKER)  # exactly one marker, or this fails loudly
            with target.open(_BODY, "w") as body:
                body.write(before)
                for part in parts:
                    body.write(part.encode("utf-8"))
                body.write(after)
    return out.getvalue()


def to_docx(snap: dict, version: dict | None = None) -> bytes:
    """The document as DOCX: title page, summary, vision, principles, one chapter per action field."""
    with one_lookup_per_message():
        doc = Document()
        _setup(doc, snap)
        out = _Writer(doc)
        _body(out, snap, version)
        return _package(doc, out.parts)


def _body(out: _Writer, snap: dict, version: dict | None) -> None:
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
