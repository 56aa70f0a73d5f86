"""Comments with one level of replies, and reports of ideas and comments."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ideas import notify
from ideas.counters import bump
from ideas.database import lock_row
from ideas.extensions import db
from ideas.models import (
    Comment,
    CommentStatus,
    Idea,
    ModerationEvent,
    NetiquetteReason,
    Report,
    ReportReason,
    User,
    utcnow,
)
from ideas.sanitize import clean_text
from ideas.workflow import WorkflowError


def add_comment(user: User, idea: Idea, body: str, parent: Comment | None = None) -> Comment:
    """Add a comment or a reply; a reply to a reply joins the same thread."""
    if not idea.is_public:
        raise WorkflowError(_l("This idea cannot be commented on."))
    if parent is not None:
        if parent.idea_id != idea.id or not parent.is_visible:
            raise WorkflowError(_l("You cannot reply to this comment."))
        if parent.parent_id is not None:
            parent = parent.parent
    comment = Comment(idea=idea, author=user, parent=parent, body=clean_text(body, multiline=True))
    db.session.add(comment)
    db.session.flush()
    bump(idea, "comment_count", +1)
    return comment


def delete_comment(comment: Comment, user: User) -> None:
    """Soft-delete an own comment: its place in the thread stays, its text goes."""
    if comment.author_id != user.id:
        raise WorkflowError(_l("You can only delete your own comments."))
    if comment.is_deleted:
        return
    was_visible = comment.is_visible
    comment.deleted_at = utcnow()
    if was_visible:
        bump(comment.idea, "comment_count", -1)


def report(user: User, idea: Idea, reason: ReportReason, note: str | None = None,
           comment: Comment | None = None) -> bool:
    """Record a report; enough reports by different people hide the item until a moderator decides.

    Returns False if this person has reported this item already.
    """
    # Serialise reports on the same idea so that parallel reports cannot all miss the threshold.
    db.session.execute(lock_row(select(Idea.id).where(Idea.id == idea.id)))
    existing = select(Report.id).where(Report.reporter_id == user.id)
    if comment is not None:
        existing = existing.where(Report.comment_id == comment.id)
    else:
        existing = existing.where(Report.idea_id == idea.id, Report.comment_id.is_(None))
    if db.session.scalar(existing) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Report(
                reporter_id=user.id, idea_id=idea.id, comment_id=comment.id if comment else None,
                reason=reason, note=clean_text(note, multiline=True)[:500] or None,
            ))
    except IntegrityError:
        return False
    count = open_reports(idea, comment)
    if count >= idea.process.report_threshold and _is_shown(idea, comment):
        _auto_hide(idea, comment)
        notify.auto_hidden(idea, comment, count)
    else:
        notify.report_received(idea, comment, count)
    return True


def open_reports(idea: Idea, comment: Comment | None) -> int:
    """How many different people have reported this item and are still waiting for a decision."""
    stmt = select(func.count(func.distinct(Report.reporter_id))).where(Report.resolved_at.is_(None))
    if comment is not None:
        stmt = stmt.where(Report.comment_id == comment.id)
    else:
        stmt = stmt.where(Report.idea_id == idea.id, Report.comment_id.is_(None))
    return db.session.scalar(stmt)


def _is_shown(idea: Idea, comment: Comment | None) -> bool:
    return comment.is_visible if comment is not None else idea.is_public


def _auto_hide(idea: Idea, comment: Comment | None) -> None:
    if comment is not None:
        hide_comment(comment, None, NetiquetteReason.reported)
    else:
        from ideas import workflow
        workflow.hide(idea, None, NetiquetteReason.reported)


def hide_comment(comment: Comment, actor: User | None, reason: NetiquetteReason) -> None:
    """Hide a comment; its place in the thread stays with a notice, its author is told why."""
    if not comment.is_visible:
        return
    comment.status = CommentStatus.hidden
    comment.moderation_reason = reason
    bump(comment.idea, "comment_count", -1)
    _record(comment, actor, "comment_hidden", reason.value)
    notify.comment_hidden(comment)


def unhide_comment(comment: Comment, actor: User) -> None:
    """Show a hidden comment again."""
    if comment.status != CommentStatus.hidden:
        return
    comment.status = CommentStatus.visible
    comment.moderation_reason = None
    if not comment.is_deleted:
        bump(comment.idea, "comment_count", +1)
    _record(comment, actor, "comment_shown", None)


def resolve_reports(idea: Idea, comment: Comment | None, actor: User, resolution: str) -> int:
    """Close the open reports of an item (dismissed, hidden, ...); returns how many."""
    stmt = update(Report).where(Report.resolved_at.is_(None))
    if comment is not None:
        stmt = stmt.where(Report.comment_id == comment.id)
    else:
        stmt = stmt.where(Report.idea_id == idea.id, Report.comment_id.is_(None))
    result = db.session.execute(
        stmt.values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _record(comment: Comment, actor: User | None, reason: str, note: str | None) -> None:
    db.session.add(ModerationEvent(
        idea_id=comment.idea_id, comment_id=comment.id, actor_id=actor.id if actor else None,
        from_status=None, to_status=None, reason=reason, note=note,
    ))


def thread(idea: Idea) -> list[tuple[Comment, list[Comment]]]:
    """The comments of an idea as (comment, replies) pairs, oldest first, in one query."""
    comments = db.session.scalars(
        select(Comment).where(Comment.idea_id == idea.id)
        .options(db.joinedload(Comment.author))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    replies: dict[int, list[Comment]] = {}
    top = []
    for comment in comments:
        if comment.parent_id is None:
            top.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    # A hidden comment keeps its place with a notice; a deleted one only if it has replies.
    return [(c, replies.get(c.id, [])) for c in top
            if c.is_visible or c.status == CommentStatus.hidden or replies.get(c.id)]
