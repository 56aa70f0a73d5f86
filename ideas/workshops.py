"""Workshop results back in: dots per idea or measure, typed in or read from the filled-in sheet.

A number entered for a workshop replaces what that workshop had for the idea or measure, so a
wrong entry is corrected by typing it again; 0 removes it. Every submission is all or nothing.
The counter caches (Idea.workshop_dots, Measure.workshop_dots) are summed again in SQL for the
rows a change touched, in the same transaction, with those rows locked first.
"""
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field

from flask import current_app
from flask_babel import force_locale, format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ideas import analog_import
from ideas.analog_import import SheetError
from ideas.database import lock_row
from ideas.extensions import db
from ideas.models import PUBLIC_STATUSES, Idea, Measure, StrategyDraft, User, Workshop, WorkshopDots

MAX_DOTS = 999
MAX_ROWS = 2000
MAX_SCANNED_ROWS = 20 * MAX_ROWS  # the template lists every idea; only filled-in rows count
SIGNATURE_SALT = "workshop-dots"
SIGNATURE_MAX_AGE = 3600

_IDEA_REF = re.compile(r"^(\d{4})\s*[-/]\s*(\d{1,9})$")
_BARE_NUMBER = re.compile(r"^\d{1,9}$")
_MEASURE_REF = re.compile(r"^m\s*-?\s*(\d{1,9})$", re.IGNORECASE)
_PREFIX = re.compile(r"^(nr|no|#)\.?\s*", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s_\-/]+")


@dataclass(frozen=True)
class Target:
    """What a reference points at: one idea or one measure of the process."""

    kind: str  # "idea" or "measure"
    id: int
    reference: str
    title: str
    field: object | None  # ActionField
    public: bool = True  # ideas only: whether citizens can see it (only then it can get dots)


@dataclass
class Line:
    """One row of the entry form or the sheet, checked: what was written and what it means."""

    number: int
    reference: str
    dots_text: str
    dots: int | None = None
    target: Target | None = None
    errors: list[tuple[str, str]] = dataclass_field(default_factory=list)  # (column, message)

    @property
    def valid(self) -> bool:
        return not self.errors

    def error(self, column: str) -> str | None:
        return " ".join(str(message) for c, message in self.errors if c == column) or None


# --- Checking what was entered ------------------------------------------------------------

def parse_dots(text: str) -> int | None:
    """A whole number of dots from a cell or input ("12", "12.0" from a spreadsheet)."""
    text = (text or "").strip()
    if re.fullmatch(r"\d{1,6}([.,]0+)?", text):
        return int(re.split(r"[.,]", text)[0])
    return None


def _normalise(reference: str) -> str:
    return _PREFIX.sub("", (reference or "").strip()).strip()


def check_lines(process, lines: list[Line]) -> list[Line]:
    """Parse every line's dots and resolve its reference within the process; errors per column."""
    wanted = [line for line in lines if line.reference.strip() or line.dots_text.strip()]
    found = _resolve(process, {_normalise(line.reference) for line in wanted})
    for line in wanted:
        if not line.reference.strip():
            line.errors.append(("reference", _l("Please enter the number of the idea or measure.")))
        else:
            result = found.get(_normalise(line.reference))
            if isinstance(result, Target):
                line.target = result
            else:
                line.errors.append(("reference", result or _l(
                    "“%(value)s” is not a number of an idea (like 2026-00012) or a measure "
                    "(like M-7).", value=line.reference.strip()[:40])))
        line.dots = parse_dots(line.dots_text)
        if not line.dots_text.strip():
            line.errors.append(("dots", _l("Please enter the number of dots (0 removes them).")))
        elif line.dots is None or line.dots > MAX_DOTS:
            line.dots = None
            line.errors.append(("dots", _l("Please enter a whole number from 0 to %(max)d.", max=MAX_DOTS)))
        if line.target is not None and not line.target.public and line.dots:
            # Removing (0) still works, so dots on an idea that was hidden later can be taken back.
            line.errors.append(("reference", _l(
                "No. %(reference)s is not public, so it cannot get dots.", reference=line.target.reference)))
    return lines


