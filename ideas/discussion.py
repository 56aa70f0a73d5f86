"""Comments with one level of replies, and reports of ideas and comments."""
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, bindparam, func, select, union_all, update
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


COMMENTS_PER_PAGE = 20  # top-level threads per page of the discussion, each with all its replies


@dataclass(frozen=True, slots=True)
class ShownAuthor:
    display_name: str
    deleted_at: datetime | None


@dataclass(slots=True)
class ShownComment:
    """A comment as the idea page shows it: plain values read in one query, without the ORM's
    bookkeeping per object (a page holds dozens); its rules are the model's own."""

    id: int
    idea_id: int
    parent_id: int | None
    author_id: int | None
    body: str
    status: CommentStatus
    created_at: datetime
    deleted_at: datetime | None
    author: ShownAuthor | None

    is_deleted = Comment.is_deleted
    is_visible = Comment.is_visible

    @classmethod
    def from_row(cls, row: tuple) -> "ShownComment":
        """From (*SHOWN_COLUMNS, author's display name, author's deleted_at)."""
        author = ShownAuthor(row[-2], row[-1]) if row[3] is not None else None
        return cls(*row[:-2], author=author)


SHOWN_COLUMNS = (Comment.id, Comment.idea_id, Comment.parent_id, Comment.author_id, Comment.body,
                 Comment.status, Comment.created_at, Comment.deleted_at)


@dataclass
class CommentPage:
    """One page of an idea's discussion: threads after a cursor, and the cursor of the next page."""

    threads: list[tuple[ShownComment, list[ShownComment]]]
    after: int = 0                 # the last top-level comment id before this page; 0 is the first page
    next_after: int | None = None  # where "Show more comments" continues; None on the last page


def _top_level(idea_id: int):
    return select(Comment.id).where(Comment.idea_id == idea_id, Comment.parent_id.is_(None))


@cache
def _page_statement():
    """Built once: SQLAlchemy spends more on constructing a CTE and a UNION than SQLite on running them."""
    top = (select(Comment.id)
           .where(Comment.idea_id == bindparam("idea_id"), Comment.parent_id.is_(None),
                  Comment.id > bindparam("after"))
           .order_by(Comment.id).limit(bindparam("limit", type_=Integer)).cte("top"))
    columns = (*SHOWN_COLUMNS, User.display_name, User.deleted_at)
    # The threads' first comments and their replies, each found through an index: two halves of
    # a UNION cost the size of the page, where one OR would scan the idea's whole discussion.
    both = union_all(*(
        select(*columns).outerjoin(User, User.id == Comment.author_id).where(link.in_(select(top.c.id)))
        for link in (Comment.id, Comment.parent_id)
    )).subquery()
    return select(both).order_by(both.c.id)


def thread_page(idea: Idea, after: int = 0, per_page: int = COMMENTS_PER_PAGE) -> CommentPage:
    """Up to per_page threads after a top-level comment id, with their replies, oldest first, in one query.

    Keyset by id, not OFFSET, so that a deep page costs what the first one does; ids follow the
    order in which comments were written.
    """
    rows = db.session.execute(_page_statement(), {"idea_id": idea.id, "after": after, "limit": per_page + 1})
    comments = [ShownComment.from_row(tuple(row)) for row in rows]
    replies: dict[int, list[ShownComment]] = {}
    top_level = []
    for comment in comments:
        if comment.parent_id is None:
            top_level.append(comment)
        else:
            replies.setdefault(comment.parent_id, []).append(comment)
    more = len(top_level) > per_page
    top_level = top_level[:per_page]
    # A hidden comment keeps its place with a notice; a deleted one only if it has replies.
    threads = [(c, replies.get(c.id, [])) for c in top_level
               if c.is_visible or c.status == CommentStatus.hidden or replies.get(c.id)]
    return CommentPage(threads=threads, after=after, next_after=top_level[-1].id if more else None)


def comment_link(idea: Idea, comment_id: int, anchor: str | None = None) -> dict:
    """url_for values of the idea page that shows a comment: ?comment= only past the first page.

    A #comment-N anchor never reaches the server; the parameter tells the idea page which page to show.
    """
    values = {"idea_id": idea.id, "_anchor": anchor or f"comment-{comment_id}"}
    if page_of(idea, comment_id):
        values["comment"] = comment_id
    return values


def page_of(idea: Idea, comment_id: int, per_page: int = COMMENTS_PER_PAGE) -> int:
    """The cursor of the page that shows a comment of this idea (0, the first page, if there is none).

    Pages are counted from the first comment, so a permalink opens the same page that
    "Show more comments" reaches.
    """
    root = db.session.execute(
        select(Comment.id, Comment.parent_id).where(Comment.id == comment_id, Comment.idea_id == idea.id)
    ).first()
    if root is None:
        return 0
    root_id = root.parent_id or root.id
    earlier = db.session.scalar(
        select(func.count()).select_from(_top_level(idea.id).where(Comment.id < root_id).subquery()))
    skip = earlier // per_page * per_page
    if skip == 0:
        return 0
    return db.session.scalar(_top_level(idea.id).where(Comment.id < root_id)
                             .order_by(Comment.id).offset(skip - 1).limit(1))
