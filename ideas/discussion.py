"""Comments with one level of replies, and reports of ideas and comments."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ideas.counters import bump
from ideas.extensions import db
from ideas.models import Comment, Idea, Report, ReportReason, User, utcnow
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
    """Record a report; False if this person has reported this item already."""
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
    return True


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
    return [(c, replies.get(c.id, [])) for c in top if c.is_visible or replies.get(c.id)]
