"""The draft editor: the team turns accepted ideas into a strategy with goals, measures and versions."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select

from ideas import drafts
from ideas import measures as calc
from ideas.extensions import db
from ideas.forms import EmptyForm
from ideas.htmx import is_htmx
from ideas.models import ActionField, DraftSection, DraftStatus, Measure, Process, StrategyDraft
from ideas.participation import MAX_ID
from ideas.strategy import bp
from ideas.strategy.draft_forms import MEASURE_STATUS, PRIORITY, DraftForm, GoalsForm, MeasureForm, VersionForm
from ideas.strategy.processes import get_process


def _bounded(ident: int) -> int:
    # Werkzeug's int converter takes any length; the databases' integer columns do not.
    if not 0 < ident <= MAX_ID:
        abort(404)
    return ident


def get_draft(draft_id: int) -> StrategyDraft:
    """A draft with everything its page shows, or 404."""
    draft = drafts.load(_bounded(draft_id))
    if draft is None:
        abort(404)
    return draft


def get_section(draft: StrategyDraft, section_id: int) -> DraftSection:
    """A section of this draft, or 404: ids from another draft are not accepted."""
    section = next((s for s in draft.sections if s.id == section_id), None)
    if section is None:
        abort(404)
    return section


def get_measure(draft: StrategyDraft, measure_id: int) -> Measure:
    """A measure of this draft, or 404."""
    measure = next((m for m in draft.measures if m.id == measure_id), None)
    if measure is None:
        abort(404)
    return measure


def _process(draft: StrategyDraft) -> Process:
    return db.session.get(Process, draft.process_id)


def _require_post_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


def _to_draft(draft: StrategyDraft, anchor: str | None = None):
    return redirect(url_for("strategy.draft", draft_id=draft.id, _anchor=anchor))


def weight_sentence(weight: calc.Weight) -> str:
    """'1 support = 2 points, 1 dot = 1 point.': the weighting in words, beside every ranking."""
    return _("%(support)s, %(dot)s.",
             support=ngettext("1 support = %(num)d point", "1 support = %(num)d points", weight.support),
             dot=ngettext("1 dot = %(num)d point", "1 dot = %(num)d points", weight.dot))


def _editor_context(draft: StrategyDraft) -> dict:
    weight = calc.draft_weight(draft)
    scores = {m.id: (calc.supports(m), calc.dots(m), calc.combined(m, weight)) for m in draft.measures}
    return dict(draft=draft, process=_process(draft), groups=calc.grouped(draft), numbers=calc.numbers(draft),
                weight=weight, weight_sentence=weight_sentence(weight), scores=scores, form=EmptyForm(),
                PRIORITY=PRIORITY, MEASURE_STATUS=MEASURE_STATUS)


@bp.route("/processes/<int:process_id>/drafts")
def drafts_list(process_id: int):
    """The strategy drafts of a process, with how many measures and frozen versions each has."""
    process = get_process(process_id)
    return render_template("strategy/drafts.html", process=process, rows=drafts.summary(process))


@bp.route("/processes/<int:process_id>/drafts/new", methods=["GET", "POST"])
def new_draft(process_id: int):
    """Start a strategy draft, by default with one measure per accepted idea."""
    process = get_process(process_id)
    form = DraftForm()
    if form.validate_on_submit():
        draft = drafts.create(process, form.title.data, form.vision.data, form.principles.data, current_user,
                              from_accepted=form.from_accepted.data)
        draft.support_weight, draft.dot_weight = form.support_weight.data, form.dot_weight.data
        db.session.commit()
        count = db.session.scalar(select(func.count(Measure.id)).where(Measure.draft_id == draft.id))
        flash(ngettext("The draft “%(title)s” has been created with %(num)d measure.",
                       "The draft “%(title)s” has been created with %(num)d measures.", count, title=draft.title),
              "success")
        return _to_draft(draft)
    return render_template("strategy/draft_form.html", form=form, process=process, draft=None)


@bp.route("/drafts/<int:draft_id>")
def draft(draft_id: int):
    """The draft editor: sections with goals, measures with their scores and sources, versions."""
    draft = get_draft(draft_id)
    return render_template("strategy/draft.html", versions=drafts.versions(draft),
                           version_form=VersionForm(formdata=None), **_editor_context(draft))


@bp.route("/drafts/<int:draft_id>/edit", methods=["GET", "POST"])
def edit_draft(draft_id: int):
    """Change the draft's title, vision, principles and the weights of the combined priority."""
    draft = get_draft(draft_id)
    form = DraftForm()
    del form.from_accepted
    if not form.is_submitted():
        form.load(draft)
    elif form.validate():
        form.fill(draft)
        db.session.commit()
        flash(_("The draft has been saved."), "success")
        return _to_draft(draft)
    return render_template("strategy/draft_form.html", form=form, process=_process(draft), draft=draft)


