"""Workshop results for the project team: workshops of a process, their dots typed in or uploaded."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, nulls_last, select

from ideas import uploads, workshops
from ideas.analog_import import SheetError
from ideas.exports import FORMATS, MIME, to_csv, to_xlsx
from ideas.extensions import csrf, db
from ideas.forms import EmptyForm
from ideas.models import Process, Workshop, WorkshopDots
from ideas.sanitize import clean_text
from ideas.securitylog import log_event
from ideas.strategy import bp
from ideas.strategy.processes import get_process
from ideas.strategy.workshop_forms import DotConfirmForm, DotEntryForm, DotUploadForm, WorkshopForm

RANKING_PAGE = 100
PREVIEW_ERRORS_LISTED = 50
UPLOAD_REQUEST_LIMIT = 2 * 1024 * 1024 + 256 * 1024


def get_workshop(workshop_id: int, process: Process | None = None) -> Workshop:
    """A workshop, or 404; with a process, only one of that process."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or (process is not None and workshop.process_id != process.id):
        abort(404)
    return workshop


@bp.route("/processes/<int:process_id>/workshops")
def workshops_list(process_id: int):
    """The workshops of a process with their participants and the dots entered so far."""
    process = get_process(process_id)
    items = db.session.scalars(
        select(Workshop).where(Workshop.process_id == process.id)
        .order_by(nulls_last(Workshop.held_on.desc()), Workshop.id.desc())
    ).all()
    return render_template("strategy/workshops.html", process=process, workshops=items,
                           totals=workshops.workshop_totals(process))


@bp.route("/processes/<int:process_id>/workshops/new", methods=["GET", "POST"])
def new_workshop(process_id: int):
    """Record a workshop that was held (or is planned) for this process."""
    process = get_process(process_id)
    form = WorkshopForm()
    if form.validate_on_submit():
        workshop = Workshop(process_id=process.id)
        form.fill(workshop)
        db.session.add(workshop)
        db.session.commit()
        flash(_("The workshop “%(name)s” has been saved. You can enter its dots now.", name=workshop.name),
              "success")
        return redirect(url_for("strategy.workshop_dots", workshop_id=workshop.id))
    return render_template("strategy/workshop_form.html", form=form, process=process, workshop=None)


@bp.route("/processes/<int:process_id>/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
def edit_workshop(process_id: int, workshop_id: int):
    """Change a workshop's name, date, place, participants or note."""
    process = get_process(process_id)
    workshop = get_workshop(workshop_id, process)
    form = WorkshopForm()
    if not form.is_submitted():
        form.load(workshop)
    elif form.validate():
        form.fill(workshop)
        db.session.commit()
        flash(_("The workshop has been saved."), "success")
        return redirect(url_for("strategy.workshops_list", process_id=process.id))
    return render_template("strategy/workshop_form.html", form=form, process=process, workshop=workshop)


@bp.route("/processes/<int:process_id>/workshops/<int:workshop_id>/delete", methods=["GET", "POST"])
def delete_workshop(process_id: int, workshop_id: int):
    """Ask, then delete a workshop together with its dots."""
    process = get_process(process_id)
    workshop = get_workshop(workshop_id, process)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        name = workshop.name
        try:
            workshops.delete_workshop(workshop)
        except workshops.WorkshopGone:
            db.session.rollback()
        db.session.commit()
        flash(_("The workshop “%(name)s” and its dots have been deleted.", name=name), "success")
        return redirect(url_for("strategy.workshops_list", process_id=process.id))
    dots, items = workshops.workshop_totals(process).get(workshop.id, (0, 0))
    return render_template("strategy/workshop_delete.html", process=process, workshop=workshop,
                           form=form, dots=dots, items=items)


def _page_number() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))