def _resolve(process, references: set[str]) -> dict:
    """Reference text → Target, or → an error message saying why it does not fit."""
    full, bare, measures = {}, {}, {}
    for text in references:
        if match := _IDEA_REF.match(text):
            full[text] = f"{match[1]}-{int(match[2]):05d}"
        elif _BARE_NUMBER.match(text):
            bare[text] = f"{int(text):05d}"
        elif match := _MEASURE_REF.match(text):
            measures[text] = int(match[1])
    result: dict = {}
    ideas = _ideas_by_reference(process, set(full.values()), set(bare.values()))
    for text, reference in full.items():
        idea = ideas.get(reference)
        if idea is None:
            result[text] = _l("There is no idea with the number %(reference)s.", reference=reference)
        elif idea.process_id != process.id:
            result[text] = _l("No. %(reference)s belongs to another process.", reference=reference)
        else:
            result[text] = _idea_target(idea)
    for text, suffix in bare.items():
        matches = [i for i in ideas.values() if i.process_id == process.id and i.reference.endswith("-" + suffix)]
        if len(matches) == 1:
            result[text] = _idea_target(matches[0])
        elif matches:
            result[text] = _l("Several ideas of this process end in %(number)s. Please write the "
                              "number with the year, like %(example)s.", number=suffix,
                              example=matches[0].reference)
        else:
            result[text] = _l("This process has no idea with the number %(number)s.", number=suffix)
    found = {m.id: m for m in db.session.scalars(
        select(Measure).options(joinedload(Measure.draft), joinedload(Measure.action_field))
        .where(Measure.id.in_(set(measures.values())))
    )} if measures else {}
    for text, measure_id in measures.items():
        measure = found.get(measure_id)
        if measure is None:
            result[text] = _l("There is no measure M-%(id)d.", id=measure_id)
        elif measure.draft.process_id != process.id:
            result[text] = _l("Measure M-%(id)d belongs to another process.", id=measure_id)
        else:
            result[text] = Target("measure", measure.id, measure.reference, measure.title, measure.action_field)
    return result


def _ideas_by_reference(process, full: set[str], suffixes: set[str]) -> dict[str, Idea]:
    """The ideas with these exact references (any process) or, in this process, these endings."""
    found: dict[str, Idea] = {}
    full_list, suffix_list = sorted(full), sorted(suffixes)
    conditions = [Idea.reference.in_(full_list[i:i + 500]) for i in range(0, len(full_list), 500)]
    conditions += [
        (Idea.process_id == process.id) & or_(*(Idea.reference.like(f"%-{s}") for s in suffix_list[i:i + 200]))
        for i in range(0, len(suffix_list), 200)
    ]
    for condition in conditions:
        stmt = select(Idea).options(joinedload(Idea.action_field)).where(condition)
        found.update((idea.reference, idea) for idea in db.session.scalars(stmt))
    return found


def _idea_target(idea: Idea) -> Target:
    return Target("idea", idea.id, idea.reference, idea.title, idea.action_field,
                  public=idea.status in PUBLIC_STATUSES)


# --- Recording dots ----------------------------------------------------------------------

def totals(lines: list[Line]) -> dict[Target, int]:
    """Dots per target; a reference that appears twice (a poster read out twice) adds up."""
    summed: Counter = Counter()
    for line in lines:
        if line.target is not None:
            summed[line.target] += line.dots or 0
    return dict(summed)


