"""Analog ideas: staff write down pin-board notes one by one or import a whole sheet."""
import io
import re
import time
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from ideas import analog_import
from ideas.extensions import db
from ideas.models import ActionField, Channel, Idea, IdeaStatus, ModerationEvent, Process
from tests.conftest import make_process, make_user, sheet_bytes

NEW = "/moderation/analog/new"
IMPORT = "/moderation/analog/import"
TEMPLATE_CSV = "/moderation/analog/import/template.csv"
TEMPLATE_XLSX = "/moderation/analog/import/template.xlsx"
HEADER = ["title", "description", "channel", "date", "place", "field"]
GERMAN_HEADER = ["Titel", "Beschreibung", "Kanal", "Datum", "Ort", "Handlungsfeld"]


@pytest.fixture
def staff(client, auth):
    client.set_cookie("lang", "en")
    return auth.login_as("moderator")


def idea_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Idea))


def yesterday() -> date:
    return analog_import.today() - timedelta(days=1)


def note(n: int, channel="Pinnwand", day=None, field="f0") -> list[str]:
    day = day or yesterday()
    return [f"Pinnwand-Idee Nummer {n}", f"Auf Zettel {n} stand: mehr digitale Angebote in der Stadt.",
            channel, day.strftime("%d.%m.%Y"), "Pinnwand im Rathaus", field]


