"""Analog ideas from a sheet: read a CSV or XLSX file, check every row, enter the ideas.

No views here: ideas/moderation/analog.py uploads, previews and confirms. The file is never
trusted: every cell is plain text, formulas are never evaluated, sizes and rows are capped
before anything is parsed, and the rows are checked again right before they are imported.
"""
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale, format_number
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from ideas import workflow
from ideas.extensions import db
from ideas.forms import BODY_MAX, BODY_MIN, TITLE_MAX, TITLE_MIN
from ideas.labels import CHANNEL
from ideas.models import ActionField, Channel, Idea, Process, User
from ideas.sanitize import clean_text

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
# Blank rows between and after the ideas are skipped, but only this many rows are looked at.
MAX_SCANNED_ROWS = 20 * MAX_ROWS
MAX_COLUMNS = 50
# An XLSX file is a zip archive; its parts may unpack to at most this much (zip bombs).
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
PLACE_MAX, NOTE_MAX = 120, 500
EARLIEST = date(2000, 1, 1)
SIGNATURE_SALT = "analog-import"
SIGNATURE_MAX_AGE = 3600
ANALOG_CHANNELS = tuple(c for c in Channel if c != Channel.online)

COLUMNS = ("title", "description", "channel", "date", "place", "field", "note")
REQUIRED = ("title", "description", "channel", "date")
COLUMN_LABEL = {
    "title": _l("Title"),
    "description": _l("Description"),
    "channel": _l("Channel"),
    "date": _l("Date"),
    "place": _l("Place"),
    "field": _l("Action field"),
    "note": _l("Note"),
}
# Column names as people write them, English and German, after header_key().
HEADER_ALIASES = {
    "title": "title", "titel": "title", "überschrift": "title",
    "description": "description", "beschreibung": "description", "text": "description",
    "channel": "channel", "kanal": "channel",
    "date": "date", "datum": "date",
    "place": "place", "ort": "place",
    "field": "field", "action field": "field", "handlungsfeld": "field",
    "note": "note", "notiz": "note", "anmerkung": "note", "hinweis": "note",
}
# Everyday words for the channels beyond their labels in each language.
CHANNEL_ALIASES = {
    "pin board": Channel.pinboard, "pinnwand": Channel.pinboard, "stellwand": Channel.pinboard,
    "sprechstunde": Channel.office_hours, "bürgersprechstunde": Channel.office_hours,
    "werkstatt": Channel.workshop, "workshop": Channel.workshop,
    "schule": Channel.school, "jugendworkshop": Channel.school, "jugend": Channel.school,
    "brief": Channel.letter_phone, "telefon": Channel.letter_phone, "letter": Channel.letter_phone,
    "phone": Channel.letter_phone, "brief telefon": Channel.letter_phone,
    "veranstaltung": Channel.event,
}
_SEPARATORS = re.compile(r"[\s_\-/]+")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class SheetError(Exception):
    """The file as a whole cannot be used; the message tells the person what to do."""


@dataclass
class Sheet:
    """The cells of a sheet as text: the header per column and the rows with ideas."""

    headers: dict[str, str]  # column -> the header as written in the file
    rows: list[tuple[int, dict[str, str]]]  # (row number in the sheet, column -> text)
    ignored: list[str] = dataclass_field(default_factory=list)  # headers of columns we do not know


@dataclass
class Row:
    """One checked row: its values, ready for the workflow, and what is wrong with it."""

    number: int
    cells: dict[str, str]
    title: str = ""
    body: str = ""
    channel: Channel | None = None
    collected_on: date | None = None
    place: str | None = None
    field: ActionField | None = None
    note: str | None = None
    errors: list[tuple[str, str]] = dataclass_field(default_factory=list)  # (column, message)

    @property
    def valid(self) -> bool:
        return not self.errors


# --- Reading the file -----------------------------------------------------------------------

