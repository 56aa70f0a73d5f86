"""Team exports: safe to open in Excel, free of e-mail addresses, only for the team, same on web and CLI."""
import csv
import io
import json
import logging

import pytest
from openpyxl import load_workbook

from ideas import discussion, exports, workflow
from ideas.extensions import db
from ideas.models import IdeaStatus, utcnow
from tests.conftest import make_idea, make_process, make_user

DANGEROUS = ["=HYPERLINK(\"http://evil.example\")", "+SUM(1;2)", "-2+3", "@SUM(A1)"]


def _data():
    process = make_process(mode="pre")
    author = make_user(email="idea.author@secret-mail.example", display_name="Anna Autorin")
    commenter = make_user(email="commenter@secret-mail.example", display_name="Carl Kommentar")
    idea = make_idea(process=process, author=author, status=IdeaStatus.pending, title=DANGEROUS[0],
                     body=DANGEROUS[1], district=DANGEROUS[3])
    workflow.change_status(idea, IdeaStatus.published, None)
    idea.answer_html = "<p>Wir prüfen das.</p>"
    idea.answer_published_at = utcnow()
    parent = discussion.add_comment(commenter, idea, DANGEROUS[2])
    discussion.add_comment(author, idea, DANGEROUS[3], parent)
    make_idea(process=process, author=author, status=IdeaStatus.pending, title="Noch nicht geprüft")
    db.session.commit()
    return process, idea


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _xlsx_cells(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    return [cell for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+49 170", "'+49 170"), ("-x", "'-x"), ("@x", "'@x"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Markt", "Markt"), (-3, -3), (None, ""),
])
def test_safe_cell_neutralises_formulas(value, expected):
    assert exports.safe_cell(value) == expected


@pytest.mark.parametrize("dataset", ["ideas", "comments"])
def test_csv_export_neutralises_formulas(app, dataset):
    process, _idea = _data()
    rows = _csv_rows(exports.render(dataset, "csv", process))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any(cell.startswith("'") for cell in cells)


@pytest.mark.parametrize("dataset", ["ideas", "comments"])
def test_xlsx_export_has_no_live_formula(app, dataset):
    process, _idea = _data()
    cells = _xlsx_cells(exports.render(dataset, "xlsx", process))
    assert all(cell.data_type != "f" for cell in cells)
    texts = [cell.value for cell in cells if isinstance(cell.value, str)]
    assert any(value.startswith("'") and value.lstrip("'") in DANGEROUS for value in texts)


def test_ideas_export_columns(app):
    process, idea = _data()
    idea.workshop_dots, idea.dot_points = 3, 7
    db.session.commit()
    header, *rows = _csv_rows(exports.render("ideas", "csv", process))
    assert len(rows) == 2  # the pending idea is there for the team
    assert len(header) == 16
    assert rows[0][0] == idea.reference
    assert "Wir prüfen das." in rows[0]
    assert rows[0][11:13] == ["3", "7"]  # workshop dots, then online points
    assert rows[0][13] == idea.created_at.date().isoformat()


def test_comments_export_names_deleted_accounts_and_replies(app):
    process, idea = _data()
    _header, first, reply = _csv_rows(exports.render("comments", "csv", process))
    assert reply[2] == first[0]
    assert first[1] == idea.reference
    assert first[3] == "Carl Kommentar"


@pytest.mark.parametrize("dataset", ["ideas", "comments"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_contain_no_email_addresses(app, dataset, fmt):
    process, _idea = _data()
    data = exports.render(dataset, fmt, process)
    if fmt == "xlsx":
        text = " ".join(str(c.value) for c in _xlsx_cells(data))
    else:
        text = data.decode("utf-8-sig")
    assert "secret-mail" not in text and "@example" not in text


@pytest.mark.parametrize("url", ["/exports/ideas.csv", "/exports/comments.xlsx"])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["citizen", "moderator"])
def test_citizens_and_moderators_may_not_export(client, auth, role):
    auth.login_as(role)
    assert client.get("/exports/ideas.csv").status_code == 403


@pytest.mark.parametrize("role", ["team", "admin"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_team_and_admin_download(client, auth, role, fmt, caplog):
    process, _idea = _data()
    user = auth.login_as(role)
    with caplog.at_level(logging.INFO):
        response = client.get(f"/exports/ideas.{fmt}?process={process.slug}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"ideas-{process.slug}-" in disposition
    assert response.mimetype == exports.MIME[fmt].split(";")[0]
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ideenfenster.security"]
    assert {"event": "export", "dataset": "ideas", "format": fmt, "user": user.id}.items() <= events[-1].items()


@pytest.mark.parametrize("url", ["/exports/users.csv", "/exports/ideas.pdf", "/exports/ideas.csv?process=nope"])
def test_unknown_export_is_404(client, auth, url):
    auth.login_as("team")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("dataset", ["ideas", "comments"])
def test_cli_export_equals_web_export(client, auth, runner, tmp_path, dataset):
    process, _idea = _data()
    auth.login_as("team")
    web = client.get(f"/exports/{dataset}.csv?process={process.slug}").data
    out = tmp_path / "export.csv"
    result = runner.invoke(args=["export", dataset, "--format", "csv", "--process", process.slug,
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == web


def test_cli_export_unknown_process(runner):
    result = runner.invoke(args=["export", "ideas", "--process", "nope"])
    assert result.exit_code != 0
    assert "nope" in result.output