def csv_bytes(rows, header=HEADER, delimiter=",", bom=False) -> bytes:
    def quote(cell):
        cell = str(cell)
        return f'"{cell}"' if delimiter in cell or '"' in cell else cell
    text = "\r\n".join(delimiter.join(quote(c) for c in row) for row in [header, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    return sheet_bytes([header, *rows])


def upload(client, process, data: bytes, filename: str):
    return client.post(IMPORT, data={"process_id": str(process.id), "sheet": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def payload_of(response) -> str:
    match = re.search(r'name="payload" type="hidden" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the preview offers no import button"
    return match.group(1)


def confirm(client, payload: str):
    return client.post(IMPORT, data={"payload": payload, "confirm": "Import"})


# --- Access --------------------------------------------------------------------------------

ENDPOINTS = [("GET", NEW), ("POST", NEW), ("GET", IMPORT), ("POST", IMPORT),
             ("GET", TEMPLATE_CSV), ("GET", TEMPLATE_XLSX)]


@pytest.mark.parametrize("method,url", ENDPOINTS)
def test_anonymous_visitors_are_sent_to_the_login(client, method, url):
    make_process()
    response = client.open(url, method=method)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("method,url", ENDPOINTS)
def test_citizens_are_refused(client, auth, method, url):
    process = make_process()
    auth.login_as("citizen")
    data = {"process_id": str(process.id), "title": "Eine Idee von außen", "payload": "x"}
    assert client.open(url, method=method, data=data).status_code == 403
    assert idea_count() == 0


@pytest.mark.parametrize("role", ["moderator", "team", "admin"])
def test_staff_open_both_pages(client, auth, role):
    make_process()
    auth.login_as(role)
    assert client.get(NEW).status_code == 200
    assert client.get(IMPORT).status_code == 200


def test_pages_say_so_when_there_is_no_process(client, staff):
    assert b"no participation process yet" in client.get(NEW).data
    assert b"no participation process yet" in client.get(IMPORT).data


# --- One idea at a time ---------------------------------------------------------------------

def entry(process, **changes) -> dict:
    data = {
        "process_id": str(process.id), "title": "Mehr Radwege zum Bahnhof",
        "body": "Auf dem Zettel an der Pinnwand: sichere Radwege vom Oberdorf zum Bahnhof.",
        "channel": "pinboard", "collected_on": yesterday().isoformat(), "place": "Pinnwand im Rathaus",
        "action_field": str(process.action_fields[1].id), "note": "Zettel 7, abgeschrieben von Mia",
        "submit": "Save idea",
    }
    data.update(changes)
    return data


def test_a_pin_board_note_becomes_a_published_idea_without_author(client, staff):
    process = make_process(ideas_open=False)  # the online phase is over; the pin board is not
    response = client.post(NEW, data=entry(process))
    idea = db.session.scalars(select(Idea)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/moderation/ideas/{idea.id}")
    assert idea.status == IdeaStatus.published and idea.published_at is not None
    assert idea.author_id is None and idea.entered_by_id == staff.id
    assert idea.channel == Channel.pinboard
    day = yesterday()
    assert idea.analog_date == datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
    assert idea.analog_place == "Pinnwand im Rathaus"
    assert idea.analog_note == "Zettel 7, abgeschrieben von Mia"
    assert idea.action_field_id == process.action_fields[1].id
    assert idea.reference and idea.reference.endswith(f"{idea.id:05d}")
    event = db.session.scalars(select(ModerationEvent).where(ModerationEvent.idea_id == idea.id)).one()
    assert event.actor_id == staff.id and event.to_status == IdeaStatus.published
    page = client.get(f"/moderation/ideas/{idea.id}").get_data(as_text=True)
    assert "Pinnwand im Rathaus" in page and "Zettel 7" in page
    found = client.get(f"/ideas?process={process.slug}&q=Radwege").get_data(as_text=True)
    assert "Mehr Radwege zum Bahnhof" in found


def test_the_action_field_may_be_left_open(client, staff):
    process = make_process()
    assert client.post(NEW, data=entry(process, action_field="0")).status_code == 302
    assert db.session.scalars(select(Idea)).one().action_field_id is None


def test_save_and_enter_another_keeps_process_channel_date_and_place(client, staff):
    make_process(title="Ältere Beteiligung")
    process = make_process(title="Neue Beteiligung")
    older = db.session.scalars(select(ActionField).where(ActionField.process_id != process.id)).first()
    data = entry(db.session.get(Process, older.process_id), channel="school",
                 action_field=str(older.id), submit=None, submit_another="Save and enter another")
    data.pop("submit")
    response = client.post(NEW, data=data)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "/moderation/analog/new?" in location and "channel=school" in location
    page = client.get(location).get_data(as_text=True)
    assert f'<option selected value="{older.process_id}">' in page
    assert '<option selected value="school">' in page
    assert f'value="{yesterday().isoformat()}"' in page
    assert 'value="Pinnwand im Rathaus"' in page
    assert 'autofocus' in page
    assert "Saved and published as No." in page


def test_newest_process_is_chosen_by_default(client, staff):
    make_process(title="Ältere Beteiligung")
    newest = make_process(title="Neue Beteiligung")
    assert f'<option selected value="{newest.id}">' in client.get(NEW).get_data(as_text=True)


@pytest.mark.parametrize("changes,message", [
    ({"collected_on": "2999-01-01"}, "The date lies in the future."),
    ({"collected_on": "31.02.2026"}, "Please enter the date as DD.MM.YYYY"),
    ({"title": "Radweg"}, "The title must be between 10 and 120 characters long."),
    ({"body": "Zu kurz"}, "The description must be between 20 and 3000 characters long."),
    ({"channel": "online"}, "Not a valid choice"),
    ({"place": "P" * 121}, "The place can have at most 120 characters."),
    ({"note": "N" * 501}, "The note can have at most 500 characters."),
    ({"action_field": "abc"}, "Invalid Choice"),
])
def test_invalid_entries_are_explained_and_nothing_is_saved(client, staff, changes, message):
    process = make_process()
    response = client.post(NEW, data=entry(process, **changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert idea_count() == 0


def test_an_action_field_of_another_process_is_refused(client, staff):
    process = make_process()
    other = make_process()
    response = client.post(NEW, data=entry(process, action_field=str(other.action_fields[0].id)))
    assert response.status_code == 422
    assert "This action field belongs to another process." in response.get_data(as_text=True)
    assert idea_count() == 0


def test_no_personal_data_is_asked_for(client, staff):
    make_process()
    page = client.get(NEW).get_data(as_text=True)
    assert 'type="email"' not in page and "author" not in page.lower()


# --- Importing a sheet ----------------------------------------------------------------------

def test_csv_with_semicolons_bom_and_german_headers(client, staff):
    process = make_process()
    rows = [note(1, "Pinnwand", field="Bildung und Jugend"), note(2, "sprechstunde", field="f2"),
            note(3, "Letter or phone", day=date(2025, 12, 24), field="")]
    rows[2][3] = "2025-12-24"
    data = csv_bytes(rows, header=GERMAN_HEADER, delimiter=";", bom=True)
    preview = upload(client, process, data, "pinnwand.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert html.count('class="row-valid"') == 3
    assert "Import 3 ideas" in html
    assert idea_count() == 0  # the preview writes nothing

    response = confirm(client, payload_of(preview))
    assert response.status_code == 302 and response.headers["Location"].endswith(IMPORT)
    ideas = db.session.scalars(select(Idea).order_by(Idea.id)).all()
    assert [i.channel for i in ideas] == [Channel.pinboard, Channel.office_hours, Channel.letter_phone]
    assert [i.action_field.slug if i.action_field else None for i in ideas] == ["f1", "f2", None]
    assert ideas[2].analog_date.date() == date(2025, 12, 24)
    assert all(i.author_id is None and i.entered_by_id == staff.id and i.status == IdeaStatus.published
               for i in ideas)
    assert all(i.analog_place == "Pinnwand im Rathaus" for i in ideas)
    assert "3 ideas have been imported" in client.get(IMPORT).get_data(as_text=True)


def test_csv_with_commas_english_headers_and_a_note_column(client, staff):
    process = make_process()
    data = csv_bytes([["Free Wi-Fi in the library", "The library needs free Wi-Fi, said a visitor.",
                       "office_hours", "2026-01-15", "", "", "asked at the counter"]],
                     header=HEADER + ["Note"])
    preview = upload(client, process, data, "ideas.CSV")
    assert preview.status_code == 200
    confirm(client, payload_of(preview))
    idea = db.session.scalars(select(Idea)).one()
    assert idea.channel == Channel.office_hours and idea.analog_place is None
    assert idea.analog_note == "asked at the counter"


def test_xlsx_with_twenty_pin_board_ideas(client, staff):
    process = make_process(ideas_open=False)
    rows = [note(n) for n in range(1, 21)]
    rows[0][3] = yesterday()  # a real date cell, as Excel stores a typed date
    preview = upload(client, process, xlsx_bytes(rows), "pinnwand.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert html.count('class="row-valid"') == 20
    assert 'id="row-2"' in html and 'id="row-21"' in html
    assert idea_count() == 0

    assert confirm(client, payload_of(preview)).status_code == 302
    ideas = db.session.scalars(select(Idea)).all()
    assert len(ideas) == 20
    assert {i.channel for i in ideas} == {Channel.pinboard}
    assert {i.entered_by_id for i in ideas} == {staff.id}
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent)) == 20
    assert len({i.reference for i in ideas}) == 20
    assert {i.analog_date.date() for i in ideas} == {yesterday()}


def test_one_bad_row_among_twenty_stops_the_whole_import(client, staff):
    process = make_process()
    rows = [note(n) for n in range(1, 21)]
    rows[10][3] = "31.02.2026"  # sheet row 12: header is row 1
    preview = upload(client, process, xlsx_bytes(rows), "pinnwand.xlsx")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "1 row has errors" in html
    assert "Row 12, column “date”:" in html
    assert "“31.02.2026” is not a date." in html
    assert 'class="row-invalid"' in html and html.count('class="row-valid"') == 19
    assert "fix the file and upload it again" in html
    assert 'name="payload"' not in html
    assert idea_count() == 0

    # Even a payload signed for the bad sheet is checked again and refused.
    with client.application.test_request_context():
        sheet = analog_import.read_sheet("x.xlsx", xlsx_bytes(rows))
        token = analog_import.sign(process, staff, sheet)
    response = confirm(client, token)
    assert response.status_code == 409
    assert "Nothing has been imported" in response.get_data(as_text=True)
    assert idea_count() == 0


def test_row_numbers_are_those_of_the_sheet_even_after_blank_rows(client, staff):
    process = make_process()
    rows = [note(1), ["", "", "", "", "", ""], note(2, channel="Fax")]
    html = upload(client, process, csv_bytes(rows), "x.csv").get_data(as_text=True)
    assert "Row 4, column “channel”:" in html
    assert "“Fax” is not a channel we know." in html


@pytest.mark.parametrize("cell,column,message", [
    ("", "title", "The title is missing."),
    ("online", "channel", "Online ideas cannot be imported"),
    ("Handlungsfeld X", "field", "“Handlungsfeld X” is not an action field of this process."),
    ("2999-01-01", "date", "The date lies in the future."),
    ("1899-01-01", "date", "Please check the year"),
])
def test_row_errors_in_plain_words(client, staff, cell, column, message):
    process = make_process()
    row = note(1)
    row[HEADER.index(column)] = cell
    html = upload(client, process, csv_bytes([row]), "x.csv").get_data(as_text=True)
    assert f"Row 2, column “{column}”:" in html
    assert message in html


def test_a_formula_is_imported_as_its_text_and_never_evaluated(client, staff):
    process = make_process()
    formula = '=HYPERLINK("https://evil.example","Mehr Radwege bitte")'
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(note(1))
    sheet["A2"] = formula  # a real formula cell, without a cached value
    sheet["F2"] = "=1+1"    # would be "2" if anything evaluated it
    text_cell = sheet["B2"]
    text_cell.value = "=Text, der mit einem Gleichheitszeichen beginnt."
    text_cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    preview = upload(client, process, out.getvalue(), "formula.xlsx")
    assert "“=1+1” is not an action field" in preview.get_data(as_text=True)

    sheet["F2"] = "f0"
    out = io.BytesIO()
    workbook.save(out)
    preview = upload(client, process, out.getvalue(), "formula.xlsx")
    assert preview.status_code == 200
    confirm(client, payload_of(preview))
    idea = db.session.scalars(select(Idea)).one()
    assert idea.title == formula
    assert idea.body_source.startswith("=Text")


def test_a_cached_formula_value_is_what_excel_showed(app):
    # What Excel writes for =A1&"": the formula and the value it last showed.
    data = xlsx_bytes([["x"] * 6])
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<c r="A2" t="inlineStr"><is><t>x</t></is></c>',
                                 b'<c r="A2" t="str"><f>CONCAT("Mehr ","Radwege")</f><v>Mehr Radwege</v></c>',
                                 content)
                assert b"CONCAT" in content
            dst.writestr(item, content)
    with app.test_request_context():
        sheet = analog_import.read_sheet("x.xlsx", patched.getvalue())
    assert sheet.rows[0][1]["title"] == "Mehr Radwege"


@pytest.mark.parametrize("data,filename,message", [
    (b"\x00\x01garbage\xff" * 100, "pinnwand.xlsx", "could not be read as an Excel file"),
    (b"PK\x03\x04" + b"\x00" * 200, "pinnwand.xlsx", "could not be read as an Excel file"),
    (b"", "pinnwand.csv", "The file is empty."),
    (b"\xef\xbb\xbf\r\n", "pinnwand.csv", "The file is empty."),
    ("title,description\nä".encode("latin-1"), "pinnwand.csv", "not saved as UTF-8"),
    (b"%PDF-1.7", "pinnwand.pdf", "Please upload a CSV file (.csv) or an Excel file (.xlsx)."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "pinnwand.xls", "old Excel file (.xls)"),
    (b"title;description;channel\nA;B;C\n", "pinnwand.csv", "These columns are missing: Date."),
    (b"title;description;channel;date\n", "pinnwand.csv", "no rows with ideas"),
    (b"title;title;channel;date\n", "pinnwand.csv", "The column “title” appears twice"),
    (b'title,description,channel,date\n"open quote,x,y,z\n', "pinnwand.csv", None),
])
def test_unusable_files_get_a_friendly_error(client, staff, data, filename, message):
    process = make_process()
    response = upload(client, process, data, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    if message:
        assert message in html
    assert 'name="payload"' not in html
    assert idea_count() == 0


def test_missing_column_in_an_xlsx_file(client, staff):
    process = make_process()
    response = upload(client, process, xlsx_bytes([note(1)[:3]], header=HEADER[:3]), "x.xlsx")
    assert response.status_code == 422
    assert "These columns are missing: Date." in response.get_data(as_text=True)


def test_no_file_chosen(client, staff):
    process = make_process()
    response = client.post(IMPORT, data={"process_id": str(process.id)}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Please choose a file." in response.get_data(as_text=True)


@pytest.mark.parametrize("process_id", ["abc", "999999", "", "99999999999999999999"])
def test_an_unknown_process_is_a_form_error(client, staff, process_id):
    make_process()
    response = client.post(IMPORT, data={"process_id": process_id, "sheet": (io.BytesIO(csv_bytes([note(1)])), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert idea_count() == 0


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(client, staff):
    process = make_process()
    response = upload(client, process, b"x" * (3 * 1024 * 1024), "huge.csv")
    assert response.status_code == 413
    assert idea_count() == 0


def test_more_than_1000_rows_are_refused(client, staff):
    process = make_process()
    response = upload(client, process, csv_bytes([note(n) for n in range(1001)]), "many.csv")
    assert response.status_code == 422
    assert "more than 1,000 rows" in response.get_data(as_text=True)


def test_1000_rows_are_accepted(app):
    rows = [note(n) for n in range(1000)] + [[""] * 6] * 5
    with app.test_request_context():
        assert len(analog_import.read_sheet("x.xlsx", xlsx_bytes(rows)).rows) == 1000
        assert len(analog_import.read_sheet("x.csv", csv_bytes(rows)).rows) == 1000


def test_a_file_over_2_mb_is_refused(client, staff):
    process = make_process()
    data = csv_bytes([note(1)]) + b"x" * (2 * 1024 * 1024)
    response = upload(client, process, data, "big.csv")
    assert response.status_code == 422
    assert "larger than 2 MB" in response.get_data(as_text=True)


def test_zip_bombs_are_not_unpacked(client, staff):
    process = make_process()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx_bytes([note(1)]))) as real:
            for item in real.infolist():
                archive.writestr(item.filename, real.read(item))
        archive.writestr("xl/padding.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(bomb.getvalue()) < 2 * 1024 * 1024
    response = upload(client, process, bomb.getvalue(), "bomb.xlsx")
    assert response.status_code == 422
    assert "unusually large when unpacked" in response.get_data(as_text=True)


def test_tampered_payload_is_refused(client, staff):
    process = make_process()
    preview = upload(client, process, csv_bytes([note(1)]), "x.csv")
    payload = payload_of(preview)
    forged = URLSafeTimedSerializer("guessed-secret", salt="analog-import").dumps(
        {"process": process.id, "user": staff.id, "headers": {}, "rows": [[2, note(1) + [""]]]})
    for token in (payload[:-2] + ("AA" if not payload.endswith("AA") else "BB"), forged, "", "x" * 50):
        response = confirm(client, token)
        assert response.status_code == 400
        assert idea_count() == 0
    assert "upload the file again" in response.get_data(as_text=True)


def test_a_payload_made_for_someone_else_is_refused(client, auth, staff):
    process = make_process()
    payload = payload_of(upload(client, process, csv_bytes([note(1)]), "x.csv"))
    auth.login_as(make_user(role="moderator"))
    response = confirm(client, payload)
    assert response.status_code == 400
    assert "made for someone else" in response.get_data(as_text=True)
    assert idea_count() == 0


def test_an_old_preview_is_refused(client, staff, monkeypatch):
    process = make_process()
    with client.application.test_request_context():
        sheet = analog_import.read_sheet("x.csv", csv_bytes([note(1)]))
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 2 * 3600)
        payload = analog_import.sign(process, staff, sheet)
        monkeypatch.undo()
    response = confirm(client, payload)
    assert response.status_code == 400
    assert "more than an hour old" in response.get_data(as_text=True)
    assert idea_count() == 0


def test_importing_twice_is_refused(client, staff):
    process = make_process()
    payload = payload_of(upload(client, process, csv_bytes([note(1), note(2)]), "x.csv"))
    assert confirm(client, payload).status_code == 302
    response = confirm(client, payload)
    assert response.status_code == 409
    assert "exists already" in response.get_data(as_text=True)
    assert idea_count() == 2
    again = upload(client, process, csv_bytes([note(1)]), "x.csv")
    assert again.status_code == 422 and "exists already" in again.get_data(as_text=True)


def test_upload_needs_a_csrf_token_like_every_form(client, auth, app):
    client.set_cookie("lang", "en")
    process = make_process()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(IMPORT, data={"x": "1"}).status_code == 400  # before the login guard, as elsewhere
        auth.login_as("moderator")
        response = upload(client, process, csv_bytes([note(1)]), "x.csv")
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
        assert confirm(client, "x").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert idea_count() == 0


def test_the_template_downloads_and_imports_cleanly(client, staff):
    process = make_process(fields=0)
    for i, (name, slug) in enumerate([("Digitale Infrastruktur", "digitale-infrastruktur"),
                                      ("Silberne Gesellschaft", "silberne-gesellschaft")]):
        db.session.add(ActionField(process_id=process.id, name=name, slug=slug, position=i))
    db.session.commit()
    page = client.get(IMPORT).get_data(as_text=True)
    assert TEMPLATE_CSV in page and TEMPLATE_XLSX in page

    csv_file = client.get(TEMPLATE_CSV)
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert csv_file.data.startswith("\ufeffTitel;Beschreibung;Kanal;Datum".encode())
    xlsx_file = client.get(TEMPLATE_XLSX)
    assert xlsx_file.status_code == 200
    assert load_workbook(io.BytesIO(xlsx_file.data)).active["A1"].value == "Titel"

    for data, name in ((csv_file.data, "vorlage.csv"), (xlsx_file.data, "vorlage.xlsx")):
        preview = upload(client, process, data, name)
        assert preview.status_code == 200, preview.get_data(as_text=True)
        assert preview.get_data(as_text=True).count('class="row-valid"') == 2
    confirm(client, payload_of(preview))
    ideas = db.session.scalars(select(Idea).order_by(Idea.id)).all()
    assert [i.channel for i in ideas] == [Channel.pinboard, Channel.office_hours]
    assert [i.action_field.slug for i in ideas] == ["digitale-infrastruktur", "silberne-gesellschaft"]


def test_imported_text_is_sanitised(client, staff):
    process = make_process()
    row = note(1)
    row[0] = "<script>alert(1)</script> Mehr Radwege"
    row[1] = '<img src=x onerror=alert(1)> Radwege überall, bitte! {{7*7}}'
    preview = upload(client, process, csv_bytes([row]), "x.csv")
    html = preview.get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    confirm(client, payload_of(preview))
    idea = db.session.scalars(select(Idea)).one()
    assert "<img" not in idea.body_html and "<script" not in idea.title.replace("<script>alert(1)</script>", "")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


def test_channel_words_in_both_languages(app):
    with app.test_request_context():
        for text, channel in [("Pinnwand", Channel.pinboard), ("PIN BOARD", Channel.pinboard),
                              ("pinboard", Channel.pinboard), ("Sprechstunde", Channel.office_hours),
                              ("office-hours", Channel.office_hours), ("Werkstatt", Channel.workshop),
                              ("Schule", Channel.school), ("Brief oder Telefon", Channel.letter_phone),
                              ("letter_phone", Channel.letter_phone), ("Veranstaltung", Channel.event),
                              ("event", Channel.event)]:
            assert analog_import.channel_from_text(text) == channel, text
        assert analog_import.channel_from_text("Fax") is None


def test_dates_in_both_notations(app):
    assert analog_import.date_from_text("14.03.2026") == date(2026, 3, 14)
    assert analog_import.date_from_text("4.3.2026") == date(2026, 3, 4)
    assert analog_import.date_from_text("2026-03-14") == date(2026, 3, 14)
    for text in ("31.02.2026", "2026/03/14", "14.03.26", "morgen", ""):
        assert analog_import.date_from_text(text) is None