@bp.route("/drafts/<int:draft_id>/delete", methods=["GET", "POST"])
def delete_draft(draft_id: int):
    """Ask, then delete a draft with its measures and frozen versions."""
    draft = get_draft(draft_id)
    process = _process(draft)
    if request.method == "POST":
        _require_post_form()
        db.session.delete(draft)
        db.session.commit()
        flash(_("The draft “%(title)s” has been deleted.", title=draft.title), "success")
        return redirect(url_for("strategy.drafts_list", process_id=process.id))
    versions = drafts.versions(draft)
    return render_template(
        "strategy/draft_confirm.html", process=process, draft=draft, form=EmptyForm(),
        heading=_("Delete the draft “%(title)s”?", title=draft.title),
        consequences=[
            ngettext("Its %(num)d measure is deleted.", "Its %(num)d measures are deleted.", len(draft.measures)),
            ngettext("Its %(num)d frozen version is deleted.", "Its %(num)d frozen versions are deleted.",
                     len(versions)),
            _("The ideas stay as they are."), _("This cannot be undone."),
        ],
        action=url_for("strategy.delete_draft", draft_id=draft.id), button=_("Delete draft"),
        cancel=url_for("strategy.draft", draft_id=draft.id))


def _moved(draft: StrategyDraft, message: str, anchor: str):
    """After a move: the measures alone for htmx (with a status line), else back to the page."""
    db.session.commit()
    if is_htmx():
        draft = get_draft(draft.id)
        return render_template("strategy/_measure_sections.html", status_message=message, **_editor_context(draft))
    flash(message, "success")
    return _to_draft(draft, anchor)


@bp.route("/drafts/<int:draft_id>/sections/<int:section_id>/move", methods=["POST"])
def move_section(draft_id: int, section_id: int):
    """Move an action field one place up or down in the draft."""
    draft = get_draft(draft_id)
    section = get_section(draft, section_id)
    _require_post_form()
    try:
        drafts.move_section(draft, section, request.form.get("direction", ""))
    except drafts.DraftError:
        abort(400)
    return _moved(draft, _("“%(name)s” has been moved.", name=section.action_field.name), f"section-{section.id}")


@bp.route("/drafts/<int:draft_id>/sections/<int:section_id>/goals", methods=["GET", "POST"])
def edit_goals(draft_id: int, section_id: int):
    """Write the goals of an action field for this draft, one per line."""
    draft = get_draft(draft_id)
    section = get_section(draft, section_id)
    form = GoalsForm()
    if not form.is_submitted():
        form.goals.data = "\n".join(section.goals or [])
    elif form.validate():
        drafts.set_goals(section, form.goals.data)
        db.session.commit()
        flash(_("The goals of “%(name)s” have been saved.", name=section.action_field.name), "success")
        return _to_draft(draft, f"section-{section.id}")
    return render_template("strategy/draft_goals.html", form=form, draft=draft, section=section,
                           process=_process(draft))


def _field_choice(form: MeasureForm, process: Process) -> ActionField | None:
    return next((f for f in process.action_fields if str(f.id) == form.action_field.data), None)


