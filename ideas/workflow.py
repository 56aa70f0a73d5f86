"""The idea lifecycle: the only code that changes Idea.status; every change writes an event."""
import math
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from ideas import notify, search
from ideas.extensions import db
from ideas.models import (
    ActionField,
    Channel,
    Idea,
    IdeaStatus,
    ModerationEvent,
    ModerationMode,
    NetiquetteReason,
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
    S.accepted: {S.implemented, S.under_review, S.merged, S.hidden},
    S.rejected: {S.under_review, S.hidden},
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


STALE = _l("Someone else has just changed this idea. Please reload the page.")


def change_status(
    idea: Idea, to_status: IdeaStatus, actor: User | None, reason: str | None = None,
    note: str | None = None, expected: IdeaStatus | None = None,
) -> None:
    """Move an idea to a new status, if the rules allow it and nobody changed it meanwhile.

    `expected` is the status the moderator saw when deciding; if the idea has moved on
    since, the decision was made on old information and is refused.
    """
    from_status = idea.status
    if expected is not None and expected != from_status:
        raise WorkflowError(STALE)
    if not can_change(from_status, to_status):
        raise WorkflowError(_l("This change of status is not possible."))
    now = utcnow()
    values = {"status": to_status, "updated_at": now}
    if to_status == S.published and idea.published_at is None:
        values["published_at"] = now
    if to_status in DECISIONS:
        values["decided_at"] = now
    if actor is not None and actor.is_staff and idea.first_moderated_at is None:
        values["first_moderated_at"] = now
    # Conditional update: of two moderators deciding at once, only the first matches.
    result = db.session.execute(
        update(Idea)
        .where(Idea.id == idea.id, Idea.status == from_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise WorkflowError(STALE)
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
        change_status(idea, S.pending, editor, reason="resubmitted")


def withdraw(idea: Idea, author: User) -> None:
    """The author takes back an idea; supports and comments stay in the record."""
    change_status(idea, S.withdrawn, author)


# Moderation: the netiquette gate, kept apart from the evaluation below.

def publish(idea: Idea, actor: User, trust_author: bool = False, expected: IdeaStatus | None = None) -> None:
    """Let a held-back idea through; "publish and trust" lets the author's later ideas skip the queue."""
    change_status(idea, S.published, actor, expected=expected)
    idea.moderation_reason = None
    idea.moderation_note = None
    if trust_author and idea.author is not None:
        idea.author.trusted = True
    notify.idea_published(idea)


def decline(idea: Idea, actor: User, reason: NetiquetteReason, note: str | None = None,
            expected: IdeaStatus | None = None) -> None:
    """Send a held-back idea back to its author with a reason; the author can revise it."""
    change_status(idea, S.declined, actor, reason=reason.value, note=note, expected=expected)
    idea.moderation_reason = reason
    idea.moderation_note = clean_text(note, multiline=True) or None
    notify.idea_declined(idea)


def hide(idea: Idea, actor: User | None, reason: NetiquetteReason, note: str | None = None,
         expected: IdeaStatus | None = None) -> None:
    """Take an idea off the public pages until a moderator decides; the author is told why."""
    change_status(idea, S.hidden, actor, reason=reason.value, note=note, expected=expected)
    idea.moderation_reason = reason
    idea.moderation_note = clean_text(note, multiline=True) or None
    notify.idea_hidden(idea)


def status_before_hiding(idea: Idea) -> IdeaStatus:
    event = db.session.scalar(
        select(ModerationEvent)
        .where(ModerationEvent.idea_id == idea.id, ModerationEvent.to_status == S.hidden)
        .order_by(ModerationEvent.created_at.desc(), ModerationEvent.id.desc())
        .limit(1)
    )
    previous = event.from_status if event is not None else None
    return previous if previous in ALLOWED[S.hidden] else S.published


def unhide(idea: Idea, actor: User, expected: IdeaStatus | None = None) -> None:
    """Show a hidden idea again, in the status it had before."""
    change_status(idea, status_before_hiding(idea), actor, expected=expected)
    idea.moderation_reason = None
    idea.moderation_note = None


# Evaluation with a public answer: prepared, then released (alone or per action field).

ANSWER_STATUSES = (S.under_review, S.accepted, S.rejected, S.implemented)
# Ideas that can receive an answer; hidden, merged or withdrawn ones wait or never get one.
ANSWERABLE = (S.published, S.under_review, S.accepted, S.rejected, S.implemented)


def prepare_answer(idea: Idea, actor: User, status: IdeaStatus, answer: str) -> None:
    """Write the public answer and the decision it announces, not yet visible to citizens."""
    if status not in ANSWER_STATUSES:
        raise WorkflowError(_l("Please choose the decision this answer announces."))
    if idea.status not in ANSWERABLE:
        raise WorkflowError(_l("Only published ideas can be answered."))
    if status != idea.status and not can_change(idea.status, status):
        raise WorkflowError(_l("This change of status is not possible."))
    source = clean_text(answer, multiline=True)
    if not source:
        raise WorkflowError(_l("Please write an answer."))
    idea.prepared_answer = source
    idea.planned_status = status


def release_answer(idea: Idea, actor: User, expected: IdeaStatus | None = None) -> None:
    """Publish a prepared answer and apply its decision; author and followers are told."""
    if idea.planned_status is None or not idea.prepared_answer:
        raise WorkflowError(_l("There is no prepared answer for this idea."))
    if idea.planned_status != idea.status:
        change_status(idea, idea.planned_status, actor, reason="answer_published", expected=expected)
    elif expected is not None and expected != idea.status:
        raise WorkflowError(STALE)
    now = utcnow()
    idea.answer_source = idea.prepared_answer
    idea.answer_html = render_markdown(idea.prepared_answer)
    idea.answer_published_at = now
    if idea.first_moderated_at is None:
        idea.first_moderated_at = now
    idea.prepared_answer = None
    idea.planned_status = None
    notify.idea_answered(idea)


def release_field_answers(field: ActionField, actor: User) -> int:
    """Release every prepared answer of an action field at once, e.g. after a council decision."""
    ideas = db.session.scalars(
        select(Idea).where(
            Idea.action_field_id == field.id, Idea.planned_status.is_not(None),
            Idea.status.in_(ANSWERABLE),
        ).order_by(Idea.id)
    ).all()
    for idea in ideas:
        release_answer(idea, actor)
    return len(ideas)


def tag(idea: Idea, actor: User, primary: ActionField, further: list[ActionField] = ()) -> None:
    """File an idea under its primary action field and, optionally, further ones."""
    fields = [primary, *further]
    if any(f.process_id != idea.process_id for f in fields):
        raise WorkflowError(_l("This action field belongs to another process."))
    idea.action_field = primary
    idea.further_fields = [f for f in dict.fromkeys(further) if f.id != primary.id]
    _record(idea, actor, idea.status, idea.status, reason="tagged",
            note=", ".join(f.name for f in fields))
