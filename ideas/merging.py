"""Merging duplicate ideas without losing people: supports move, comments stay, authors are named."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ideas import notify, workflow
from ideas.database import lock_row
from ideas.extensions import db
from ideas.models import Idea, IdeaStatus, User, Vote
from ideas.workflow import WorkflowError

MERGEABLE = (IdeaStatus.published, IdeaStatus.under_review, IdeaStatus.accepted)


def merge(sources: list[Idea], target: Idea, actor: User, note: str | None = None) -> int:
    """Merge ideas into a target; returns how many supports moved to it.

    A person who supported a source and the target counts once. The sources keep their
    comments and text, show a notice with a link, and leave the public list.
    """
    if not target.is_public or target.status not in MERGEABLE:
        raise WorkflowError(_l("Ideas can only be merged into a published idea."))
    # Supports arriving on the target meanwhile would be counted wrong: hold its row.
    db.session.execute(lock_row(select(Idea.id).where(Idea.id == target.id)))
    moved_total = 0
    for source in dict.fromkeys(sources):
        if source.id == target.id:
            raise WorkflowError(_l("An idea cannot be merged into itself."))
        if source.process_id != target.process_id:
            raise WorkflowError(_l("Only ideas of the same process can be merged."))
        if source.status not in MERGEABLE:
            raise WorkflowError(_l("This idea cannot be merged."))
        moved = _move_supports(source, target)
        moved_total += len(moved)
        if source.author is not None and source.author_id != target.author_id \
                and source.author not in target.coauthors:
            target.coauthors.append(source.author)
        source.merged_into = target
        source.prepared_answer, source.planned_status = None, None  # its answer is the target's
        workflow.change_status(source, IdeaStatus.merged, actor, reason="merged",
                               note=note or f"#{target.reference}")
        notify.idea_merged(source, target, moved)
    _recount(target)
    return moved_total


def _move_supports(source: Idea, target: Idea) -> list[User]:
    """Re-point the source's supports to the target; double supports are removed once."""
    already = select(Vote.user_id).where(Vote.idea_id == target.id)
    movers = list(db.session.scalars(
        select(User).join(Vote, Vote.user_id == User.id)
        .where(Vote.idea_id == source.id, Vote.user_id.not_in(already),
               User.id != (target.author_id or 0))
    ))
    mover_ids = [u.id for u in movers]
    if mover_ids:
        db.session.execute(
            update(Vote).where(Vote.idea_id == source.id, Vote.user_id.in_(mover_ids))
            .values(idea_id=target.id).execution_options(synchronize_session=False)
        )
    # What is left supported both (or is the target's author): it counts once, on the target.
    db.session.execute(delete(Vote).where(Vote.idea_id == source.id)
                       .execution_options(synchronize_session=False))
    _recount(source)
    return movers


def _recount(idea: Idea) -> None:
    count = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea.id))
    idea.support_count = count
    idea.hot_score = workflow.hot_score(count, idea.created_at)
