"""Evaluation on the staff idea page: public answers (prepared, then released alone or per
action field), answer templates, filing ideas under action fields and merging duplicates.
"""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select, update

from ideas import merging, search, workflow
from ideas.extensions import db
from ideas.htmx import is_htmx
from ideas.labels import STATUS
from ideas.models import ActionField, AnswerTemplate, Idea, IdeaStatus, Vote
from ideas.moderation import bp
from ideas.moderation.answer_forms import (
    MAX_MERGE_SOURCES,
    NOTE_MAX,
    AnswerForm,
    MergeForm,
    MergeSimilarForm,
    TagForm,
    TemplateForm,
    int_or_none,
)
from ideas.moderation.ideas import idea_context, load_idea
from ideas.participation import MAX_ID, get_or_404
from ideas.processes import current_process, running_processes
from ideas.sanitize import clean_text
from ideas.workflow import WorkflowError

S = IdeaStatus
ANSWERABLE = (S.published, S.under_review, S.accepted, S.rejected)
UNTAGGABLE = (S.merged, S.withdrawn)
PLACEHOLDER = re.compile(r"\{(title|reference|field)\}")
REFERENCE = re.compile(r"(\d{4})-(\d{1,10})")


def _staff_page(idea: Idea, status: int = 422, **extra):
    return render_template("moderation/idea.html", **idea_context(idea, **extra)), status


def _back_to_idea(idea: Idea, anchor: str):
    return redirect(url_for("moderation.idea", idea_id=idea.id, _anchor=anchor))


def _refused(idea: Idea, error: WorkflowError, anchor: str):
    """Nothing of a refused change is kept; the moderator sees why and the current state."""
    db.session.rollback()
    flash(str(error), "error")
    return _back_to_idea(idea, anchor)


def _submitted_status(value) -> IdeaStatus | None:
    try:
        return IdeaStatus(value)
    except ValueError:
        return None


def _ids(values) -> list[int] | None:
    """Ids sent by a form, each once; None if one of them cannot be an id."""
    ids = [int_or_none(v) for v in values]
    if any(i is None or not 0 < i <= MAX_ID for i in ids):
        return None
    return list(dict.fromkeys(ids))


# The answer: prepared by a moderator, public only once released.

def has_prepared_answer(idea: Idea) -> bool:
    return idea.planned_status is not None and bool(idea.prepared_answer)


def answer_decisions(idea: Idea) -> list[IdeaStatus]:
    """The decisions an answer can announce from the idea's status, the status itself included."""
    return [s for s in workflow.ANSWER_STATUSES if s == idea.status or workflow.can_change(idea.status, s)]


def answer_context(idea: Idea, form: AnswerForm | None = None, used_template: str | None = None) -> dict:
    """What the answer part of the staff idea page shows; a form with errors is passed in."""
    show = idea.status in ANSWERABLE
    prepared = has_prepared_answer(idea)
    decisions = answer_decisions(idea)
    templates = db.session.scalars(select(AnswerTemplate).order_by(AnswerTemplate.title)).all() if show else []
    if form is None and show:
        default = idea.planned_status if prepared and idea.planned_status in decisions else (
            idea.status if idea.status in decisions else decisions[0])
        form = AnswerForm(formdata=None, prefix="answer", data=dict(
            decision=default.value, answer=idea.prepared_answer if prepared else "",
            expected=idea.status.value))
    if form is not None:
        form.set_choices(decisions, templates)
    return dict(show=show, form=form, prepared=prepared, templates=templates, used_template=used_template,
                published=idea.answer_published_at is not None and bool(idea.answer_html))


def fill_placeholders(text: str, idea: Idea) -> str:
    """A template's text for one idea; only the three named placeholders are replaced."""
    values = {"title": idea.title, "reference": idea.reference or "",
              "field": idea.action_field.name if idea.action_field else ""}
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _answer_response(idea: Idea, form: AnswerForm, status: int, used_template: str | None = None):
    answering = answer_context(idea, form, used_template)
    if is_htmx():
        return render_template("moderation/_answer_actions.html", idea=idea, answering=answering,
                               announce=True), status
    return _staff_page(idea, status, answering=answering)


