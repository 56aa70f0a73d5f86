"""The staff view of one idea: everything about it, its history, notes and the decisions."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ideas.extensions import db
from ideas.forms import EmptyForm
from ideas.models import Comment, Idea, InternalNote, ModerationEvent, Report
from ideas.moderation import bp
from ideas.moderation.answer_forms import int_or_none
from ideas.moderation.forms import NoteForm
from ideas.participation import MAX_ID, get_or_404
from ideas.sanitize import clean_text
from ideas.workflow import WorkflowError


def staff_page(idea: Idea, status: int = 422, **extra):
    """The staff idea page again, e.g. with a form and its errors, with the given status."""
    return render_template("moderation/idea.html", **idea_context(idea, **extra)), status


def back_to_idea(idea: Idea | int, anchor: str | None = None):
    return redirect(url_for("moderation.idea", idea_id=getattr(idea, "id", idea), _anchor=anchor))


def refused(idea: Idea | int, error: WorkflowError, anchor: str | None = None):
    """Nothing of a refused change is kept; the moderator sees why and the current state."""
    db.session.rollback()
    flash(str(error), "error")
    return back_to_idea(idea, anchor)


def submitted_ids(values) -> list[int] | None:
    """Ids sent by a form, each once; None if one of them cannot be an id."""
    ids = [int_or_none(v) for v in values]
    if any(i is None or not 0 < i <= MAX_ID for i in ids):
        return None
    return list(dict.fromkeys(ids))


def load_idea(idea_id: int) -> Idea:
    """Any idea, whatever its status: staff see them all."""
    return get_or_404(Idea, idea_id)


def idea_context(idea: Idea, **extra) -> dict:
    """Everything the staff page shows; decision modules add their forms through `extra`."""
    events = db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.idea_id == idea.id)
        .options(db.joinedload(ModerationEvent.actor))
        .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
    ).all()
    notes = db.session.scalars(
        select(InternalNote).where(InternalNote.idea_id == idea.id)
        .options(db.joinedload(InternalNote.author))
        .order_by(InternalNote.created_at.desc())
    ).all()
    reports = db.session.scalars(
        select(Report).where(Report.idea_id == idea.id, Report.resolved_at.is_(None))
        .options(db.joinedload(Report.comment).joinedload(Comment.author))
        .order_by(Report.created_at)
    ).all()
    context = dict(idea=idea, events=events, notes=notes, reports=reports, form=EmptyForm(),
                   note_form=NoteForm(formdata=None))
    context.update(extra)
    return context


@bp.route("/ideas/<int:idea_id>")
def idea(idea_id: int):
    """Staff view of an idea: text, status, reports, history, internal notes and actions."""
    return render_template("moderation/idea.html", **idea_context(load_idea(idea_id)))


@bp.route("/ideas/<int:idea_id>/notes", methods=["POST"])
def add_note(idea_id: int):
    """Add an internal note that citizens never see."""
    idea = load_idea(idea_id)
    form = NoteForm()
    if form.validate_on_submit():
        db.session.add(InternalNote(idea_id=idea.id, author_id=current_user.id,
                                    body=clean_text(form.body.data, multiline=True)))
        db.session.commit()
        flash(_("Your note is saved."), "success")
        return redirect(url_for("moderation.idea", idea_id=idea.id, _anchor="notes"))
    return render_template("moderation/idea.html", **idea_context(idea, note_form=form)), 422