def record(workshop: Workshop, lines: list[Line]) -> dict[Target, int]:
    """Set the workshop's dots for every target in the lines; all lines must be valid.

    The caller commits once, so a submission is saved entirely or not at all.
    """
    filled = [line for line in lines if line.target is not None or line.errors]
    if not filled or not all(line.valid for line in filled):
        raise ValueError("only valid lines can be recorded")
    result = totals(filled)
    idea_ids = sorted(t.id for t in result if t.kind == "idea")
    measure_ids = sorted(t.id for t in result if t.kind == "measure")
    _lock(workshop, idea_ids, measure_ids)
    for target, dots in result.items():
        _set_dots(workshop, target, dots)
    recount(idea_ids, measure_ids)
    return result


class WorkshopGone(LookupError):
    """The workshop was deleted while someone was entering its dots."""


def _lock(workshop: Workshop, idea_ids: list[int] = (), measure_ids: list[int] = ()) -> None:
    """Lock the workshop, then the ideas and measures in id order, so parallel entries queue.

    Without it two entries for one idea in two workshops could each sum the rows before the
    other committed, and the later sum would overwrite the earlier one.
    """
    if db.session.scalar(lock_row(select(Workshop.id).where(Workshop.id == workshop.id))) is None:
        raise WorkshopGone(workshop.id)
    if idea_ids:
        db.session.execute(lock_row(select(Idea.id).where(Idea.id.in_(idea_ids)).order_by(Idea.id)))
    if measure_ids:
        db.session.execute(lock_row(select(Measure.id).where(Measure.id.in_(measure_ids)).order_by(Measure.id)))


def _set_dots(workshop: Workshop, target: Target, dots: int) -> None:
    column = WorkshopDots.idea_id if target.kind == "idea" else WorkshopDots.measure_id
    if dots == 0:
        db.session.execute(delete(WorkshopDots).where(
            WorkshopDots.workshop_id == workshop.id, column == target.id))
        return
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(
        insert(WorkshopDots).values({"workshop_id": workshop.id, column.key: target.id, "dots": dots})
        .on_conflict_do_update(index_elements=["workshop_id", column.key],
                               index_where=column.is_not(None), set_={"dots": dots})
    )


def recount(idea_ids: list[int], measure_ids: list[int]) -> None:
    """Set the counter caches of these ideas and measures to the sum over their WorkshopDots rows."""
    for model, column, ids in ((Idea, WorkshopDots.idea_id, idea_ids),
                               (Measure, WorkshopDots.measure_id, measure_ids)):
        if not ids:
            continue
        total = select(func.coalesce(func.sum(WorkshopDots.dots), 0)).where(column == model.id)
        db.session.execute(
            update(model).where(model.id.in_(ids)).values(workshop_dots=total.scalar_subquery())
            .execution_options(synchronize_session=False)
        )
        wanted = set(ids)
        for key, obj in list(db.session.identity_map.items()):
            if key[0] is model and key[1][0] in wanted:  # by key: reading obj.id could load it
                db.session.expire(obj, ["workshop_dots"])


def delete_workshop(workshop: Workshop) -> None:
    """Delete a workshop with its dots and lower the counters of everything it had dots for."""
    _lock(workshop)  # first, so no entry adds a row between reading the rows and deleting them
    rows = db.session.execute(select(WorkshopDots.idea_id, WorkshopDots.measure_id)
                              .where(WorkshopDots.workshop_id == workshop.id)).all()
    idea_ids = sorted({i for i, _m in rows if i is not None})
    measure_ids = sorted({m for _i, m in rows if m is not None})
    _lock(workshop, idea_ids, measure_ids)
    db.session.execute(delete(WorkshopDots).where(WorkshopDots.workshop_id == workshop.id))
    db.session.delete(workshop)
    db.session.flush()
    recount(idea_ids, measure_ids)


def workshop_totals(process) -> dict[int, tuple[int, int]]:
    """Workshop id → (dots, ideas and measures with dots), in one query for the whole process."""
    return {wid: (dots, items) for wid, dots, items in db.session.execute(
        select(WorkshopDots.workshop_id, func.sum(WorkshopDots.dots), func.count(WorkshopDots.id))
        .join(Workshop, Workshop.id == WorkshopDots.workshop_id)
        .where(Workshop.process_id == process.id).group_by(WorkshopDots.workshop_id)
    )}