def discard_prepared_answer(idea: Idea) -> None:
    """Throw away an answer that is not public yet; this changes no status and keeps a released answer."""
    # Conditional: if someone releases the answer meanwhile, the released answer stays.
    result = db.session.execute(
        update(Idea).where(Idea.id == idea.id, Idea.planned_status.is_not(None))
        .values(prepared_answer=None, planned_status=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise WorkflowError(_l("There is no prepared answer to discard."))


@bp.route("/ideas/<int:idea_id>/answer", methods=["POST"])
def answer(idea_id: int):
    """Prepare the public answer to an idea or publish it at once; "Use template" fills in a template."""
    idea = load_idea(idea_id)
    if idea.status not in ANSWERABLE:
        flash(_("This idea cannot be answered in its current status."), "error")
        return _back_to_idea(idea, "answer")
    form = AnswerForm(prefix="answer")
    form.set_choices(answer_decisions(idea), [])
    if form.use_template.data:
        template = None
        if form.template.data and 0 < form.template.data <= MAX_ID:
            template = db.session.get(AnswerTemplate, form.template.data)
        if template is None:
            form.template.errors = [_("Please choose a template.")]
            return _answer_response(idea, form, 422)
        form.answer.data = fill_placeholders(template.body, idea)
        return _answer_response(idea, form, 200, used_template=template.title)
    if not form.validate_on_submit():
        return _answer_response(idea, form, 422)
    expected = _submitted_status(form.expected.data)
    try:
        if expected != idea.status:
            raise WorkflowError(workflow.STALE)
        workflow.prepare_answer(idea, current_user, IdeaStatus(form.decision.data), form.answer.data)
        if form.publish.data:
            workflow.release_answer(idea, current_user, expected=expected)
    except WorkflowError as error:
        return _refused(idea, error, "answer")
    db.session.commit()
    if form.publish.data:
        flash(_("The answer is now public. The author and the people following the idea get an e-mail."),
              "success")
    else:
        flash(_("The answer is saved. Citizens will see it once it is published."), "success")
    return _back_to_idea(idea, "answer")


@bp.route("/ideas/<int:idea_id>/answer/release", methods=["POST"])
def release_answer(idea_id: int):
    """Publish the prepared answer of one idea now; its author and followers get an e-mail."""
    idea = load_idea(idea_id)
    expected = _submitted_status(request.form.get("expected"))
    try:
        if expected is None:
            raise WorkflowError(workflow.STALE)
        workflow.release_answer(idea, current_user, expected=expected)
    except WorkflowError as error:
        return _refused(idea, error, "answer")
    db.session.commit()
    flash(_("The answer is now public. The author and the people following the idea get an e-mail."), "success")
    return _back_to_idea(idea, "answer")


@bp.route("/ideas/<int:idea_id>/answer/discard", methods=["POST"])
def discard_answer(idea_id: int):
    """Throw away a prepared answer before anyone has seen it."""
    idea = load_idea(idea_id)
    try:
        discard_prepared_answer(idea)
    except WorkflowError as error:
        return _refused(idea, error, "answer")
    db.session.commit()
    flash(_("The prepared answer has been discarded."), "success")
    return _back_to_idea(idea, "answer")


# Answer templates.

@bp.route("/templates", methods=["GET", "POST"])
def templates():
    """The answer templates, and a form to write a new one."""
    form = TemplateForm()
    if form.validate_on_submit():
        db.session.add(AnswerTemplate(title=form.title.data, body=form.body.data, created_by_id=current_user.id))
        db.session.commit()
        flash(_("The template is saved."), "success")
        return redirect(url_for("moderation.templates"))
    rows = db.session.scalars(select(AnswerTemplate).order_by(AnswerTemplate.title)).all()
    status = 422 if form.errors else 200
    return render_template("moderation/templates.html", answer_templates=rows, form=form,
                           answer_template=None), status


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int):
    """Change the name or the text of an answer template."""
    template = get_or_404(AnswerTemplate, template_id)
    form = TemplateForm(obj=template)
    if form.validate_on_submit():
        template.title = form.title.data
        template.body = form.body.data
        db.session.commit()
        flash(_("The template is saved."), "success")
        return redirect(url_for("moderation.templates"))
    status = 422 if form.errors else 200
    return render_template("moderation/templates.html", answer_templates=[], form=form,
                           answer_template=template), status


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
def delete_template(template_id: int):
    """Delete an answer template; answers written with it stay as they are."""
    template = get_or_404(AnswerTemplate, template_id)
    db.session.delete(template)
    db.session.commit()
    flash(_("The template has been deleted."), "success")
    return redirect(url_for("moderation.templates"))


# Releasing prepared answers per action field, e.g. after a council decision.

def waiting_answers():
    """The same selection as workflow.release_field_answers: prepared, not yet public."""
    return select(Idea).where(Idea.planned_status.is_not(None), Idea.status.in_(workflow.ANSWERABLE))


def prepared_ideas(field: ActionField) -> list[Idea]:
    return db.session.scalars(waiting_answers().where(Idea.action_field_id == field.id).order_by(Idea.id)).all()


@bp.route("/release")
def release():
    """Per action field, how many prepared answers are waiting, with a button to publish them together."""
    process = current_process()
    rows, unfiled = [], []
    if process is not None:
        counts = dict(db.session.execute(
            select(Idea.action_field_id, func.count(Idea.id))
            .where(Idea.process_id == process.id, Idea.planned_status.is_not(None),
                   Idea.status.in_(workflow.ANSWERABLE))
            .group_by(Idea.action_field_id)
        ).all())
        rows = [(field, counts.get(field.id, 0)) for field in process.action_fields]
        if counts.get(None):
            unfiled = db.session.scalars(
                waiting_answers().where(Idea.process_id == process.id, Idea.action_field_id.is_(None))
                .order_by(Idea.id)).all()
    return render_template("moderation/release.html", process=process, processes=running_processes(),
                           rows=rows, unfiled=unfiled)


@bp.route("/release/<int:field_id>", methods=["POST"])
def release_field(field_id: int):
    """Show the answers of an action field for confirmation, then publish all of them at once."""
    field = get_or_404(ActionField, field_id)
    ideas = prepared_ideas(field)
    overview = redirect(url_for("moderation.release", process=field.process.slug))
    if request.form.get("confirm") != "1":
        if not ideas:
            flash(_("There are no prepared answers in this action field."), "error")
            return overview
        return render_template("moderation/release.html", confirm_field=field, ideas=ideas, process=field.process)
    shown = _ids(request.form.getlist("ids"))
    if shown is None or set(shown) != {idea.id for idea in ideas}:
        flash(_("The list of prepared answers has changed meanwhile. Please check it again."), "error")
        if not ideas:
            return overview
        return render_template("moderation/release.html", confirm_field=field, ideas=ideas,
                               process=field.process), 409
    try:
        count = workflow.release_field_answers(field, current_user)
    except WorkflowError as error:
        db.session.rollback()
        flash(_("Nothing has been published: %(reason)s", reason=str(error)), "error")
        return overview
    db.session.commit()
    flash(ngettext("%(num)d answer is now public. Authors and followers get an e-mail.",
                   "%(num)d answers are now public. Authors and followers get an e-mail.", count), "success")
    return overview


# Filing an idea under action fields.

def tag_context(idea: Idea, form: TagForm | None = None) -> dict:
    """What the action-field part of the staff idea page shows; a form with errors is passed in."""
    fields = idea.process.action_fields
    show = idea.status not in UNTAGGABLE and bool(fields)
    if form is None and show:
        primary = idea.action_field or idea.suggested_field
        form = TagForm(formdata=None, prefix="tag", data=dict(
            primary=primary.id if primary else None, further=[f.id for f in idea.further_fields]))
    if form is not None:
        form.set_fields(fields)
    return dict(show=show, form=form)


@bp.route("/ideas/<int:idea_id>/tag", methods=["POST"])
def tag(idea_id: int):
    """File an idea under its primary action field and, if it concerns them too, further ones."""
    idea = load_idea(idea_id)
    if idea.status in UNTAGGABLE or not idea.process.action_fields:
        flash(_("The action fields of this idea can no longer be changed."), "error")
        return _back_to_idea(idea, "tags")
    form = TagForm(prefix="tag")
    form.set_fields(idea.process.action_fields)
    if form.validate_on_submit():
        # Only fields of the idea's own process; ids from the form are never trusted as they are.
        own = {f.id: f for f in idea.process.action_fields}
        foreign = _("This action field does not belong to the process of this idea. "
                    "Please choose one of its own action fields.")
        further = form.further.data or []
        if form.primary.data is None:
            form.primary.errors.append(_("Please choose the primary action field."))
        elif form.primary.data not in own:
            form.primary.errors.append(foreign)
        elif any(i not in own for i in further):
            form.further.errors.append(foreign)
        else:
            try:
                workflow.tag(idea, current_user, own[form.primary.data], [own[i] for i in further])
            except WorkflowError as error:
                return _refused(idea, error, "tags")
            db.session.commit()
            flash(_("The action fields are saved."), "success")
            return _back_to_idea(idea, "tags")
    return _staff_page(idea, tagging=tag_context(idea, form))


# Merging duplicates: supports add up (a person counts once), authors become co-authors.

def find_by_reference(value: str) -> Idea | None:
    """The idea with a number as people type it: "2026-00042", "No. 2026-42", "#2026-00042"."""
    match = REFERENCE.search(value or "")
    if match is None:
        return None
    year, number = match.groups()
    reference = f"{year}-{int(number):05d}"
    return db.session.scalar(select(Idea).where(Idea.reference == reference))


def _not_mergeable(idea: Idea) -> str:
    return _("The idea No. %(ref)s cannot be merged while its status is \"%(status)s\".",
             ref=idea.reference, status=STATUS[idea.status])


def _cannot_take_in(idea: Idea) -> str:
    return _("Nothing can be merged into the idea No. %(ref)s while its status is \"%(status)s\".",
             ref=idea.reference, status=STATUS[idea.status])


def merge_problem(source: Idea, target: Idea | None) -> str | None:
    """Why these two ideas cannot be merged, in words for the moderator; None if they can."""
    if target is None:
        return _("There is no idea with this number.")
    if target.id == source.id:
        return _("An idea cannot be merged into itself.")
    if target.process_id != source.process_id:
        return _("This idea belongs to another process. Only ideas of the same process can be merged.")
    if source.status not in merging.MERGEABLE:
        return _not_mergeable(source)
    if target.status not in merging.MERGEABLE:
        return _cannot_take_in(target)
    return None


def merge_preview(sources: list[Idea], target: Idea) -> dict:
    """How the supports will add up, computed the way merging.merge moves them."""
    def voters(idea):
        return set(db.session.scalars(select(Vote.user_id).where(Vote.idea_id == idea.id)))

    staying = voters(target)
    before = len(staying)
    if target.author_id is not None:
        staying.add(target.author_id)
    moving: set[int] = set()
    given = 0
    for source in sources:
        source_voters = voters(source)
        given += len(source_voters)
        moving |= source_voters - staying
    return dict(moving=len(moving), once=given - len(moving), before=before, after=before + len(moving))


def merge_context(idea: Idea, form: MergeForm | None = None,
                  similar_form: MergeSimilarForm | None = None) -> dict:
    """What the merging part of the staff idea page shows; forms with errors are passed in."""
    can_merge = idea.status in merging.MERGEABLE
    similar = []
    if can_merge:
        similar = [i for i in search.similar(idea.title, idea.process_id, limit=8, exclude_id=idea.id)
                   if i.status in merging.MERGEABLE]
    merged_here = db.session.scalars(
        select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id)).all()
    if can_merge:
        form = form or MergeForm(formdata=None, prefix="merge")
        similar_form = similar_form or MergeSimilarForm(formdata=None, prefix="similar")
    return dict(can_merge=can_merge, form=form, similar_form=similar_form, similar=similar,
                merged_here=merged_here)


