"""The netiquette gate: publish, return or hide ideas and comments; kept apart from the evaluation.

Every decision about an idea carries the status the moderator saw (`expected`); if another
moderator has decided meanwhile, the workflow refuses and nothing is written.
"""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ideas import discussion, workflow
from ideas.database import lock_row
from ideas.extensions import db
from ideas.models import (
    Comment,
    CommentStatus,
    Idea,
    IdeaStatus,
    ModerationEvent,
    NetiquetteReason,
    Report,
)
from ideas.moderation import bp
from ideas.moderation.decision_forms import (
    REASONS,
    CommentHideForm,
    DeclineForm,
    HideForm,
    expected_status,
)
from ideas.moderation.ideas import back_to_idea, idea_context, load_idea
from ideas.moderation.ideas import refused as _refused
from ideas.participation import MAX_ID

S = IdeaStatus
DISMISSED = "dismissed"


def moderated_comments(idea: Idea) -> list[tuple[Comment, int]]:
    """The idea's comments that are hidden or have open reports, with the number of open reports."""
    open_count = (
        select(func.count(func.distinct(Report.reporter_id)))
        .where(Report.comment_id == Comment.id, Report.resolved_at.is_(None))
        .correlate(Comment).scalar_subquery()
    )
    rows = db.session.execute(
        select(Comment, open_count)
        .where(Comment.idea_id == idea.id,
               or_(Comment.status == CommentStatus.hidden, open_count > 0))
        .options(db.joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    return [(comment, count) for comment, count in rows]


def netiquette_context(idea: Idea, decline_form: DeclineForm | None = None,
                       hide_form: HideForm | None = None, comment_errors: dict | None = None) -> dict:
    """What the netiquette part of the staff idea page shows; forms with errors are passed in."""
    author = idea.author
    return dict(
        decline_form=decline_form or DeclineForm(formdata=None),
        hide_form=hide_form or HideForm(formdata=None),
        can_decide=idea.status == S.pending,
        can_trust=author is not None and not author.trusted and not author.is_staff,
        can_hide=idea.is_public and workflow.can_change(idea.status, S.hidden),
        can_show=idea.status == S.hidden,
        open_reports=discussion.open_reports(idea, None),
        comments=moderated_comments(idea),
        comment_errors=comment_errors or {},
        reasons=REASONS,
    )


@bp.context_processor
def _netiquette_for():
    # The staff idea page is rendered by other views too; they get the default forms from here.
    return {"netiquette_for": netiquette_context}


def _staff_page(idea: Idea, status: int = 422, **forms):
    context = idea_context(idea, netiquette=netiquette_context(idea, **forms))
    return render_template("moderation/idea.html", **context), status


def _back_to_queue():
    return redirect(url_for("moderation.queue", tab="new"))


def _back_to_idea(idea_id: int, anchor: str = "netiquette"):
    return back_to_idea(idea_id, anchor)


@bp.route("/ideas/<int:idea_id>/publish", methods=["POST"])
def publish(idea_id: int):
    """Let a waiting idea through; "publish and trust" lets the author's later ideas skip the queue."""
    idea = load_idea(idea_id)
    expected = expected_status()
    trust = request.form.get("trust") == "1"
    try:
        workflow.publish(idea, current_user, trust_author=trust, expected=expected)
    except workflow.WorkflowError as exc:
        return _refused(idea_id, exc)
    db.session.commit()
    if trust and idea.author is not None:
        flash(_("The idea is published. Later ideas of %(name)s will be published without waiting.",
                name=idea.author.display_name), "success")
    else:
        flash(_("The idea is published."), "success")
    return _back_to_queue()


@bp.route("/ideas/<int:idea_id>/decline", methods=["POST"])
def decline(idea_id: int):
    """Return a waiting idea to its author with a reason; the author can revise and resubmit it."""
    idea = load_idea(idea_id)
    expected = expected_status()
    form = DeclineForm()
    if not form.validate_on_submit():
        return _staff_page(idea, decline_form=form)
    try:
        workflow.decline(idea, current_user, form.chosen, form.note.data, expected=expected)
    except workflow.WorkflowError as exc:
        return _refused(idea_id, exc)
    db.session.commit()
    flash(_("The idea has been returned to its author for revision."), "success")
    return _back_to_queue()


@bp.route("/ideas/<int:idea_id>/hide", methods=["POST"])
def hide(idea_id: int):
    """Take a published idea off the public pages; open reports about it are closed as decided."""
    idea = load_idea(idea_id)
    expected = expected_status()
    form = HideForm()
    if not form.validate_on_submit():
        return _staff_page(idea, hide_form=form)
    try:
        workflow.hide(idea, current_user, form.chosen, form.note.data, expected=expected)
    except workflow.WorkflowError as exc:
        return _refused(idea_id, exc)
    discussion.resolve_reports(idea, None, current_user, "hidden")
    db.session.commit()
    flash(_("The idea is hidden. Its author has been told why."), "success")
    return _back_to_idea(idea_id)


@bp.route("/ideas/<int:idea_id>/show", methods=["POST"])
def show(idea_id: int):
    """Show a hidden idea again in the status it had before; reports still open are dismissed."""
    idea = load_idea(idea_id)
    expected = expected_status()
    try:
        workflow.unhide(idea, current_user, expected=expected)
    except workflow.WorkflowError as exc:
        return _refused(idea_id, exc)
    # Left open, the next report would hide the idea again at once.
    discussion.resolve_reports(idea, None, current_user, DISMISSED)
    db.session.commit()
    flash(_("The idea is visible again."), "success")
    return _back_to_idea(idea_id)


@bp.route("/ideas/<int:idea_id>/dismiss-reports", methods=["POST"])
def dismiss_reports(idea_id: int):
    """Close the reports about an idea as unfounded; if reports had hidden it, show it again."""
    idea = load_idea(idea_id)
    expected = expected_status()
    try:
        if idea.status != expected:
            raise workflow.WorkflowError(workflow.STALE)
        closed = discussion.resolve_reports(idea, None, current_user, DISMISSED)
        auto_hidden = idea.status == S.hidden and idea.moderation_reason == NetiquetteReason.reported
        if not closed and not auto_hidden:
            db.session.rollback()
            flash(_("There are no open reports about this idea."), "info")
            return _back_to_idea(idea_id)
        db.session.add(ModerationEvent(
            idea_id=idea.id, actor_id=current_user.id, from_status=idea.status, to_status=idea.status,
            reason="reports_dismissed",
        ))
        if auto_hidden:
            workflow.unhide(idea, current_user, expected=expected)
    except workflow.WorkflowError as exc:
        return _refused(idea_id, exc)
    db.session.commit()
    if auto_hidden:
        flash(_("The reports are dismissed and the idea is visible again."), "success")
    else:
        flash(_("The reports are dismissed."), "success")
    return _back_to_idea(idea_id)


# Comments: hidden or shown again; their place in the thread stays.

def load_comment(comment_id: int) -> Comment:
    """A comment, locked so that two moderators acting at once cannot both change the counter."""
    if not 0 < comment_id <= MAX_ID:
        abort(404)
    comment = db.session.scalar(
        lock_row(select(Comment).where(Comment.id == comment_id)).execution_options(populate_existing=True)
    )
    if comment is None:
        abort(404)
    return comment


def _back_to_comments(comment: Comment):
    return _back_to_idea(comment.idea_id, anchor="moderated-comments")


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
def hide_comment(comment_id: int):
    """Hide a comment with a reason; its author is told, open reports about it are closed."""
    comment = load_comment(comment_id)
    form = CommentHideForm()
    if not form.validate_on_submit():
        return _staff_page(comment.idea, comment_errors={comment.id: form.reason.errors})
    if not comment.is_visible:
        flash(_("This comment is not shown anyway."), "info")
        return _back_to_comments(comment)
    discussion.hide_comment(comment, current_user, form.chosen)
    discussion.resolve_reports(comment.idea, comment, current_user, "hidden")
    db.session.commit()
    flash(_("The comment is hidden. Its author has been told why."), "success")
    return _back_to_comments(comment)


@bp.route("/comments/<int:comment_id>/show", methods=["POST"])
def show_comment(comment_id: int):
    """Show a hidden comment again; reports still open about it are dismissed."""
    comment = load_comment(comment_id)
    if comment.status != CommentStatus.hidden:
        flash(_("This comment is visible already."), "info")
        return _back_to_comments(comment)
    discussion.unhide_comment(comment, current_user)
    discussion.resolve_reports(comment.idea, comment, current_user, DISMISSED)
    db.session.commit()
    flash(_("The comment is visible again."), "success")
    return _back_to_comments(comment)


@bp.route("/comments/<int:comment_id>/dismiss", methods=["POST"])
def dismiss_comment_reports(comment_id: int):
    """Close the reports about a comment as unfounded; if reports had hidden it, show it again."""
    comment = load_comment(comment_id)
    closed = discussion.resolve_reports(comment.idea, comment, current_user, DISMISSED)
    auto_hidden = comment.status == CommentStatus.hidden and comment.moderation_reason == NetiquetteReason.reported
    if not closed and not auto_hidden:
        flash(_("There are no open reports about this comment."), "info")
        return _back_to_comments(comment)
    db.session.add(ModerationEvent(
        idea_id=comment.idea_id, comment_id=comment.id, actor_id=current_user.id, reason="reports_dismissed",
    ))
    if auto_hidden:
        discussion.unhide_comment(comment, current_user)
    db.session.commit()
    if auto_hidden:
        flash(_("The reports are dismissed and the comment is visible again."), "success")
    else:
        flash(_("The reports are dismissed."), "success")
    return _back_to_comments(comment)
