"""Evaluation on the staff idea page: public answers, prepared and then released alone or per
action field, and the answer templates that save the staff time.
"""
import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select, update

from ideas import workflow
from ideas.extensions import db
from ideas.htmx import is_htmx
from ideas.models import ActionField, AnswerTemplate, Idea, IdeaStatus
from ideas.moderation import bp
from ideas.moderation.answer_forms import (
    AnswerForm,
    TemplateForm,
)
from ideas.moderation.ideas import back_to_idea as _back_to_idea
from ideas.moderation.ideas import load_idea, submitted_ids
from ideas.moderation.ideas import refused as _refused
from ideas.moderation.ideas import staff_page as _staff_page
from ideas.participation import MAX_ID, get_or_404
from ideas.processes import current_process, running_processes
from ideas.workflow import WorkflowError

S = IdeaStatus
ANSWERABLE = (S.published, S.under_review, S.accepted, S.rejected)
PLACEHOLDER = re.compile(r"\{(title|reference|field)\}")


def _submitted_status(value) -> IdeaStatus | None:
    try:
        return IdeaStatus(value)
    except ValueError:
        return None


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
    shown = submitted_ids(request.form.getlist("ids"))
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


@bp.context_processor
def _answer_panel():
    # The staff idea page is rendered by other views too; they get the default form from here.
    return {"answering_for": answer_context}