def _confirm_merge_page(target: Idea, sources: list[Idea], note: str, back: Idea):
    confirm = dict(target=target, sources=sources, note=note, back=back,
                   preview=merge_preview(sources, target))
    return render_template("moderation/_merge_actions.html", idea=back, merge_confirm=confirm)


@bp.route("/ideas/<int:idea_id>/merge", methods=["POST"])
def merge_into(idea_id: int):
    """From a duplicate's page: check the idea it should be merged into, then ask to confirm."""
    source = load_idea(idea_id)
    if source.status not in merging.MERGEABLE:
        flash(_not_mergeable(source), "error")
        return _back_to_idea(source, "merge")
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        target = find_by_reference(form.reference.data)
        problem = merge_problem(source, target)
        if problem is None:
            return _confirm_merge_page(target, [source], form.note.data or "", back=source)
        form.reference.errors.append(problem)
    return _staff_page(source, merging=merge_context(source, form=form))


@bp.route("/ideas/<int:idea_id>/merge-similar", methods=["POST"])
def merge_similar(idea_id: int):
    """From the page of the idea that stays: check the chosen similar ideas, then ask to confirm."""
    target = load_idea(idea_id)
    if target.status not in merging.MERGEABLE:
        flash(_cannot_take_in(target), "error")
        return _back_to_idea(target, "merge")
    form = MergeSimilarForm(prefix="similar")
    if form.validate_on_submit():
        ids = _ids(form.sources.data or [])
        if not ids:
            form.sources.errors.append(_("Please choose at least one idea to merge into this one."))
        elif len(ids) > MAX_MERGE_SOURCES:
            form.sources.errors.append(_("Please choose at most %(num)d ideas at once.", num=MAX_MERGE_SOURCES))
        else:
            sources = [db.session.get(Idea, i) for i in ids]
            problems = [merge_problem(s, target) if s is not None else _("One of the chosen ideas does not exist.")
                        for s in sources]
            problems = [p for p in problems if p]
            if not problems:
                return _confirm_merge_page(target, sources, form.note.data or "", back=target)
            form.sources.errors.extend(dict.fromkeys(problems))
    return _staff_page(target, merging=merge_context(target, similar_form=form))


