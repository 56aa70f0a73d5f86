"""Strategy documents: a snapshot of the draft, and the same document as print view, DOCX and Markdown."""
import csv
import io
import json
import logging
from datetime import date

import markdown
import pytest
from docx import Document
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from ideas import discussion, draft_documents, exports, voting, workflow
from ideas.extensions import db
from ideas.models import (
    Channel,
    DraftSection,
    DraftVersion,
    IdeaStatus,
    Measure,
    Priority,
    StrategyDraft,
    Workshop,
    WorkshopDots,
)
from tests.conftest import make_idea, make_process, make_user
from tests.test_queries import count_queries

XSS = '<script>alert("x")</script> *fett* [Link](http://evil.example) | Spalte'


def _draft(process=None, measures_per_field=2, title="Digitalstrategie 2030"):
    """A process with accepted ideas, a workshop and a draft whose sections are in a non-default order."""
    process = process or make_process(fields=3)
    first, second, third = process.action_fields
    second.goals = ["Jedes Kind lernt digital", "Schulen haben WLAN"]
    second.responsible_office = "Schulamt"
    people = [make_user() for _ in range(3)]
    draft = StrategyDraft(process_id=process.id, title=title, vision="Musterstadt ist digital.\n\nFür alle.",
                          principles="- Offen\n- Barrierefrei", support_weight=2, dot_weight=3)
    # The draft lists "Bildung" before "Infrastruktur"; "Kommunale Verwaltung" has no measures.
    draft.sections = [DraftSection(action_field_id=second.id, position=0, goals=second.goals),
                      DraftSection(action_field_id=first.id, position=1, goals=[]),
                      DraftSection(action_field_id=third.id, position=2, goals=["Online-Termine"])]
    ideas = []
    for n, field in enumerate([second, first] * measures_per_field):
        idea = make_idea(process=process, author=people[n % 3], field=field,
                         title=f"Idee {n} für {field.name}", channel=Channel.pinboard if n % 2 else Channel.online)
        voting.add_support(people[(n + 1) % 3], idea)
        workflow.change_status(idea, IdeaStatus.accepted, None)
        ideas.append(idea)
        draft.measures.append(Measure(action_field_id=field.id, position=n, title=f"Maßnahme {n}",
                                      description="Erster Absatz.\n\nZweiter Absatz.", priority=Priority.high,
                                      time_frame="2027", responsible_office=field.responsible_office,
                                      ideas=[idea], workshop_dots=1))
    draft.measures.append(Measure(action_field_id=None, position=99, title="Ohne Handlungsfeld"))
    discussion.add_comment(people[0], ideas[0], "Gute Idee")
    workshop = Workshop(process_id=process.id, name="Digital-Werkstatt", held_on=date(2026, 5, 3),
                        place="Rathaus", participants=40)
    db.session.add_all([draft, workshop])
    db.session.flush()
    db.session.add(WorkshopDots(workshop_id=workshop.id, idea_id=ideas[0].id, dots=4))
    ideas[0].workshop_dots = 4
    db.session.commit()
    return process, draft, ideas


def _article(page: bytes) -> bytes:
    """The document itself, without the site around it."""
    return page[page.index(b'<article class="draft-doc"'):page.index(b"</article>")]


def _docx(data: bytes):
    return Document(io.BytesIO(data))


def test_snapshot_follows_the_contract(app):
    process, draft, ideas = _draft()
    snap = draft_documents.snapshot(draft)
    json.dumps(snap)  # stored in a JSON column
    assert set(snap) == {"schema", "taken_at", "process", "draft", "summary", "sections"}
    assert snap["process"] == {"id": process.id, "title": process.title, "slug": process.slug}
    assert snap["draft"]["support_weight"] == 2 and snap["draft"]["status"] == "draft"
    summary = snap["summary"]
    assert (summary["ideas"], summary["accepted"], summary["supports"], summary["comments"]) == (4, 4, 4, 1)
    assert summary["participants"] == 3
    assert summary["channels"] == {"online": 2, "pinboard": 2}
    assert summary["workshops"] == [{"name": "Digital-Werkstatt", "held_on": "2026-05-03", "place": "Rathaus",
                                     "participants": 40}]
    names = [s["field"]["name"] if s["field"] else None for s in snap["sections"]]
    assert names == ["Bildung und Jugend", "Digitale Infrastruktur", "Kommunale Verwaltung", None]
    assert snap["sections"][0]["goals"] == ["Jedes Kind lernt digital", "Schulen haben WLAN"]
    first = snap["sections"][0]["measures"][0]
    assert first["number"] == "1.1" and first["reference"] == f"M-{first['id']}"
    # supports 1, dots = own 1 + idea's 4 workshop dots; combined = 2 * 1 + 3 * 5
    assert (first["supports"], first["dots"], first["combined"]) == (1, 5, 17)
    assert first["ideas"] == [{"id": ideas[0].id, "reference": ideas[0].reference, "title": ideas[0].title,
                               "support_count": 1, "workshop_dots": 4, "channel": "online"}]
    assert snap["sections"][3]["measures"][0]["number"] == "4.1"