def _measure_form(draft: StrategyDraft, process: Process, measure: Measure | None):
    """Show or save the measure form; returns a response, or None while it is being shown."""
    form = MeasureForm()
    form.set_fields(process.action_fields)
    if not form.is_submitted():
        if measure is not None:
            form.load(measure)
        else:
            field_id = request.args.get("field", "")
            form.action_field.data = field_id if any(str(f.id) == field_id for f in process.action_fields) else ""
            chosen = _field_choice(form, process)
            form.responsible_office.data = chosen.responsible_office if chosen else None
    elif form.validate():
        try:
            ideas, unknown, hidden = drafts.parse_references(process, form.ideas.data)
        except drafts.DraftError as error:
            form.ideas.errors.append(str(error))
        else:
            if unknown:
                form.ideas.errors.append(ngettext(
                    "%(refs)s is not the number of an idea in this process.",
                    "%(refs)s are not numbers of ideas in this process.", len(unknown), refs=", ".join(unknown)))
            if hidden:
                form.ideas.errors.append(ngettext(
                    "The idea %(refs)s is not public and cannot be named as a source.",
                    "The ideas %(refs)s are not public and cannot be named as sources.", len(hidden),
                    refs=", ".join(hidden)))
        if not form.ideas.errors:
            field = _field_choice(form, process)
            if measure is None:
                measure = drafts.add_measure(draft, field, **form.values())
                measure.ideas = ideas
                message = _("The measure “%(title)s” has been added.", title=measure.title)
            else:
                drafts.update_measure(draft, measure, field, ideas, **form.values())
                message = _("The measure “%(title)s” has been saved.", title=measure.title)
            db.session.commit()
            flash(message, "success")
            return _to_draft(draft, f"measure-{measure.id}")
    return render_template("strategy/draft_measure_form.html", form=form, draft=draft, measure=measure,
                           process=process)


@bp.route("/drafts/<int:draft_id>/measures/new", methods=["GET", "POST"])
def new_measure(draft_id: int):
    """Write a measure by hand, placed last in its action field."""
    draft = get_draft(draft_id)
    return _measure_form(draft, _process(draft), None)


@bp.route("/drafts/<int:draft_id>/measures/<int:measure_id>/edit", methods=["GET", "POST"])
def edit_measure(draft_id: int, measure_id: int):
    """Change a measure: text, action field, priority, time frame, office, status and source ideas."""
    draft = get_draft(draft_id)
    return _measure_form(draft, _process(draft), get_measure(draft, measure_id))


@bp.route("/drafts/<int:draft_id>/measures/<int:measure_id>/move", methods=["POST"])
def move_measure(draft_id: int, measure_id: int):
    """Move a measure one place up or down within its action field."""
    draft = get_draft(draft_id)
    measure = get_measure(draft, measure_id)
    _require_post_form()
    try:
        drafts.move_measure(draft, measure, request.form.get("direction", ""))
    except drafts.DraftError:
        abort(400)
    number = calc.numbers(draft)[measure.id]
    return _moved(draft, _("“%(title)s” is now measure %(number)s.", title=measure.title, number=number),
                  f"measure-{measure.id}")


@bp.route("/drafts/<int:draft_id>/measures/<int:measure_id>/delete", methods=["GET", "POST"])
def delete_measure(draft_id: int, measure_id: int):
    """Ask, then delete one measure (its source ideas stay as they are)."""
    draft = get_draft(draft_id)
    measure = get_measure(draft, measure_id)
    if request.method == "POST":
        _require_post_form()
        drafts.delete_measure(draft, measure)
        db.session.commit()
        flash(_("The measure “%(title)s” has been deleted.", title=measure.title), "success")
        return _to_draft(draft, "measures")
    number = calc.numbers(draft)[measure.id]
    return render_template(
        "strategy/draft_confirm.html", process=_process(draft), draft=draft, form=EmptyForm(),
        heading=_("Delete measure %(number)s “%(title)s”?", number=number, title=measure.title),
        consequences=[_("Its workshop dots are deleted with it."), _("The ideas stay as they are."),
                      _("This cannot be undone.")],
        action=url_for("strategy.delete_measure", draft_id=draft.id, measure_id=measure.id),
        button=_("Delete measure"),
        cancel=url_for("strategy.draft", draft_id=draft.id, _anchor=f"measure-{measure.id}"))