@bp.route("/ideas/<int:idea_id>/merge/confirm", methods=["POST"])
def confirm_merge(idea_id: int):
    """Merge the confirmed ideas into this one; supports move, comments stay, authors are named."""
    target = load_idea(idea_id)
    back = target
    back_id = int_or_none(request.form.get("back"))
    if back_id and 0 < back_id <= MAX_ID:
        back = db.session.get(Idea, back_id) or target
    ids = _ids(request.form.getlist("sources"))
    sources = [db.session.get(Idea, i) for i in ids or []]
    if not sources or len(sources) > MAX_MERGE_SOURCES or None in sources:
        flash(_("Please choose the ideas to merge again."), "error")
        return _back_to_idea(back, "merge")
    problems = [p for p in (merge_problem(s, target) for s in sources) if p]
    note = clean_text(request.form.get("note"), multiline=True)[:NOTE_MAX]
    try:
        if problems:
            raise WorkflowError(problems[0])
        merging.merge(sources, target, current_user, note or None)
    except WorkflowError as error:
        return _refused(back, error, "merge")
    db.session.commit()
    flash(ngettext("%(num)d idea has been merged into this one. Its supports count here now.",
                   "%(num)d ideas have been merged into this one. Their supports count here now.",
                   len(sources)), "success")
    return _back_to_idea(target, "merge")


@bp.context_processor
def _evaluation_panels():
    # The staff idea page is rendered by other views too; they get the default forms from here.
    return {"answering_for": answer_context, "tagging_for": tag_context, "merging_for": merge_context}