def test_snapshot_costs_the_same_for_few_and_many_measures(app):
    _p, small, _i = _draft(measures_per_field=1)
    _p, large, _i = _draft(measures_per_field=8)
    counts = []
    for draft in (small, large):
        db.session.expire_all()
        draft = db.session.get(StrategyDraft, draft.id)
        with count_queries() as statements:
            draft_documents.snapshot(draft)
        counts.append(len(statements))
    assert len(large.measures) > 2 * len(small.measures)
    assert counts[0] == counts[1] <= 12


def test_print_view_costs_the_same_for_few_and_many_measures(client, auth):
    _p, small, _i = _draft(measures_per_field=1)
    _p, large, _i = _draft(measures_per_field=8)
    auth.login_as("team")
    client.get(f"/strategy/drafts/{small.id}/print")  # the first request of a test opens a transaction
    counts = []
    for draft in (small, large):
        with count_queries() as statements:
            assert client.get(f"/strategy/drafts/{draft.id}/print").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_markdown_escapes_user_text():
    assert draft_documents.md("a|b") == "a\\|b"
    assert draft_documents.md("# Titel") == "\\# Titel"
    assert draft_documents.md("1. Punkt") == "1\\. Punkt"
    html = markdown.markdown(draft_documents.md(XSS))
    assert "<script" not in html and "<em>" not in html and "<a " not in html
    assert "alert" in html


def test_markdown_document(client, auth, english):
    _process, draft, ideas = _draft()
    draft.measures[0].title = XSS
    db.session.commit()
    auth.login_as("team")
    text = client.get(f"/strategy/drafts/{draft.id}/export.md").get_data(as_text=True)
    assert text.startswith("# Digitalstrategie 2030\n")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[-4:] == ["## 1 Bildung und Jugend", "## 2 Digitale Infrastruktur",
                             "## 3 Kommunale Verwaltung", "## 4 Measures without an action field"]
    table = [line for line in text.splitlines() if line.startswith("| 1.1 ")][0]
    assert table.count(" | ") == 6  # the pipe inside the title is escaped, the row keeps 7 cells
    assert all(idea.reference in text for idea in ideas)
    html = markdown.markdown(text, extensions=["tables"])
    assert "<script" not in html and "<em>fett" not in html


def test_docx_document(client, auth, english):
    _process, draft, ideas = _draft()
    draft.measures[0].title = XSS
    db.session.commit()
    auth.login_as("team")
    doc = _docx(client.get(f"/strategy/drafts/{draft.id}/export.docx").data)
    assert doc.core_properties.title == "Digitalstrategie 2030"
    assert doc.core_properties.language.startswith("en")
    chapters = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert chapters[-4:] == ["1 Bildung und Jugend", "2 Digitale Infrastruktur", "3 Kommunale Verwaltung",
                             "4 Measures without an action field"]
    measures_table = doc.tables[2]
    header = measures_table.rows[0]
    assert [c.text for c in header.cells][:3] == ["No.", "Measure", "Priority"]
    assert header._tr.trPr.xpath("./w:tblHeader")  # repeated on every page
    assert measures_table.rows[1].cells[1].text == XSS  # stored as text, not as markup
    body = "\n".join(p.text for p in doc.paragraphs)
    assert all(idea.reference in body for idea in ideas)
    assert "Jedes Kind lernt digital" in body
    assert doc.sections[0].footer.paragraphs[0]._p.xpath(".//w:fldSimple[@w:instr='PAGE']")


def test_docx_is_german_by_default(client, auth, app):
    _process, draft, _ideas = _draft()
    auth.login_as("team")
    doc = _docx(client.get(f"/strategy/drafts/{draft.id}/export.docx").data)
    assert doc.core_properties.language == "de-DE"
    with app.test_request_context():
        pin_board = gettext("Pin board")  # "Pinnwand" once the catalogue is compiled
    assert pin_board in [row.cells[0].text for row in doc.tables[1].rows]


def test_frozen_version_renders_the_same_after_the_draft_changes(client, auth):
    _process, draft, _ideas = _draft()
    version = DraftVersion(draft_id=draft.id, label="Vorlage für den Stadtrat",
                           snapshot=draft_documents.snapshot(draft))
    db.session.add(version)
    db.session.commit()
    auth.login_as("team")
    markdown_before = client.get(f"/strategy/versions/{version.id}/export.md").data
    page_before = _article(client.get(f"/strategy/versions/{version.id}/print").data)
    draft = db.session.get(StrategyDraft, draft.id)
    draft.title = "Ganz anders"
    draft.measures[0].title = "Umbenannt"
    db.session.delete(draft.sections[0])
    db.session.commit()
    assert client.get(f"/strategy/versions/{version.id}/export.md").data == markdown_before
    page_after = _article(client.get(f"/strategy/versions/{version.id}/print").data)
    assert page_after == page_before
    assert b"Vorlage f\xc3\xbcr den Stadtrat" in page_after and b"Umbenannt" not in page_after
    live = client.get(f"/strategy/drafts/{draft.id}/print").data
    assert b"Ganz anders" in live and b"Umbenannt" in live
    docx = _docx(client.get(f"/strategy/versions/{version.id}/export.docx").data)
    assert "Digitalstrategie 2030" in [p.text for p in docx.paragraphs]