def read_sheet(filename: str, data: bytes) -> Sheet:
    """The sheet in an uploaded file, or a SheetError saying what is wrong with the file."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise SheetError(_l("This is an old Excel file (.xls). Please save it as .xlsx or as "
                            "“CSV UTF-8” and upload it again."))
    if extension not in ("csv", "txt", "xlsx"):
        raise SheetError(_l("Please upload a CSV file (.csv) or an Excel file (.xlsx)."))
    if not data.replace(b"\xef\xbb\xbf", b"").strip():
        raise SheetError(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise SheetError(_l("The file is larger than 2 MB. Please split it into several files."))
    if extension == "xlsx":
        return _to_sheet(xlsx_rows(data))
    if data.startswith(b"PK\x03\x04"):
        raise SheetError(_l("This looks like an Excel file. Please upload it with the ending "
                            ".xlsx, or save it as “CSV UTF-8”."))
    return _to_sheet(csv_rows(data))


def csv_rows(data: bytes):
    """(row number, cells) of a UTF-8 CSV file, separated by semicolons or commas."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(_l("The file is not saved as UTF-8, so umlauts would be garbled. In "
                            "Excel, choose “CSV UTF-8” when saving, or upload the .xlsx file.")) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, cells[:MAX_COLUMNS]
    except csv.Error:
        raise SheetError(_l("The CSV file could not be read near row %(row)d. Please check it "
                            "for a quotation mark that is not closed.", row=number + 1)) from None


def xlsx_rows(data: bytes):
    """(row number, cells) of the first worksheet; formulas are read, never calculated.

    A cell holds what Excel last showed (its cached value); a formula nobody calculated yet
    is taken as its text. Either way it is only text for us.
    """
    _check_zip(data)
    shown = _xlsx_values(data, data_only=True)
    written = _xlsx_values(data, data_only=False)
    for (number, values), (_, formulas) in zip(shown, written):
        yield number, [value if value != "" else formula
                       for value, formula in zip(values, formulas)]


def _check_zip(data: bytes) -> None:
    """Refuse broken archives and archives that would unpack to far more than they weigh."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SheetError(_BROKEN_XLSX) from None
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise SheetError(_l("This Excel file is unusually large when unpacked. Please copy the "
                            "rows with ideas into a new file and upload that."))


_BROKEN_XLSX = _l("This file could not be read as an Excel file. Please open it in Excel or "
                  "LibreOffice, save it again as .xlsx and upload it again.")


def _xlsx_values(data: bytes, data_only: bool):
    # zipfile never unpacks more than an entry's declared size, which _check_zip has capped.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only,
                                 keep_links=False, keep_vba=False, rich_text=False)
    except Exception:  # noqa: BLE001 - any failure of the parser on an untrusted file
        raise SheetError(_BROKEN_XLSX) from None
    try:
        if not workbook.worksheets:
            raise SheetError(_l("The Excel file has no worksheet."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the size written in the file may be wrong; read what is there
        rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
        for number, values in enumerate(rows, start=1):
            yield number, [_cell_text(v) for v in values]
    except SheetError:
        raise
    except Exception:  # noqa: BLE001 - a broken sheet inside a readable archive
        raise SheetError(_BROKEN_XLSX) from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """Whatever a cell holds, as the text a person would read."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "text"):  # array formulas come as objects holding their text
        return str(value.text or "")
    return str(value)


def header_key(text: str) -> str:
    text = text.replace("\ufeff", "").strip().strip("*:").casefold()
    return _SEPARATORS.sub(" ", text).strip()


def _to_sheet(numbered_rows) -> Sheet:
    """Map the header row to our columns and collect the non-blank rows below it."""
    numbered_rows = iter(numbered_rows)
    header_cells = next(numbered_rows, (1, []))[1]
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    ignored = []
    for position, text in enumerate(header_cells):
        text = clean_text(text)
        if not text:
            continue
        column = HEADER_ALIASES.get(header_key(text))
        if column is None:
            ignored.append(text)
        elif column in headers:
            raise SheetError(_l("The column “%(name)s” appears twice in the first row.", name=text))
        else:
            headers[column], positions[column] = text, position
    missing = [str(COLUMN_LABEL[c]) for c in REQUIRED if c not in headers]
    if missing:
        raise SheetError(_l("These columns are missing: %(columns)s. The first row must hold the "
                            "column names, as in the template.", columns=", ".join(missing)))
    rows = []
    for number, cells in numbered_rows:
        if number > MAX_SCANNED_ROWS:
            raise SheetError(_l("The sheet has too many rows, most of them empty. Please copy the "
                                "rows with ideas into a new file and upload that."))
        if len(rows) >= MAX_ROWS and any(c.strip() for c in cells):
            raise SheetError(_l("The file has more than %(max)s rows with ideas. Please split it "
                                "into several files.", max=format_number(MAX_ROWS)))
        values = {c: (cells[p] if p < len(cells) else "") for c, p in positions.items()}
        if any(v.strip() for v in values.values()):
            rows.append((number, values))
    if not rows:
        raise SheetError(_l("The file has no rows with ideas below the row with the column names."))
    return Sheet(headers=headers, rows=rows, ignored=ignored)


