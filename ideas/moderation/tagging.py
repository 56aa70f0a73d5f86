"""Filing an idea under its primary action field and further ones, on the staff idea page."""
from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from ideas import workflow
from ideas.extensions import db
from ideas.models import Idea, IdeaStatus
from ideas.moderation import bp
from ideas.moderation.answer_forms import TagForm
from ideas.moderation.ideas import back_to_idea as _back_to_idea
from ideas.moderation.ideas import load_idea
from ideas.moderation.ideas import refused as _refused
from ideas.moderation.ideas import staff_page as _staff_page
from ideas.workflow import WorkflowError

S = IdeaStatus
UNTAGGABLE = (S.merged, S.withdrawn)


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



@bp.context_processor
def _tagging_panel():
    # The staff idea page is rendered by other views too; they get the default form from here.
    return {"tagging_for": tag_context}