def _chosen_measures(draft: StrategyDraft) -> list[Measure] | None:
    """The ticked measures of this draft; None if any id is not one of them."""
    by_id = {str(m.id): m for m in draft.measures}
    ticked = list(dict.fromkeys(request.form.getlist("measures")))
    if any(value not in by_id for value in ticked):
        return None
    return [by_id[value] for value in ticked]


@bp.route("/drafts/<int:draft_id>/merge", methods=["POST"])
def merge_measures(draft_id: int):
    """Merge the ticked measures into the first of them, after a confirmation page."""
    draft = get_draft(draft_id)
    _require_post_form()
    chosen = _chosen_measures(draft)
    if chosen is None:
        abort(404)
    if len(chosen) < 2:
        flash(_("Please tick at least two measures to merge."), "error")
        return _to_draft(draft, "measures")
    numbers = calc.numbers(draft)
    chosen.sort(key=lambda m: drafts._number_key(numbers[m.id]))
    if request.form.get("confirm") != "yes":
        return render_template("strategy/draft_merge.html", draft=draft, process=_process(draft),
                               kept=chosen[0], others=chosen[1:], numbers=numbers, form=EmptyForm())
    kept, others = drafts.merge_measures(draft, chosen)
    # Quotation marks differ by language („…“ in German), so the list goes through the catalog too.
    merged = ", ".join(_("%(number)s “%(title)s”", number=numbers[m.id], title=m.title) for m in others)
    db.session.commit()
    flash(ngettext("Measure %(merged)s has been merged into measure %(number)s “%(title)s”.",
                   "Measures %(merged)s have been merged into measure %(number)s “%(title)s”.", len(others),
                   merged=merged, number=numbers[kept.id], title=kept.title), "success")
    return _to_draft(draft, f"measure-{kept.id}")


@bp.route("/drafts/<int:draft_id>/sort", methods=["POST"])
def sort_measures(draft_id: int):
    """Order the measures of every action field by combined priority."""
    draft = get_draft(draft_id)
    _require_post_form()
    drafts.sort_by_combined(draft)
    db.session.commit()
    flash(_("The measures of each action field are now sorted by combined priority. %(weights)s",
            weights=weight_sentence(calc.draft_weight(draft))), "success")
    return _to_draft(draft, "measures")


@bp.route("/drafts/<int:draft_id>/versions", methods=["POST"])
def freeze_version(draft_id: int):
    """Freeze the draft as it is now into a named, read-only version."""
    draft = get_draft(draft_id)
    form = VersionForm()
    if not form.validate_on_submit():
        return render_template("strategy/draft.html", versions=drafts.versions(draft), version_form=form,
                               **_editor_context(draft))
    version = drafts.freeze(draft, form.label.data, current_user)
    db.session.commit()
    flash(_("The version “%(label)s” has been frozen. It stays as it is, whatever changes later.",
            label=version.label), "success")
    return _to_draft(draft, "versions")


@bp.route("/drafts/<int:draft_id>/publish", methods=["POST"])
def publish_draft(draft_id: int):
    """Show the draft to citizens; their ideas then say which measure took them up."""
    draft = get_draft(draft_id)
    _require_post_form()
    withdrawn = drafts.publish(draft)
    db.session.commit()
    flash(_("The draft is now public."), "success")
    for other in withdrawn:
        flash(_("“%(title)s” is no longer public: a process shows one strategy draft at a time.",
                title=other.title), "success")
    return _to_draft(draft)


@bp.route("/drafts/<int:draft_id>/unpublish", methods=["POST"])
def unpublish_draft(draft_id: int):
    """Take the draft off the public page."""
    draft = get_draft(draft_id)
    _require_post_form()
    if draft.status == DraftStatus.published:
        drafts.unpublish(draft)
        db.session.commit()
    flash(_("The draft is no longer public."), "success")
    return _to_draft(draft)
