"""The checklist's payload corpus (X1) against every text field added since the first XSS test.

Each test fills one payload into every field of one area, through the real forms, and then reads
every page and document that shows those fields: the editor, forms shown again, print views, the
public strategy page, DOCX, Markdown, CSV and XLSX, the admin list, the feedback mail. Every field
value starts with its own marker ("DT ", "MD ", …), so a test can also see that the text arrived
and reads exactly as typed: escaped, never dropped, never run.
"""
import csv
import html
import io
import re
import zipfile
from html.parser import HTMLParser
from urllib.parse import urlencode

import docx
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from sqlalchemy import select

from ideas import drafts
from ideas.extensions import db
from ideas.models import (
    AnswerTemplate,
    DraftVersion,
    Idea,
    IdeaStatus,
    InternalNote,
    Measure,
    OutboxMail,
    StrategyDraft,
    User,
    Workshop,
    utcnow,
)
from tests.conftest import make_idea, make_process, sheet_bytes
from tests.test_sanitize import PAYLOADS

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def app(shared_app):
    """One app per database for the whole module (tests/conftest.py), its tables emptied per test:
    48 tests would otherwise build an app and compile its templates 48 times."""
    return shared_app


# The fields each area's test fills, by marker; the report counts payloads x fields from these.
DRAFT_FIELDS = {
    "DT": "draft title", "DV": "vision", "DP": "guiding principles", "DG": "section goals",
    "MT": "measure title", "MD": "measure description", "MF": "measure time frame",
    "MO": "measure responsible office", "MR": "measure source references", "VL": "version label",
}
WORKSHOP_FIELDS = {
    "WN": "workshop name", "WP": "workshop place", "WT": "workshop note", "WR": "dot entry reference",
    "WD": "dot entry dots", "CR": "CSV upload reference cell", "CD": "CSV upload dots cell",
    "XR": "XLSX upload reference cell", "XD": "XLSX upload dots cell",
}
CITIZEN_FIELDS = {
    "DN": "display name", "EM": "new e-mail address", "FN": "feedback name", "FE": "feedback e-mail",
    "FM": "feedback message", "AQ": "admin user search", "TC": "two-factor code", "PT": "dot voting points",
}
MODERATION_FIELDS = {
    "IN": "internal note", "TN": "answer template name", "TB": "answer template text", "AN": "public answer",
    "AT": "analog idea title", "AB": "analog idea description", "AP": "analog idea place",
    "AO": "analog idea note", "IT": "import title cell", "ID": "import description cell", "IP": "import place cell",
}
ALL_FIELDS = {**DRAFT_FIELDS, **WORKSHOP_FIELDS, **CITIZEN_FIELDS, **MODERATION_FIELDS}

FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "style", "base", "link", "meta"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
# Every hx-trigger the site's own templates use; a payload's hx-trigger="load" is not among them.
OWN_TRIGGERS = {"submit, change", "submit, change from:select"}
USER_HTML_CLASSES = {"user-content", "comment-body"}


def v(marker: str, payload: str) -> str:
    """What one field gets: its marker, then the payload."""
    return f"{marker} {payload}"