@dataclass(frozen=True)
class Result:
    """One line of a workshop's ranking."""

    rank: int
    dots: int
    target: Target


def ranking(workshop: Workshop, limit: int | None = None, offset: int = 0) -> list[Result]:
    """The workshop's results, most dots first; equal counts share a rank (1, 2, 2, 4)."""
    rank = func.rank().over(order_by=WorkshopDots.dots.desc())
    stmt = (
        select(rank, WorkshopDots.dots, Idea, Measure)
        .outerjoin(Idea, Idea.id == WorkshopDots.idea_id)
        .outerjoin(Measure, Measure.id == WorkshopDots.measure_id)
        .options(joinedload(Idea.action_field), joinedload(Measure.action_field))
        .where(WorkshopDots.workshop_id == workshop.id)
        .order_by(WorkshopDots.dots.desc(), WorkshopDots.idea_id, WorkshopDots.measure_id)
        .limit(limit).offset(offset)
    )
    results = []
    for position, dots, idea, measure in db.session.execute(stmt):
        target = _idea_target(idea) if idea is not None else \
            Target("measure", measure.id, measure.reference, measure.title, measure.action_field)
        results.append(Result(position, dots, target))
    return results


def saved(workshop: Workshop, targets: list[tuple[str, int]]) -> list[Result]:
    """The current dots of the given (kind, id) targets in this workshop, in the given order."""
    wanted = {(kind, id_) for kind, id_ in targets}
    return [r for r in ranking(workshop) if (r.target.kind, r.target.id) in wanted]


# --- The filled-in sheet ------------------------------------------------------------------

COLUMN_LABEL = {"reference": _l("Reference"), "dots": _l("Dots")}
TEMPLATE_LABELS = (_l("Reference"), _l("Title"), _l("Action field"), _l("Dots"))
HEADER_ALIASES = {
    "reference": "reference", "referenz": "reference", "nummer": "reference", "number": "reference",
    "nr": "reference", "nr.": "reference", "no": "reference", "no.": "reference", "kennung": "reference",
    "dots": "dots", "punkte": "dots", "klebepunkte": "dots", "points": "dots", "anzahl": "dots",
    "number of dots": "dots", "anzahl punkte": "dots",
}


def _header_aliases() -> dict[str, str]:
    """Our aliases plus the template's column names in every language the site speaks."""
    aliases = dict(HEADER_ALIASES)
    for language in current_app.config["LANGUAGES"]:
        with force_locale(language):
            for column, label in COLUMN_LABEL.items():
                aliases.setdefault(_SEPARATORS.sub(" ", str(label).casefold()).strip(), column)
    return aliases


def read_sheet(filename: str, data: bytes) -> list[Line]:
    """The filled-in rows (reference, dots) of an uploaded CSV or XLSX file, or a SheetError.

    Cells are only ever text: formulas are read as what they say, never calculated.
    """
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("csv", "txt", "xlsx"):
        raise SheetError(_l("Please upload a CSV file (.csv) or an Excel file (.xlsx)."))
    if len(data) > analog_import.MAX_BYTES:
        raise SheetError(_l("The file is larger than 2 MB. Please split it into several files."))
    if not data.replace(b"\xef\xbb\xbf", b"").strip():
        raise SheetError(_l("The file is empty."))
    if extension == "xlsx":
        rows = analog_import.xlsx_rows(data)
    elif data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise SheetError(_l("This looks like an Excel file. Please upload it with the ending .xlsx."))
    else:
        rows = analog_import.csv_rows(_as_utf8(data))
    return _lines(rows)


