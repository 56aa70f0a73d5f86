"""Supports: one per person and idea, idempotent, with the process's quota."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from ideas.counters import bump
from ideas.database import lock_row
from ideas.extensions import db
from ideas.models import Idea, Process, User, Vote
from ideas.workflow import WorkflowError, hot_score


class SupportError(WorkflowError):
    """A support the rules do not allow."""


def _insert_vote(user_id: int, idea_id: int):
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(Vote)
        .values(user_id=user_id, idea_id=idea_id)
        .on_conflict_do_nothing(index_elements=["user_id", "idea_id"])
        .returning(Vote.id)
    )


def used_supports(user: User, process: Process) -> int:
    return db.session.scalar(
        select(func.count(Vote.id)).join(Idea, Idea.id == Vote.idea_id)
        .where(Vote.user_id == user.id, Idea.process_id == process.id)
    )


def remaining_supports(user: User, process: Process) -> int | None:
    if process.support_quota is None or not user.is_authenticated:
        return None
    return max(process.support_quota - used_supports(user, process), 0)


def has_supported(user: User, idea: Idea) -> bool:
    if not user.is_authenticated:
        return False
    return db.session.scalar(
        select(Vote.id).where(Vote.user_id == user.id, Vote.idea_id == idea.id)
    ) is not None


def check_can_support(user: User, idea: Idea) -> None:
    if not idea.is_open:
        raise SupportError(_l("This idea can no longer be supported."))
    if not idea.process.accepts_support():
        raise SupportError(_l("Supporting ideas is not possible at the moment."))
    if idea.author_id == user.id:
        raise SupportError(_l("You cannot support your own idea."))


def _change_count(idea: Idea, delta: int) -> None:
    """Move the support counter and the hot score together, in one UPDATE when nobody came between.

    The count this transaction read is checked in the WHERE clause: on SQLite nobody can change it
    (the write lock is held from the first read), on PostgreSQL another support of the same idea
    may have committed meanwhile. Then the UPDATE changes no row and the database does the
    arithmetic instead, as before.
    """
    expected = idea.support_count
    count = expected + delta
    score = hot_score(count, idea.created_at)
    changed = db.session.execute(
        update(Idea).where(Idea.id == idea.id, Idea.support_count == expected)
        .values(support_count=count, hot_score=score)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        score = hot_score(bump(idea, "support_count", delta), idea.created_at)
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(hot_score=score)
            .execution_options(synchronize_session=False)
        )
    else:
        set_committed_value(idea, "support_count", count)
    set_committed_value(idea, "hot_score", score)


def add_support(user: User, idea: Idea) -> bool:
    """Support an idea; True if a new support was recorded, False if it existed already."""
    check_can_support(user, idea)
    quota = idea.process.support_quota
    if quota is not None:
        # Serialise this person's supports so parallel requests cannot overrun the quota.
        db.session.execute(lock_row(select(User.id).where(User.id == user.id)))
        if used_supports(user, idea.process) >= quota:
            raise SupportError(_l("You have used all your supports in this process."))
    inserted = db.session.execute(_insert_vote(user.id, idea.id)).scalar_one_or_none()
    if inserted is None:
        return False
    _change_count(idea, +1)
    return True


def remove_support(user: User, idea: Idea) -> bool:
    """Withdraw a support; True if one was removed."""
    if not idea.is_open or not idea.process.accepts_support():
        raise SupportError(_l("Supports for this idea can no longer be changed."))
    deleted = db.session.execute(
        delete(Vote).where(Vote.user_id == user.id, Vote.idea_id == idea.id).returning(Vote.id)
    ).scalar_one_or_none()
    if deleted is None:
        return False
    _change_count(idea, -1)
    return True
