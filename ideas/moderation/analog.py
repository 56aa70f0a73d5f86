"""Analog ideas: staff write down what came in on paper or in person, one by one or from a sheet."""
import io
from pathlib import Path

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ideas import analog_import, uploads
from ideas.analog_import import COLUMN_LABEL, SheetError
from ideas.database import lock_row
from ideas.extensions import csrf, db
from ideas.labels import CHANNEL
from ideas.models import ActionField, Channel, Process
from ideas.moderation import bp
from ideas.moderation.analog_forms import (
    NO_FIELD,
    AnalogIdeaForm,
    ImportConfirmForm,
    ImportUploadForm,
    process_choices,
)
from ideas.sanitize import clean_text
from ideas.workflow import WorkflowError

TEMPLATE_CSV = Path(__file__).resolve().parents[2] / "docs" / "import-template.csv"
# The upload may be 2 MB plus the multipart envelope; the confirm form carries the checked
# rows, compressed and signed, which for 1,000 long rows can be larger than the file was.
UPLOAD_REQUEST_LIMIT = analog_import.MAX_BYTES + 256 * 1024
CONFIRM_REQUEST_LIMIT = 8 * 1024 * 1024
PREVIEW_ERRORS_LISTED = 50


def _processes() -> list[Process]:
    """Every process, newest first: staff also collect ideas for closed phases."""
    return list(db.session.scalars(
        select(Process).options(selectinload(Process.action_fields))
        .order_by(Process.created_at.desc(), Process.id.desc())
    ).all())


@bp.route("/analog/new", methods=["GET", "POST"])
def new_analog():
    """Write down one idea from a pin board, office hours, a workshop, a letter or an event."""
    processes = _processes()
    if not processes:
        return render_template("moderation/analog_new.html", form=None)
    form = AnalogIdeaForm()
    form.set_processes(processes)
    if not form.is_submitted():
        _prefill(form, processes)
    if form.validate_on_submit():
        process = next(p for p in processes if p.id == form.process_id.data)
        field = db.session.get(ActionField, form.action_field.data) if form.action_field.data != NO_FIELD else None
        try:
            idea = analog_import.enter_idea(
                process, current_user, form.title.data, form.body.data, field,
                Channel(form.channel.data), form.collected_on.data, form.place.data, form.note.data)
        except WorkflowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return _new_page(form), 409
        db.session.commit()
        if form.submit_another.data:
            flash(_("Saved and published as No. %(reference)s: “%(title)s”. You can enter the next idea now.",
                    reference=idea.reference, title=idea.title), "success")
            return redirect(url_for("moderation.new_analog", process=process.id, channel=idea.channel.value,
                                    date=form.collected_on.data.isoformat(), place=idea.analog_place or None))
        flash(_("The idea is saved and published as No. %(reference)s.", reference=idea.reference), "success")
        return redirect(url_for("moderation.idea", idea_id=idea.id))
    return _new_page(form), 422 if form.is_submitted() else 200


def _new_page(form: AnalogIdeaForm):
    # Right after "Save and enter another" the cursor waits in the title of the next note.
    quick_entry = not form.is_submitted() and bool(request.args)
    return render_template("moderation/analog_new.html", form=form, today=analog_import.today(),
                           quick_entry=quick_entry)


def _prefill(form: AnalogIdeaForm, processes: list[Process]) -> None:
    """Keep process, channel, date and place from the previous note ("Save and enter another")."""
    args = request.args
    wanted = args.get("process", "")
    form.process_id.data = next((p.id for p in processes if str(p.id) == wanted), processes[0].id)
    if args.get("channel") in {c.value for c in analog_import.ANALOG_CHANNELS}:
        form.channel.data = args["channel"]
    day = analog_import.date_from_text(args.get("date", "")[:10])
    if day and not analog_import.date_problem(day):
        form.collected_on.data = day
    place = clean_text(args.get("place", ""))[:analog_import.PLACE_MAX]
    form.place.data = place or None