def _as_utf8(data: bytes) -> bytes:
    """Excel on Windows saves "CSV" in cp1252; read that too, as UTF-8 for the shared reader."""
    try:
        data.decode("utf-8-sig")
        return data
    except UnicodeDecodeError:
        pass
    if b"\x00" in data:
        raise SheetError(_l("This file could not be read as text. Please save it as “CSV UTF-8”."))
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError:
        raise SheetError(_l("This file could not be read as text. Please save it as “CSV UTF-8”.")) from None


def _lines(numbered_rows) -> list[Line]:
    numbered_rows = iter(numbered_rows)
    header = next(numbered_rows, (1, []))[1]
    aliases = _header_aliases()
    positions: dict[str, int] = {}
    for position, text in enumerate(header):
        column = aliases.get(_SEPARATORS.sub(" ", analog_import.header_key(text or "")).strip())
        if column and column not in positions:
            positions[column] = position
    if len(positions) < 2:
        raise SheetError(_l("The first row must name the columns “%(reference)s” and “%(dots)s”, as in "
                            "the template.", reference=_("Reference"), dots=_("Dots")))
    lines = []
    for number, cells in numbered_rows:
        if number > MAX_SCANNED_ROWS:
            raise SheetError(_l("The sheet has too many rows. Please copy the filled-in rows into a "
                                "new file and upload that."))
        reference, dots = (cells[positions[c]].strip() if positions[c] < len(cells) else ""
                           for c in ("reference", "dots"))
        if not dots:
            continue  # the template lists every idea; only rows with dots count
        if len(lines) >= MAX_ROWS:
            raise SheetError(_l("The file has more than %(max)s rows with dots. Please split it into "
                                "several files.", max=format_number(MAX_ROWS)))
        lines.append(Line(number, reference[:60], dots[:20]))
    if not lines:
        raise SheetError(_l("No row of the file has a number in the dots column."))
    return lines


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGNATURE_SALT)


_TAMPERED = _l("The checked rows were changed on the way. Please upload the file again.")


def sign(workshop: Workshop, user: User, lines: list[Line]) -> str:
    """The rows as a signed token for the confirm form; the browser can read but not change them."""
    return _serializer().dumps({"workshop": workshop.id, "user": user.id,
                                "rows": [[ln.number, ln.reference, ln.dots_text] for ln in lines]})


def unsign(token: str, workshop: Workshop, user: User) -> list[Line]:
    """The rows from a token that sign() made for this workshop and person within the last hour."""
    try:
        payload = _serializer().loads(token or "", max_age=SIGNATURE_MAX_AGE)
    except SignatureExpired:
        raise SheetError(_l("The preview is more than an hour old. Please upload the file again.")) from None
    except BadSignature:
        raise SheetError(_TAMPERED) from None
    try:
        if payload["user"] != user.id or payload["workshop"] != workshop.id:
            raise SheetError(_TAMPERED)
        lines = [Line(int(n), str(ref), str(dots)) for n, ref, dots in payload["rows"]]
    except (KeyError, TypeError, ValueError):
        raise SheetError(_TAMPERED) from None
    if not lines or len(lines) > MAX_ROWS:
        raise SheetError(_TAMPERED)
    return lines


def template_rows(process) -> list[list]:
    """The sheet to fill in at the workshop: every public idea and every measure, dots empty."""
    rows = [[str(label) for label in TEMPLATE_LABELS]]
    ideas = db.session.scalars(
        select(Idea).options(joinedload(Idea.action_field))
        .where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES))
        .order_by(Idea.action_field_id.is_(None), Idea.action_field_id, Idea.id)
    )
    rows += [[i.reference, i.title, i.action_field.name if i.action_field else "", ""] for i in ideas]
    measures = db.session.scalars(
        select(Measure).join(StrategyDraft).options(joinedload(Measure.action_field))
        .where(StrategyDraft.process_id == process.id).order_by(Measure.id)
    )
    rows += [[m.reference, m.title, m.action_field.name if m.action_field else "", ""] for m in measures]
    return rows