def test_print_view(client, auth, english):
    _process, draft, ideas = _draft()
    draft.measures[0].description = XSS
    db.session.commit()
    auth.login_as("team")
    response = client.get(f"/strategy/drafts/{draft.id}/print")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert 'class="draft-doc"' in html and "Musterstadt" in html
    assert html.index("1 Bildung und Jugend") < html.index("2 Digitale Infrastruktur")
    assert "<caption" in html and 'scope="col"' in html and 'class="doc-no">1.1<' in html
    assert all(idea.reference in html for idea in ideas)
    assert "print function" in html
    assert f"/strategy/drafts/{draft.id}/export.docx" in html


@pytest.mark.parametrize("fmt,mime", [("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                                      ("md", "text/markdown")])
def test_downloads(client, auth, caplog, fmt, mime):
    process, draft, _ideas = _draft()
    version = DraftVersion(draft_id=draft.id, label="v1", snapshot=draft_documents.snapshot(draft))
    db.session.add(version)
    db.session.commit()
    user = auth.login_as("admin")
    with caplog.at_level(logging.INFO):
        live = client.get(f"/strategy/drafts/{draft.id}/export.{fmt}")
        frozen = client.get(f"/strategy/versions/{version.id}/export.{fmt}")
    today = date.today().isoformat()
    assert live.mimetype == mime and frozen.mimetype == mime
    assert live.headers["Content-Disposition"] == f'attachment; filename="strategie-{process.slug}-{today}.{fmt}"'
    assert f"-version-{version.id}-" in frozen.headers["Content-Disposition"]
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ideenfenster.security"]
    assert [(e["event"], e["document"], e["id"], e["format"], e["user"]) for e in events] == [
        ("export", "draft", draft.id, fmt, user.id), ("export", "version", version.id, fmt, user.id)]
    if fmt == "md":
        assert "Digitalstrategie 2030" in live.get_data(as_text=True)


def test_unknown_format_and_ids_are_404(client, auth):
    _process, draft, _ideas = _draft()
    auth.login_as("team")
    for url in [f"/strategy/drafts/{draft.id}/export.pdf", f"/strategy/drafts/{draft.id + 99}/export.md",
                f"/strategy/drafts/{draft.id + 99}/print", "/strategy/versions/999/print",
                "/strategy/versions/999/export.docx", "/strategy/versions/999/export.exe"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role,status", [("citizen", 403), ("moderator", 403), ("team", 200), ("admin", 200)])
def test_only_the_team_sees_documents(client, auth, role, status):
    _process, draft, _ideas = _draft()
    auth.login_as(role)
    assert client.get(f"/strategy/drafts/{draft.id}/print").status_code == status
    assert client.get(f"/strategy/drafts/{draft.id}/export.docx").status_code == status


def test_anonymous_is_sent_to_login(client):
    _process, draft, _ideas = _draft()
    response = client.get(f"/strategy/drafts/{draft.id}/export.md")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _measure_rows(process, fmt="csv"):
    with force_locale("en"):
        data = exports.render("measures", fmt, process)
    if fmt == "xlsx":
        return [[c.value for c in row] for row in load_workbook(io.BytesIO(data)).active.iter_rows()]
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_measures_dataset(app):
    process, draft, ideas = _draft()
    draft.measures[0].title = "=HYPERLINK(\"http://evil.example\")"
    _other, other_draft, _o = _draft(title="Anderer Prozess")
    db.session.commit()
    header, *rows = _measure_rows(process)
    assert len(header) == 15 and header[1] == "Number" and header[-1] == "Source ideas"
    assert len(rows) == len(draft.measures)
    assert {row[0] for row in rows} == {"Digitalstrategie 2030"}
    first = rows[0]
    assert first[1] == "1.1" and first[3] == "Bildung und Jugend" and first[6] == "high"
    assert first[4].startswith("'=")  # neutralised
    assert first[11:14] == ["1", "5", "17"] and first[14] == ideas[0].reference
    assert rows[-1][1] == "4.1" and rows[-1][3] == ""
    cells = _measure_rows(process, "xlsx")
    assert cells[1][4].startswith("'=") and cells[1][13] == 17


def test_measures_export_on_the_command_line(client, auth, runner, tmp_path):
    process, _draft_, _ideas = _draft()
    auth.login_as("team")
    web = client.get(f"/exports/measures.csv?process={process.slug}")
    assert web.status_code == 200
    out = tmp_path / "measures.csv"
    result = runner.invoke(args=["export", "measures", "--process", process.slug, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == web.data
    assert b"M-" in web.data