class _Page(HTMLParser):
    """Everything in a page that could act in a browser, and the text a person would read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in FORBIDDEN_TAGS and not (tag == "link" and values.get("rel") in ("stylesheet", "icon")
                                          and (values.get("href") or "").startswith("/static/")) \
                and not (tag == "meta" and "http-equiv" not in values):
            self.problems.append(f"<{tag}>")
        if tag == "script":
            self._in_script = True
            if not (values.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script> without our src: {values}")
        if tag == "form" and (values.get("action") or "/").startswith(("//", "http:", "https:")):
            self.problems.append(f"<form action={values['action']!r}>")
        for name, value in attrs:
            value = value or ""
            squeezed = re.sub(r"[\x00-\x20]", "", html.unescape(value)).lower()
            if name.startswith("on"):
                self.problems.append(f"{name} on <{tag}>")
            if name in URL_ATTRIBUTES and squeezed.startswith(BAD_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name.startswith(("hx-", "data-hx-")) and (
                    "/logout" in value or "evil" in value
                    or (name.endswith("hx-trigger") and value not in OWN_TRIGGERS)):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if "evil.example" in value and name != "value":
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "value" or (tag == "meta" and name == "content"):
                self.text.append(value)
        classes = set((values.get("class") or "").split())
        if classes & USER_HTML_CLASSES and "hx-disable" not in values:
            self.problems.append(f"<{tag} class={values.get('class')!r}> holds user HTML without hx-disable")

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data[:60]!r}")
        self.text.append(data)


def read_page(source: str) -> tuple[list[str], str]:
    parser = _Page()
    parser.feed(source)
    parser.close()
    return parser.problems, " ".join(" ".join(parser.text).split())


def assert_harmless(name: str, source: str, payload: str, shows: str = "") -> None:
    """No executable markup in the page; each field named in `shows` reads exactly as typed."""
    problems, text = read_page(source)
    assert problems == [], (name, problems)
    if "<" in payload:
        assert payload not in source, f"{name}: the payload is in the page unescaped"
    for marker in shows.split():
        assert v(marker, payload) in text, f"{name}: field {marker} ({ALL_FIELDS[marker]}) not shown as typed"
        if payload == "{{7*7}}":
            assert f"{marker} 49" not in text, f"{name}: {marker} was evaluated as a template"


def check_pages(client, payload: str, pages: dict) -> int:
    """GET every page (url: markers it must show), assert it is harmless; returns how many."""
    for url, shows in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_harmless(url, response.text, payload, shows)
    return len(pages)


def post(client, url: str, data: dict, expect=(200,), **kwargs):
    """Submit a form and follow its redirect, so the flash message that names the value is read too."""
    response = client.post(url, data=data, follow_redirects=True, **kwargs)
    assert response.status_code in expect, (url, response.status_code)
    return response


# --- Documents and sheets ---------------------------------------------------------------------

def docx_text(body: bytes) -> str:
    """All text of a DOCX as Word reads it; a broken document would not open here."""
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def assert_docx(body: bytes, payload: str, shows: str) -> None:
    text = docx_text(body)
    for marker in shows.split():
        assert v(marker, payload) in text, f"DOCX: {marker} not as typed"
    if payload == "{{7*7}}":
        assert "DT 49" not in text
    # Text only: no link, field code or embedded object came from what people typed.
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "<w:hyperlink" not in xml and "<w:instrText" not in xml and "<w:object" not in xml


MD_TAGS = {"h1", "h2", "h3", "p", "ul", "ol", "li", "em", "strong", "table", "thead", "tbody", "tr", "th", "td",
           "br"}


def assert_markdown(body: bytes, payload: str, shows: str) -> None:
    """The Markdown, rendered by a CommonMark renderer that lets raw HTML through, is still harmless."""
    rendered = MarkdownIt("commonmark", {"html": True}).enable("table").render(body.decode("utf-8"))
    problems, text = read_page(rendered)
    assert problems == [], problems
    tags = set(re.findall(r"<([a-z0-9]+)", rendered))
    assert tags <= MD_TAGS, tags - MD_TAGS
    for marker in shows.split():
        assert v(marker, payload) in text, f"Markdown: {marker} not as typed"


def csv_cells(body: bytes) -> set[str]:
    text = body.decode("utf-8-sig")
    return {cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row}


def xlsx_cells(body: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(body), read_only=True)
    return {str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if cell is not None}


def assert_sheet(cells: set[str], payload: str, shows: str, name: str) -> None:
    for marker in shows.split():
        assert v(marker, payload) in cells, f"{name}: {marker} not as typed"


# --- Strategy drafts --------------------------------------------------------------------------

@pytest.fixture
def team(client, auth):
    return auth.login_as("team")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_draft_fields(client, team, payload):
    process = make_process(fields=2)
    idea = make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN in allen Bürgerhäusern")
    field = process.action_fields[0]
    base = f"/strategy/processes/{process.id}"

    new = post(client, f"{base}/drafts/new", {
        "title": v("DT", payload), "vision": v("DV", payload), "principles": v("DP", payload),
        "support_weight": "2", "dot_weight": "1", "from_accepted": "y"})
    assert_harmless("draft created", new.text, payload, "DT DV DP")
    draft = db.session.scalar(select(StrategyDraft))
    assert (draft.title, draft.vision, draft.principles) == (v("DT", payload), v("DV", payload), v("DP", payload))
    section = next(s for s in draft.sections if s.action_field_id == field.id)
    d = f"/strategy/drafts/{draft.id}"

    goals = post(client, f"{d}/sections/{section.id}/goals", {"goals": v("DG", payload) + "\nZweites Ziel"})
    assert_harmless("goals saved", goals.text, payload, "DG")
    measure_data = {
        "title": v("MT", payload), "description": v("MD", payload), "action_field": str(field.id),
        "priority": "high", "rank": "", "time_frame": v("MF", payload), "responsible_office": v("MO", payload),
        "status": "planned", "ideas": idea.reference}
    added = post(client, f"{d}/measures/new", measure_data)
    assert_harmless("measure added", added.text, payload, "MT MD MF MO")
    measure = db.session.scalar(select(Measure).where(Measure.title == v("MT", payload)))
    assert (measure.description, measure.time_frame, measure.responsible_office) == \
        (v("MD", payload), v("MF", payload), v("MO", payload))
    # The source references are not stored when unknown, but the error message names them.
    refused = client.post(f"{d}/measures/new", data={**measure_data, "ideas": v("MR", payload)})
    assert refused.status_code == 200 and "of ideas in this process" in refused.text
    assert_harmless("unknown references", refused.text, payload, "MT MD MF MO")
    assert re.search(r"MR,? ", read_page(refused.text)[1]), "the error names the references"
    invalid = client.post(f"{d}/edit", data={"title": v("DT", payload), "vision": v("DV", payload),
                                             "principles": v("DP", payload), "support_weight": "x",
                                             "dot_weight": "1"})
    assert_harmless("invalid draft form", invalid.text, payload, "DT DV DP")
    frozen = post(client, f"{d}/versions", {"label": v("VL", payload)})
    assert_harmless("version frozen", frozen.text, payload, "VL")
    too_long = client.post(f"{d}/versions", data={"label": v("VL", payload) + "x" * 200})
    assert_harmless("invalid version label", too_long.text, payload, "")
    post(client, f"{d}/publish", {})
    version = db.session.scalar(select(DraftVersion))
    assert version.label == v("VL", payload)
    other = next(m for m in db.session.scalars(select(Measure)) if m.id != measure.id)
    workshop = _workshop(process)
    post(client, f"/strategy/workshops/{workshop.id}/dots",
         {"rows-0-reference": measure.reference, "rows-0-dots": "4"})

    checked = check_pages(client, payload, {
        d: "DT DV DP DG MT MD MF MO VL",
        f"{base}/drafts": "DT",
        f"{d}/edit": "DT DV DP",
        f"{d}/sections/{section.id}/goals": "DG",
        f"{d}/measures/{measure.id}/edit": "MT MD MF MO",
        f"{d}/measures/{measure.id}/delete": "MT",
        f"{d}/delete": "DT",
        f"{d}/print": "DT DV DP DG MT MD MF MO",
        f"/strategy/versions/{version.id}/print": "DT DV DP DG MT MD MF MO VL",
        f"/processes/{process.slug}/strategy": "DT DV DP DG MT MD MF MO",
        f"/ideas/{idea.id}": "",  # "taken up in measure …" quotes both titles inside one sentence
        f"/strategy/workshops/{workshop.id}/dots": "MT",
    })
    taken_up = client.get(f"/ideas/{idea.id}").text
    assert html.unescape(re.sub(r"\s+", " ", taken_up)).count(f"“{v('MT', payload)}”") == 1
    merge = client.post(f"{d}/merge", data={"measures": [str(measure.id), str(other.id)]})
    assert_harmless("merge confirmation", merge.text, payload, "MT")

    for url in (f"{d}/export.docx", f"/strategy/versions/{version.id}/export.docx"):
        assert_docx(client.get(url).data, payload, "DT DV DP DG MT MD MF MO")
    for url in (f"{d}/export.md", f"/strategy/versions/{version.id}/export.md"):
        assert_markdown(client.get(url).data, payload, "DT DP DG MT")
    assert_sheet(csv_cells(client.get("/exports/measures.csv").data), payload, "DT MT MD MF MO", "measures CSV")
    assert_sheet(xlsx_cells(client.get("/exports/measures.xlsx").data), payload, "DT MT MD MF MO", "measures XLSX")
    assert_sheet(csv_cells(client.get(f"{base}/workshops/sheet.csv").data), payload, "MT", "dot sheet CSV")
    assert_sheet(xlsx_cells(client.get(f"{base}/workshops/sheet.xlsx").data), payload, "MT", "dot sheet XLSX")
    assert checked == 12


def _workshop(process) -> Workshop:
    workshop = Workshop(process_id=process.id, name="Digital-Werkstatt Stadthalle")
    db.session.add(workshop)
    db.session.commit()
    return workshop


# --- Workshop results -------------------------------------------------------------------------

def _csv_upload(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    return out.getvalue().encode("utf-8")


def _upload(client, workshop, name: str, body: bytes):
    response = client.post(f"/strategy/workshops/{workshop.id}/upload", data={"sheet": (io.BytesIO(body), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 200, response.status_code
    return response


@pytest.mark.parametrize("payload", PAYLOADS)
def test_workshop_fields(client, team, payload):
    process = make_process(fields=2)
    idea = make_idea(process, status=IdeaStatus.accepted, title="Freies WLAN in allen Bürgerhäusern")
    base = f"/strategy/processes/{process.id}/workshops"
    workshop_data = {"name": v("WN", payload), "held_on": "2026-03-01", "place": v("WP", payload),
                     "participants": "12", "note": v("WT", payload)}
    created = post(client, f"{base}/new", workshop_data)
    assert_harmless("workshop created", created.text, payload, "WN")
    workshop = db.session.scalar(select(Workshop))
    assert (workshop.name, workshop.place, workshop.note) == (v("WN", payload), v("WP", payload), v("WT", payload))
    invalid = client.post(f"{base}/new", data={**workshop_data, "participants": "viele"})
    assert invalid.status_code == 200
    assert_harmless("invalid workshop form", invalid.text, payload, "WN WP WT")

    entry = client.post(f"/strategy/workshops/{workshop.id}/dots", data={
        "rows-0-reference": v("WR", payload)[:60], "rows-0-dots": "3",
        "rows-1-reference": idea.reference, "rows-1-dots": v("WD", payload)[:20]})
    assert entry.status_code == 200 and "Please enter a whole number" in entry.text
    # The error quotes at most 40 characters of the reference; the input keeps what was typed.
    assert_harmless("dot entry errors", entry.text, payload, "WR" if len(v("WR", payload)) <= 40 else "")
    assert v("WD", payload)[:20] in read_page(entry.text)[1]
    assert workshop.id and not db.session.scalar(select(Idea.workshop_dots).where(Idea.id == idea.id))

    rows = [["reference", "dots"], [v("CR", payload), "3"], [idea.reference, v("CD", payload)]]
    csv_preview = _upload(client, workshop, "punkte.csv", _csv_upload(rows))
    # A dots cell is kept to its first 20 characters, as the entry form's input is.
    assert_harmless("CSV preview", csv_preview.text, payload, "CR")
    assert v("CD", payload)[:20] in read_page(csv_preview.text)[1]
    rows = [["reference", "dots"], [v("XR", payload), "3"], [idea.reference, v("XD", payload)]]
    xlsx_preview = _upload(client, workshop, "punkte.xlsx", sheet_bytes(rows))
    assert_harmless("XLSX preview", xlsx_preview.text, payload, "XR")
    assert v("XD", payload)[:20] in read_page(xlsx_preview.text)[1]
    named = _upload(client, workshop, v("FI", payload) + ".csv", _csv_upload([["reference", "dots"],
                                                                              [idea.reference, "2"]]))
    assert_harmless("uploaded file name", named.text, payload, "")

    draft = drafts.create(process, "Digitalstrategie 2030")
    db.session.commit()
    checked = check_pages(client, payload, {
        base: "WN WP",
        f"{base}/{workshop.id}/edit": "WN WP WT",
        f"{base}/{workshop.id}/delete": "WN",
        f"/strategy/workshops/{workshop.id}/dots": "WN",
        f"/strategy/workshops/{workshop.id}/upload": "WN",
        f"/strategy/drafts/{draft.id}/print": "",
    })
    print_view = read_page(client.get(f"/strategy/drafts/{draft.id}/print").text)[1]
    assert v("WN", payload) in print_view
    assert_docx(client.get(f"/strategy/drafts/{draft.id}/export.docx").data, payload, "WN")
    assert_markdown(client.get(f"/strategy/drafts/{draft.id}/export.md").data, payload, "WN")
    assert checked == 6


# --- Citizens' account, dot voting, the feedback form; the admin list; two-factor codes ------------

PASSWORD = "ein langes Passwort für Tests"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_citizen_and_account_fields(client, auth, payload):
    process = make_process(dot_points=5)
    registered = post(client, "/register", {
        "email": "neu@example.org", "display_name": v("DN", payload), "password": PASSWORD,
        "password2": PASSWORD, "accept_terms": "y"})
    assert_harmless("registered", registered.text, payload, "")
    person = db.session.scalar(select(User).where(User.email == "neu@example.org"))
    assert person.display_name == v("DN", payload)
    person.email_verified_at = utcnow()
    db.session.commit()
    own = make_idea(process, person, title="Sitzbänke mit Steckdosen am Markt")
    other = make_idea(process, title="Freies WLAN in allen Bürgerhäusern")
    auth.login_as(person)
    post(client, f"/ideas/{other.id}/comments", {"body": "Gute Idee, unbedingt umsetzen."})

    email = client.post("/account/email", data={"email": v("EM", payload), "current_password": PASSWORD})
    assert email.status_code == 422
    assert_harmless("e-mail change refused", email.text, payload, "")
    assert v("EM", payload).lower() in read_page(email.text)[1], "e-mail addresses are kept in lower case"
    points = post(client, f"/ideas/{other.id}/dots", {"action": "set", "points": v("PT", payload)})
    assert "Please enter a whole number" in points.text
    assert_harmless("dot points refused", points.text, payload, "")
    check_pages(client, payload, {"/account": "DN", f"/ideas/{own.id}": "DN", f"/ideas/{other.id}": "DN",
                                  "/ideas": "", f"/processes/{process.slug}/points": ""})

    feedback = {"name": v("FN", payload), "email": v("FE", payload), "message": v("FM", payload)}
    refused = client.post("/barrierefreiheit", data=feedback)
    assert refused.status_code == 422
    assert_harmless("feedback refused", refused.text, payload, "FN FE FM")
    sent = post(client, "/barrierefreiheit", {**feedback, "email": "buerger@example.org"})
    assert_harmless("feedback sent", sent.text, payload, "")
    mail = db.session.scalar(select(OutboxMail).where(OutboxMail.kind == "accessibility_feedback"))
    # A plain-text mail: the text arrives exactly as typed, and nothing in it was run as a template.
    assert v("FN", payload) in mail.body_text and v("FM", payload) in mail.body_text
    assert "FM 49" not in mail.body_text and "<" not in mail.subject

    admin = auth.login_as("admin")
    check_pages(client, payload, {
        "/admin/users": "DN", f"/admin/users/{person.id}": "DN",
        "/admin/users?" + urlencode({"q": v("AQ", payload)}): "AQ",
        "/admin/users?q=DN": "DN"})
    assert_sheet(csv_cells(client.get("/exports/comments.csv").data), payload, "DN", "comments CSV")
    post(client, "/account/two-factor/start", {})
    code = client.post("/account/two-factor/confirm", data={"code": v("TC", payload)[:40]})
    assert code.status_code == 422 and db.session.get(User, admin.id).totp_enabled_at is None
    assert_harmless("two-factor code refused", code.text, payload, "")


# --- Moderation: notes, answers, templates, analog ideas and the import ----------------------------

FILLER = " – so stand es auf dem Zettel an der Pinnwand."
IMPORT_FIELDS = {"IC": "import channel cell", "IW": "import date cell", "IF": "import action field cell"}
MODERATION_FIELDS.update(IMPORT_FIELDS)
ALL_FIELDS.update(IMPORT_FIELDS)


def _import_sheet(payload: str, day: str) -> bytes:
    """One row with the payload in the text cells, one with it in the cells that are looked up."""
    rows = [["title", "description", "channel", "date", "place", "field"],
            [v("IT", payload), v("ID", payload) + FILLER, "pinboard", day, v("IP", payload), ""],
            ["Mehr Radwege zum Bahnhof", "Sichere Radwege vom Oberdorf zum Bahnhof, bitte." + FILLER,
             v("IC", payload), v("IW", payload), "", v("IF", payload)]]
    return _csv_upload(rows)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_moderation_fields(client, auth, payload):
    from ideas.analog_import import today

    process = make_process()
    idea = make_idea(process, title="Freies WLAN in allen Bürgerhäusern")
    auth.login_as("moderator")
    m = f"/moderation/ideas/{idea.id}"

    noted = post(client, f"{m}/notes", {"body": v("IN", payload)})
    assert_harmless("note saved", noted.text, payload, "IN")
    assert db.session.scalar(select(InternalNote.body)) == v("IN", payload)
    saved = post(client, "/moderation/templates", {"title": v("TN", payload), "body": v("TB", payload) + FILLER})
    assert_harmless("template saved", saved.text, payload, "TN")
    template = db.session.scalar(select(AnswerTemplate))
    assert (template.title, template.body) == (v("TN", payload), v("TB", payload) + FILLER)
    filled = client.post(f"{m}/answer", data={"answer-template": str(template.id), "answer-use_template": "1",
                                              "answer-decision": "accepted", "answer-expected": "published"})
    assert_harmless("template used", filled.text, payload, "TB")
    answered = post(client, f"{m}/answer", {
        "answer-decision": "under_review", "answer-answer": v("AN", payload) + FILLER,
        "answer-expected": "published", "answer-publish": "1"})
    assert_harmless("answer published", answered.text, payload, "AN")

    entry = {"process_id": str(process.id), "title": v("AT", payload), "body": v("AB", payload) + FILLER,
             "channel": "pinboard", "collected_on": (today()).isoformat(), "place": v("AP", payload),
             "action_field": str(process.action_fields[0].id), "note": v("AO", payload), "submit": "Save idea"}
    refused = client.post("/moderation/analog/new", data={**entry, "collected_on": "morgen"})
    assert refused.status_code == 422
    assert_harmless("analog idea refused", refused.text, payload, "AT AB AP AO")
    entered = post(client, "/moderation/analog/new", entry)
    assert_harmless("analog idea saved", entered.text, payload, "AT AB")
    analog = db.session.scalar(select(Idea).where(Idea.title == v("AT", payload)))
    preview = client.post("/moderation/analog/import", content_type="multipart/form-data", data={
        "process_id": str(process.id), "sheet": (io.BytesIO(_import_sheet(payload, today().isoformat())), "z.csv")})
    assert preview.status_code in (200, 422) and "is not a channel we know" in preview.text
    assert_harmless("import preview", preview.text, payload, "IT ID IP IC")
    assert v("IW", payload)[:30] in read_page(preview.text)[1], "a date cell is quoted up to 30 characters"

    check_pages(client, payload, {
        m: "IN TN AN", "/moderation/templates": "TN", f"/moderation/templates/{template.id}": "TN TB",
        "/moderation/": "", f"/moderation/ideas/{analog.id}": "AT AB",
        f"/ideas/{idea.id}": "AN", f"/ideas/{analog.id}": "AT AB"})


# --- The checks themselves -------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "<p>x</p><script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<svg onload=alert(1)>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>', '<a href=" data:text/html,x">x</a>', "<iframe src=//evil.example>",
    "<style>*{display:none}</style>", '<div hx-get="/logout" hx-trigger="load">x</div>',
    "<form action=//evil.example><input name=password>", '<div class="user-content"><p>x</p></div>',
    '<script src="https://evil.example/x.js"></script>',
])
def test_the_page_check_finds_what_it_looks_for(source):
    assert read_page(source)[0]


def test_the_page_check_accepts_the_sites_own_markup(client):
    make_process()
    page = client.get("/")
    assert read_page(page.text)[0] == []
    assert read_page('<form action="/x" hx-post="/x" hx-trigger="submit, change"><input value="a">'
                     '<div class="user-content" hx-disable></div></form>')[0] == []


def test_the_corpus_meets_every_field():
    """12 payloads x 41 fields, each submitted through its form (the report counts from here)."""
    assert len(PAYLOADS) == 12
    assert [len(DRAFT_FIELDS), len(WORKSHOP_FIELDS), len(CITIZEN_FIELDS), len(MODERATION_FIELDS)] == [10, 9, 8, 14]
    assert len(ALL_FIELDS) == 41


def test_a_lazy_message_with_a_typed_value_is_escaped_in_a_template(app):
    """Flask-Babel marks lazy strings as markup; ideas/i18n.py makes them text, as every message is."""
    from flask import render_template_string
    from flask_babel import lazy_gettext

    message = lazy_gettext("“%(value)s” is not a date.", value="<img src=x onerror=alert(1)>")
    with app.test_request_context():
        out = render_template_string("<p>{{ message }}</p>", message=message)
    assert out == "<p>“&lt;img src=x onerror=alert(1)&gt;” is not a date.</p>"