@bp.route("/analog/import", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_upload(), right after the size limits for this page are set
def import_analog():
    """Import ideas from a sheet: upload, see every row checked, then import them all at once."""
    processes = _processes()
    confirming = request.method == "POST" and "payload" in request.form
    upload = ImportUploadForm(formdata=None) if confirming else ImportUploadForm()
    upload.process_id.choices = process_choices(processes)
    if not processes or request.method == "GET":
        if processes:
            upload.process_id.data = processes[0].id
        return _import_page(upload, processes)
    if confirming:
        return _confirm_import(upload, processes)
    return _preview(upload, processes)


@bp.before_app_request
def accept_upload() -> None:
    """Allow a 2 MB file on the import page only (see ideas/uploads.py); the confirm step posts
    the checked rows back as a signed form field, which gets its own limit."""
    if request.endpoint != "moderation.import_analog" or request.method != "POST":
        return
    if request.mimetype == "multipart/form-data":
        uploads.accept_larger_body(UPLOAD_REQUEST_LIMIT)
    else:
        uploads.accept_larger_body(CONFIRM_REQUEST_LIMIT, form_limit=CONFIRM_REQUEST_LIMIT)


def _import_page(upload, processes, preview=None, status=200):
    return render_template("moderation/analog_import.html", upload=upload, processes=processes,
                           preview=preview, max_rows=format_number(analog_import.MAX_ROWS),
                           channel_names=", ".join(str(CHANNEL[c]) for c in analog_import.ANALOG_CHANNELS)), status


def _preview(upload: ImportUploadForm, processes: list[Process]):
    """Step 1: read and check the file; nothing is written."""
    if not upload.validate():
        return _import_page(upload, processes, status=422)
    process = next(p for p in processes if p.id == upload.process_id.data)
    storage = upload.sheet.data
    try:
        sheet = analog_import.read_sheet(storage.filename or "", storage.stream.read(analog_import.MAX_BYTES + 1))
    except SheetError as exc:
        upload.sheet.errors.append(str(exc))
        return _import_page(upload, processes, status=422)
    rows = analog_import.check_rows(process, sheet.rows)
    preview = _preview_context(process, sheet, rows, filename=storage.filename)
    return _import_page(upload, processes, preview, status=200 if preview["valid"] else 422)


def _preview_context(process, sheet, rows, filename=None) -> dict:
    valid = all(row.valid for row in rows)
    confirm = None
    if valid:
        confirm = ImportConfirmForm(formdata=None, payload=analog_import.sign(process, current_user, sheet))
        confirm.confirm.label.text = ngettext("Import %(num)d idea", "Import %(num)d ideas", len(rows))
    columns = {c: sheet.headers.get(c) or str(COLUMN_LABEL[c]) for c in analog_import.COLUMNS}
    errors = [(row.number, columns[column], message) for row in rows for column, message in row.errors]
    optional = {c for c in ("place", "field", "note") if c in sheet.headers}
    return dict(process=process, rows=rows, valid=valid, confirm=confirm, columns=columns, optional=optional,
                errors=errors[:PREVIEW_ERRORS_LISTED], more_errors=max(0, len(errors) - PREVIEW_ERRORS_LISTED),
                invalid_rows=sum(1 for row in rows if not row.valid), ignored=sheet.ignored,
                filename=clean_text(filename or "")[:120])


def _confirm_import(upload: ImportUploadForm, processes: list[Process]):
    """Step 2: check the signed rows again and import them all in one transaction."""
    confirm = ImportConfirmForm()
    upload.process_id.data = processes[0].id
    try:
        if not confirm.validate():
            raise SheetError(_("Please upload the file again."))
        process_id, sheet = analog_import.unsign(confirm.payload.data, current_user)
    except SheetError as exc:
        flash(str(exc), "error")
        return _import_page(upload, processes, status=400)
    # One import per process at a time, so a double click cannot import the rows twice.
    process = db.session.scalar(lock_row(select(Process).where(Process.id == process_id)))
    if process is None:
        flash(_("This process no longer exists. Please upload the file again."), "error")
        return _import_page(upload, processes, status=400)
    upload.process_id.data = process.id
    rows = analog_import.check_rows(process, sheet.rows)
    if not all(row.valid for row in rows):
        db.session.rollback()
        flash(_("Something has changed since the preview. Nothing has been imported."), "error")
        preview = _preview_context(process, sheet, rows)
        return _import_page(upload, processes, preview, status=409)
    try:
        ideas = analog_import.import_rows(process, current_user, rows)
    except WorkflowError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _import_page(upload, processes, status=409)
    db.session.commit()
    current_app.logger.info("analog import: user %d imported %d ideas into process %d",
                            current_user.id, len(ideas), process.id)
    flash(ngettext("%(num)d idea has been imported and published.",
                   "%(num)d ideas have been imported and published.", len(ideas))
          + " " + _("Their numbers run from %(first)s to %(last)s.", first=ideas[0].reference,
                    last=ideas[-1].reference), "success")
    return redirect(url_for("moderation.import_analog"))


@bp.route("/analog/import/template.csv", defaults={"fmt": "csv"})
@bp.route("/analog/import/template.xlsx", defaults={"fmt": "xlsx"})
def import_template(fmt: str):
    """The sample sheet: column names and two example rows, as CSV or as an Excel file."""
    if fmt == "csv":
        return send_file(TEMPLATE_CSV, mimetype="text/csv", as_attachment=True,
                         download_name="ideenfenster-import-vorlage.csv")
    return send_file(io.BytesIO(_template_xlsx()), as_attachment=True,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     download_name="ideenfenster-import-vorlage.xlsx")


def _template_xlsx() -> bytes:
    """The CSV template as an Excel sheet, every cell stored as text."""
    import csv

    from openpyxl import Workbook
    from openpyxl.styles import Font

    text = TEMPLATE_CSV.read_text(encoding="utf-8-sig")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ideen"
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=";"), start=1):
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=number, column=column)
            cell.value = value
            cell.data_type = "s"
            if number == 1:
                cell.font = Font(bold=True)
    for column, width in zip("ABCDEFG", (40, 60, 16, 12, 30, 26, 30)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
