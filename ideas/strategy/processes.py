"""The project team sets up participation processes and their action fields."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from ideas.extensions import db
from ideas.forms import EmptyForm
from ideas.models import ActionField, Idea, Process
from ideas.models.idea import idea_action_field
from ideas.strategy import bp, presets
from ideas.strategy.forms import FieldForm, ProcessForm, slugify


def get_process(process_id: int) -> Process:
    return db.get_or_404(Process, process_id)


def get_field(process: Process, field_id: int) -> ActionField:
    """An action field of this process, or 404: ids from another process are not accepted."""
    field = db.session.get(ActionField, field_id)
    if field is None or field.process_id != process.id:
        abort(404)
    return field


def _slug_taken(slug: str, process: Process | None) -> bool:
    stmt = select(Process.id).where(Process.slug == slug)
    if process is not None and process.id is not None:
        stmt = stmt.where(Process.id != process.id)
    return db.session.scalar(stmt) is not None


def _check_process_slug(form: ProcessForm, process: Process | None) -> bool:
    slug = form.slug.data or slugify(form.title.data)
    if not slug:
        form.slug.errors.append(_("Please enter a short name with letters or digits."))
        return False
    if _slug_taken(slug, process):
        form.slug.errors.append(_("Another process already uses this short name. Please choose another one."))
        return False
    return True


@bp.route("/processes")
def processes():
    """All participation processes, newest first."""
    items = db.session.scalars(select(Process).order_by(Process.created_at.desc(), Process.id.desc())).all()
    return render_template("strategy/processes.html", processes=items)


@bp.route("/processes/new", methods=["GET", "POST"])
def new_process():
    """Create a participation process, optionally with a ready-made set of action fields."""
    form = ProcessForm()
    if form.validate_on_submit() and _check_process_slug(form, None):
        process = Process()
        form.fill_process(process)
        process.action_fields = presets.build_fields(form.preset.data)
        db.session.add(process)
        db.session.commit()
        flash(_("The process “%(title)s” has been created.", title=process.title), "success")
        return redirect(url_for("strategy.fields", process_id=process.id))
    return render_template("strategy/process_form.html", form=form, process=None)


@bp.route("/processes/<int:process_id>/edit", methods=["GET", "POST"])
def edit_process(process_id: int):
    """Change a process's title, phases, moderation and channels."""
    process = get_process(process_id)
    form = ProcessForm()
    del form.preset
    if not form.is_submitted():
        form.load_process(process)
    elif form.validate() and _check_process_slug(form, process):
        form.fill_process(process)
        db.session.commit()
        flash(_("The process has been saved."), "success")
        return redirect(url_for("strategy.processes"))
    return render_template("strategy/process_form.html", form=form, process=process)


@bp.route("/processes/<int:process_id>/fields")
def fields(process_id: int):
    """The action fields of a process in their order, to add, edit, reorder or delete."""
    process = get_process(process_id)
    return render_template("strategy/fields.html", process=process, form=EmptyForm())


def _field_slug_ok(form: FieldForm, process: Process, field: ActionField | None) -> bool:
    slug = form.slug.data or slugify(form.name.data)
    if not slug:
        form.slug.errors.append(_("Please enter a short name with letters or digits."))
        return False
    if any(f.slug == slug and f is not field for f in process.action_fields):
        form.slug.errors.append(_("Another action field of this process already uses this short name."))
        return False
    return True


@bp.route("/processes/<int:process_id>/fields/new", methods=["GET", "POST"])
def new_field(process_id: int):
    """Add an action field at the end of the process's list."""
    process = get_process(process_id)
    form = FieldForm()
    if form.validate_on_submit() and _field_slug_ok(form, process, None):
        field = ActionField(position=max((f.position for f in process.action_fields), default=-1) + 1)
        form.fill_field(field)
        process.action_fields.append(field)
        db.session.commit()
        flash(_("The action field “%(name)s” has been added.", name=field.name), "success")
        return redirect(url_for("strategy.fields", process_id=process.id))
    return render_template("strategy/field_form.html", form=form, process=process, field=None)


@bp.route("/processes/<int:process_id>/fields/<int:field_id>/edit", methods=["GET", "POST"])
def edit_field(process_id: int, field_id: int):
    """Change an action field's name, description, goals, colour or office."""
    process = get_process(process_id)
    field = get_field(process, field_id)
    form = FieldForm()
    if not form.is_submitted():
        form.load_field(field)
    elif form.validate() and _field_slug_ok(form, process, field):
        form.fill_field(field)
        db.session.commit()
        flash(_("The action field has been saved."), "success")
        return redirect(url_for("strategy.fields", process_id=process.id))
    return render_template("strategy/field_form.html", form=form, process=process, field=field)


@bp.route("/processes/<int:process_id>/fields/<int:field_id>/move", methods=["POST"])
def move_field(process_id: int, field_id: int):
    """Move an action field one place up or down in the list."""
    process = get_process(process_id)
    field = get_field(process, field_id)
    direction = request.form.get("direction")
    if not EmptyForm().validate_on_submit() or direction not in ("up", "down"):
        abort(400)
    ordered = sorted(process.action_fields, key=lambda f: (f.position, f.id))
    index = ordered.index(field)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, item in enumerate(ordered):
        item.position = position
    db.session.commit()
    return redirect(url_for("strategy.fields", process_id=process.id))


def field_in_use(field: ActionField) -> bool:
    """Whether any idea is filed under, suggested for or also tagged with this field."""
    direct = exists().where(or_(Idea.action_field_id == field.id, Idea.suggested_field_id == field.id))
    further = exists().where(idea_action_field.c.action_field_id == field.id)
    return bool(db.session.scalar(select(or_(direct, further))))


@bp.route("/processes/<int:process_id>/fields/<int:field_id>/delete", methods=["POST"])
def delete_field(process_id: int, field_id: int):
    """Delete an action field that no idea uses."""
    process = get_process(process_id)
    field = get_field(process, field_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if field_in_use(field):
        flash(_("“%(name)s” cannot be deleted because ideas are filed under it. "
                "Move those ideas to another action field first.", name=field.name), "error")
        return redirect(url_for("strategy.fields", process_id=process.id))
    process.action_fields.remove(field)
    db.session.delete(field)
    db.session.commit()
    flash(_("The action field “%(name)s” has been deleted.", name=field.name), "success")
    return redirect(url_for("strategy.fields", process_id=process.id))
