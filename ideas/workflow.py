"""The idea lifecycle: the only code that changes Idea.status; every change writes an event."""
import math
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ideas import search
from ideas.extensions import db
from ideas.models import (
    ActionField,
    Channel,
    Idea,
    IdeaStatus,
    ModerationEvent,
    ModerationMode,
    Process,
    User,
    utcnow,
)
from ideas.sanitize import clean_text, render_markdown

S = IdeaStatus
ALLOWED = {
    S.draft: {S.pending, S.published, S.withdrawn},
    S.pending: {S.published, S.declined, S.hidden, S.withdrawn},
    S.declined: {S.pending, S.withdrawn},
    S.published: {S.under_review, S.accepted, S.rejected, S.hidden, S.merged, S.withdrawn},
    S.under_review: {S.accepted, S.rejected, S.hidden, S.merged, S.published},
    S.accepted: {S.implemented, S.under_review, S.merged},
    S.rejected: {S.under_review},
    S.implemented: set(),
    S.hidden: {S.published, S.under_review, S.accepted, S.rejected, S.pending},
    S.merged: set(),
    S.withdrawn: set(),
}
DECISIONS = {S.accepted, S.rejected, S.implemented}

# Ten times the support keeps an idea as "hot" as one posted three days later.
HOT_SECONDS_PER_DECADE = 3 * 24 * 3600
HOT_EPOCH = datetime(2024, 1, 1).timestamp()


class WorkflowError(Exception):
    """A change the rules do not allow; the message is shown to the person."""


def hot_score(support_count: int, created_at: datetime) -> float:
    return round(
        math.log10(max(support_count, 1)) + (created_at.timestamp() - HOT_EPOCH) / HOT_SECONDS_PER_DECADE,
        7,
    )


def can_change(from_status: IdeaStatus, to_status: IdeaStatus) -> bool:
    return to_status in ALLOWED[from_status]


def _record(idea: Idea, actor: User | None, from_status, to_status, reason=None, note=None):
    db.session.add(
        ModerationEvent(
            idea_id=idea.id, actor_id=actor.id if actor else None, from_status=from_status,
            to_status=to_status, reason=reason, note=note,
        )
    )


def change_status(
    idea: Idea, to_status: IdeaStatus, actor: User | None, reason: str | None = None,
    note: str | None = None,
) -> None:
    """Move an idea to a new status, if the rules allow it and nobody changed it meanwhile."""
    from_status = idea.status
    if not can_change(from_status, to_status):
        raise WorkflowError(_l("This change of status is not possible."))
    now = utcnow()
    values = {"status": to_status, "updated_at": now}
    if to_status == S.published and idea.published_at is None:
        values["published_at"] = now
    if to_status in DECISIONS:
        values["decided_at"] = now
    # Conditional update: of two moderators deciding at once, only the first matches.
    result = db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id, Idea.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise WorkflowError(_l("Someone else has just changed this idea. Please reload the page."))
    for key, value in values.items():
        set_committed_value(idea, key, value)
    _record(idea, actor, from_status, to_status, reason, clean_text(note, multiline=True) or None)


def submit_idea(
    process: Process, author: User | None, title: str, body: str,
    action_field: ActionField | None = None, district: str | None = None,
    channel: Channel = Channel.online, entered_by: User | None = None,
) -> Idea:
    """Create an idea; pre-moderated processes hold it back unless the author is trusted."""
    if channel == Channel.online and not process.accepts_ideas():
        raise WorkflowError(_l("This process is not collecting ideas at the moment."))
    now = utcnow()
    direct = (
        process.moderation_mode == ModerationMode.post
        or channel != Channel.online
        or (author is not None and (author.trusted or author.is_staff))
    )
    idea = Idea(
        process=process, author=author, title=clean_text(title), body_source=clean_text(body, True),
        body_html=render_markdown(body), channel=channel, suggested_field=action_field,
        action_field=action_field, district=clean_text(district) or None,
        status=S.published if direct else S.pending, entered_by=entered_by,
        created_at=now, updated_at=now, published_at=now if direct else None,
    )
    idea.hot_score = hot_score(0, now)
    db.session.add(idea)
    db.session.flush()
    idea.reference = f"{now.year}-{idea.id:05d}"
    search.refresh(idea)
    _record(idea, entered_by or author, None, idea.status)
    return idea


def edit_idea(idea: Idea, editor: User, title: str, body: str, action_field, district) -> None:
    """Let the author revise a held-back idea; a declined one goes back to the queue."""
    if idea.status not in (S.pending, S.declined, S.draft):
        raise WorkflowError(_l("This idea can no longer be changed."))
    idea.title = clean_text(title)
    idea.body_source = clean_text(body, multiline=True)
    idea.body_html = render_markdown(body)
    idea.suggested_field = action_field
    idea.action_field = action_field
    idea.district = clean_text(district) or None
    search.refresh(idea)
    if idea.status == S.declined:
        change_status(idea, S.pending, editor, note="resubmitted")


def withdraw(idea: Idea, author: User) -> None:
    """The author takes back an idea; supports and comments stay in the record."""
    change_status(idea, S.withdrawn, author)