def _ranking_context(workshop: Workshop) -> dict:
    page = _page_number()
    total = db.session.scalar(select(func.count(WorkshopDots.id)).where(WorkshopDots.workshop_id == workshop.id))
    pages = max(1, -(-total // RANKING_PAGE))
    page = min(page, pages)
    results = workshops.ranking(workshop, limit=RANKING_PAGE, offset=(page - 1) * RANKING_PAGE)
    return dict(results=results, page=page, pages=pages, total=total)


def _saved_targets() -> list[tuple[str, int]]:
    """The (kind, id) pairs named in ?saved=i12,m7: what the last entry saved, to list it."""
    kinds = {"i": "idea", "m": "measure"}
    out = []
    for item in request.args.get("saved", "").split(",")[:50]:
        if item[:1] in kinds and item[1:].isdigit() and len(item) < 12:
            out.append((kinds[item[0]], int(item[1:])))
    return out


@bp.route("/workshops/<int:workshop_id>/dots", methods=["GET", "POST"])
def workshop_dots(workshop_id: int):
    """Type in a workshop's dots poster by poster: number, Tab, dots, Tab, and Enter to save."""
    workshop = get_workshop(workshop_id)
    process = db.session.get(Process, workshop.process_id)
    form = DotEntryForm()
    lines = []
    if form.validate_on_submit():
        lines = [workshops.Line(i, row.reference.data or "", row.dots.data or "")
                 for i, row in enumerate(form.rows, start=1)]
        filled = [line for line in lines if line.reference or line.dots_text]
        if not filled:
            flash(_("Please enter the number of an idea or measure and its dots."), "error")
        else:
            workshops.check_lines(process, filled)
            if all(line.valid for line in filled):
                return _save(workshop, process, filled)
            for line in filled:
                for column, message in line.errors:
                    form.rows[line.number - 1][column].errors.append(str(message))
    return _dots_page(workshop, process, form, lines)


def _save(workshop: Workshop, process: Process, lines: list):
    try:
        result = workshops.record(workshop, lines)
    except workshops.WorkshopGone:
        db.session.rollback()
        flash(_("This workshop has been deleted in the meantime. Nothing has been saved."), "error")
        return redirect(url_for("strategy.workshops_list", process_id=process.id))
    db.session.commit()
    current_app.logger.info("workshop dots: user %d set %d entries of workshop %d",
                            current_user.id, len(result), workshop.id)
    removed = sum(1 for dots in result.values() if dots == 0)
    message = ngettext("%(num)d entry has been saved.", "%(num)d entries have been saved.", len(result))
    if removed:
        message += " " + ngettext("%(num)d of them was 0 and has been removed.",
                                  "%(num)d of them were 0 and have been removed.", removed)
    flash(message, "success")
    saved = ",".join(f"{t.kind[0]}{t.id}" for t, dots in result.items() if dots)
    return redirect(url_for("strategy.workshop_dots", workshop_id=workshop.id, saved=saved or None))


def _dots_page(workshop, process, form, lines):
    errors = [(line.number, form.rows[line.number - 1][column].id, message)
              for line in lines for column, message in line.errors]
    if errors:
        focus = errors[0][1]
    else:
        focus = next((row.reference.id for row in form.rows if not row.reference.data), form.rows[0].reference.id)
    just_saved = workshops.saved(workshop, _saved_targets()) if not form.is_submitted() else []
    return render_template("strategy/workshop_dots.html", process=process, workshop=workshop, form=form,
                           errors=errors, focus=focus, just_saved=just_saved,
                           max_dots=workshops.MAX_DOTS, **_ranking_context(workshop))


@bp.before_app_request
def accept_dot_sheet() -> None:
    """Allow a 2 MB file on the dot upload only (see ideas/uploads.py)."""
    if request.endpoint == "strategy.upload_dots" and request.method == "POST":
        uploads.accept_larger_body(UPLOAD_REQUEST_LIMIT)


@bp.route("/workshops/<int:workshop_id>/upload", methods=["GET", "POST"])
@csrf.exempt  # checked by accept_dot_sheet(), right after the size limit for this page is set
def upload_dots(workshop_id: int):
    """Upload the filled-in sheet, see every row checked, then save all dots at once."""
    workshop = get_workshop(workshop_id)
    process = db.session.get(Process, workshop.process_id)
    if request.method == "POST" and "payload" in request.form:
        return _confirm_upload(workshop, process)
    upload = DotUploadForm()
    preview = None
    if request.method == "POST" and upload.validate():
        storage = upload.sheet.data
        try:
            lines = workshops.read_sheet(storage.filename or "",
                                         storage.stream.read(workshops.analog_import.MAX_BYTES + 1))
        except SheetError as exc:
            upload.sheet.errors.append(str(exc))
        else:
            workshops.check_lines(process, lines)
            preview = _preview(workshop, lines, storage.filename)
    return _upload_page(workshop, process, upload, preview)


def _upload_page(workshop, process, upload, preview=None, status=200):
    return render_template("strategy/workshop_upload.html", workshop=workshop, process=process,
                           upload=upload, preview=preview), status


def _preview(workshop, lines, filename=None) -> dict:
    valid = all(line.valid for line in lines)
    confirm = None
    if valid:
        confirm = DotConfirmForm(formdata=None, payload=workshops.sign(workshop, current_user, lines))
    errors = [(line.number, message) for line in lines for _column, message in line.errors]
    return dict(lines=lines, valid=valid, confirm=confirm, errors=errors[:PREVIEW_ERRORS_LISTED],
                more_errors=max(0, len(errors) - PREVIEW_ERRORS_LISTED),
                invalid_rows=sum(1 for line in lines if not line.valid),
                targets=len(workshops.totals(lines)) if valid else 0,
                filename=clean_text(filename or "")[:120])


def _confirm_upload(workshop, process):
    """Check the signed rows again and save them all in one transaction."""
    upload = DotUploadForm(formdata=None)
    confirm = DotConfirmForm()
    try:
        if not confirm.validate():
            raise SheetError(_("Please upload the file again."))
        lines = workshops.unsign(confirm.payload.data, workshop, current_user)
    except SheetError as exc:
        flash(str(exc), "error")
        return _upload_page(workshop, process, upload, status=400)
    workshops.check_lines(process, lines)
    if not all(line.valid for line in lines):
        flash(_("Something has changed since the preview. Nothing has been saved."), "error")
        return _upload_page(workshop, process, upload, _preview(workshop, lines), status=409)
    return _save(workshop, process, lines)


@bp.route("/processes/<int:process_id>/workshops/sheet.<fmt>")
def dot_sheet(process_id: int, fmt: str):
    """The sheet to take to the workshop: every idea and measure with an empty dots column."""
    process = get_process(process_id)
    if fmt not in FORMATS:
        abort(404)
    rows = workshops.template_rows(process)
    body = to_csv(rows) if fmt == "csv" else to_xlsx(rows, title=_("Dots"))
    log_event("export", dataset="workshop_sheet", format=fmt, process=process.slug)
    response = current_app.response_class(body, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="workshop-dots-{process.slug}.{fmt}"'
    return response