# --- Checking the rows ----------------------------------------------------------------------

def today() -> date:
    """Today in the town's time zone: a note from this evening is not from the future."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def collected_at(day: date) -> datetime:
    """Idea.analog_date for a calendar day: noon UTC, which is the same day in all of Europe.

    We only know the day, not the hour; noon keeps the day unchanged whichever time zone
    the date is shown in, without pretending to know when the note was written.
    """
    return datetime.combine(day, time(12), tzinfo=timezone.utc)


def channel_from_text(text: str) -> Channel | None:
    """A channel from its value, its label in any of our languages, or a common word for it."""
    key = _SEPARATORS.sub(" ", text.casefold()).strip()
    if not key:
        return None
    known = dict(CHANNEL_ALIASES)
    for channel in Channel:
        known[_SEPARATORS.sub(" ", channel.value)] = channel
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            for channel, label in CHANNEL.items():
                known.setdefault(_SEPARATORS.sub(" ", str(label).casefold()), channel)
    return known.get(key)


def date_from_text(text: str) -> date | None:
    """A date written as YYYY-MM-DD or DD.MM.YYYY; None if it is neither or does not exist."""
    text = text.strip()
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        match = _GERMAN_DATE.match(text)
        if not match:
            return None
        day, month, year = match.groups()
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def date_problem(day: date) -> str | None:
    """Why a collection date cannot be right, if it cannot."""
    if day > today():
        return _l("The date lies in the future.")
    if day < EARLIEST:
        return _l("Please check the year of this date.")
    return None


def check_rows(process: Process, cells: list[tuple[int, dict[str, str]]]) -> list[Row]:
    """Every row parsed and checked against the process; errors in plain words per column."""
    fields = {}
    for action_field in process.action_fields:
        fields.setdefault(_SEPARATORS.sub(" ", action_field.slug.casefold()), action_field)
        fields.setdefault(_SEPARATORS.sub(" ", action_field.name.casefold()), action_field)
    rows = [_check_row(number, values, fields) for number, values in cells]
    _mark_duplicates(process, [row for row in rows if row.valid])
    return rows


def _length_error(value: str, low: int, high: int, missing, wrong) -> str | None:
    if not value:
        return missing
    if not low <= len(value) <= high:
        return wrong
    return None


def _check_row(number: int, values: dict[str, str], fields: dict) -> Row:
    cell = {column: str(values.get(column) or "") for column in COLUMNS}
    row = Row(number=number, cells=cell)
    errors = row.errors

    row.title = clean_text(cell["title"])
    problem = _length_error(row.title, TITLE_MIN, TITLE_MAX, _l("The title is missing."), _l(
        "The title must be between %(min)d and %(max)d characters long; it has %(num)d.",
        min=TITLE_MIN, max=TITLE_MAX, num=len(row.title)))
    if problem:
        errors.append(("title", problem))

    row.body = clean_text(cell["description"], multiline=True)
    problem = _length_error(row.body, BODY_MIN, BODY_MAX, _l("The description is missing."), _l(
        "The description must be between %(min)d and %(max)d characters long; it has %(num)d.",
        min=BODY_MIN, max=BODY_MAX, num=len(row.body)))
    if problem:
        errors.append(("description", problem))

    text = clean_text(cell["channel"])
    row.channel = channel_from_text(text)
    if not text:
        errors.append(("channel", _l("The channel is missing, for example “Pin board”.")))
    elif row.channel == Channel.online:
        errors.append(("channel", _l("Online ideas cannot be imported: citizens submit them "
                                     "on the platform themselves.")))
    elif row.channel is None:
        errors.append(("channel", _l("“%(value)s” is not a channel we know. Please use one of: "
                                     "%(channels)s.", value=text[:60],
                                     channels=", ".join(str(CHANNEL[c]) for c in ANALOG_CHANNELS))))

    text = clean_text(cell["date"])
    row.collected_on = date_from_text(text)
    if not text:
        errors.append(("date", _l("The date is missing.")))
    elif row.collected_on is None:
        errors.append(("date", _l("“%(value)s” is not a date. Please write it as DD.MM.YYYY, "
                                  "for example 14.03.2026.", value=text[:30])))
    elif problem := date_problem(row.collected_on):
        errors.append(("date", problem))

    row.place = clean_text(cell["place"]) or None
    if row.place and len(row.place) > PLACE_MAX:
        errors.append(("place", _l("The place can have at most %(max)d characters.", max=PLACE_MAX)))

    text = clean_text(cell["field"])
    if text:
        row.field = fields.get(_SEPARATORS.sub(" ", text.casefold()))
        if row.field is None:
            errors.append(("field", _l("“%(value)s” is not an action field of this process. Please "
                                       "use its name as listed below.", value=text[:60])))

    row.note = clean_text(cell["note"], multiline=True) or None
    if row.note and len(row.note) > NOTE_MAX:
        errors.append(("note", _l("The note can have at most %(max)d characters.", max=NOTE_MAX)))
    return row


def _mark_duplicates(process: Process, rows: list[Row]) -> None:
    """An idea with the same title, channel and date exists already: most likely imported twice."""
    if not rows:
        return
    days = {collected_at(row.collected_on) for row in rows}
    existing = {}
    for day_chunk in _chunks(sorted(days), 500):
        for reference, title, channel, when in db.session.execute(
            select(Idea.reference, Idea.title, Idea.channel, Idea.analog_date).where(
                Idea.process_id == process.id, Idea.analog_date.in_(day_chunk))
        ):
            existing.setdefault((title.casefold(), channel, when), reference)
    for row in rows:
        reference = existing.get((row.title.casefold(), row.channel, collected_at(row.collected_on)))
        if reference:
            row.errors.append(("title", _l(
                "An idea with this title, channel and date exists already (No. %(reference)s). "
                "If it was imported before, please remove this row.", reference=reference)))


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- Carrying the checked rows from the preview to the import -------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGNATURE_SALT)


def sign(process: Process, user: User, sheet: Sheet) -> str:
    """The rows as a signed token for the confirm form; the browser can read but not change them."""
    return _serializer().dumps({
        "process": process.id,
        "user": user.id,
        "headers": sheet.headers,
        "rows": [[number, [values.get(c, "") for c in COLUMNS]] for number, values in sheet.rows],
    })


def unsign(token: str, user: User) -> tuple[int, Sheet]:
    """(process id, sheet) from a token made by sign() for this person within the last hour."""
    try:
        payload = _serializer().loads(token or "", max_age=SIGNATURE_MAX_AGE)
    except SignatureExpired:
        raise SheetError(_l("The preview is more than an hour old. Please upload the file again.")) from None
    except BadSignature:
        raise SheetError(_l("The checked rows were changed on the way. Please upload the file again.")) from None
    try:
        if payload["user"] != user.id:
            raise SheetError(_l("This preview was made for someone else. Please upload the file yourself."))
        headers = {str(k): str(v) for k, v in payload["headers"].items() if k in COLUMNS}
        rows = [(int(number), {c: str(v) for c, v in zip(COLUMNS, values)})
                for number, values in payload["rows"]]
        process_id = int(payload["process"])
    except SheetError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError):
        raise SheetError(_l("The checked rows were changed on the way. Please upload the file again.")) from None
    if not rows or len(rows) > MAX_ROWS:
        raise SheetError(_l("The checked rows were changed on the way. Please upload the file again."))
    return process_id, Sheet(headers=headers, rows=rows)


# --- Entering the ideas ---------------------------------------------------------------------

def enter_idea(process: Process, actor: User, title: str, body: str, field: ActionField | None,
               channel: Channel, collected_on: date, place: str | None, note: str | None) -> Idea:
    """One idea collected offline, published at once with no author; the caller commits."""
    idea = workflow.submit_idea(process, None, title, body, field, None, channel=channel,
                                entered_by=actor)
    idea.analog_date = collected_at(collected_on)
    idea.analog_place = clean_text(place) or None
    idea.analog_note = clean_text(note, multiline=True) or None
    return idea


def import_rows(process: Process, actor: User, rows: list[Row]) -> list[Idea]:
    """Enter every row; all rows must be valid. The caller commits once, so it is all or nothing."""
    if not rows or not all(row.valid for row in rows):
        raise ValueError("only a sheet without errors can be imported")
    return [
        enter_idea(process, actor, row.title, row.body, row.field, row.channel, row.collected_on,
                   row.place, row.note)
        for row in rows
    ]

