"""The idea lifecycle without HTTP: which status changes the rules allow, and what each leaves behind."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from ideas import voting
from ideas.extensions import db
from ideas.models import Idea, IdeaStatus, ModerationEvent, utcnow
from ideas.workflow import ALLOWED, DECISIONS, WorkflowError, change_status, hot_score
from tests.conftest import make_idea, make_process, make_user

S = IdeaStatus


def put_into(idea: Idea, status: IdeaStatus) -> Idea:
    """Test setup: place an idea in a status directly, as if it had got there long ago."""
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(status=status))
    db.session.commit()
    return idea


def stored_status(idea_id: int) -> IdeaStatus:
    return db.session.scalar(select(Idea.status).where(Idea.id == idea_id))


def events_of(idea_id: int) -> list[ModerationEvent]:
    return db.session.scalars(
        select(ModerationEvent).where(ModerationEvent.idea_id == idea_id).order_by(ModerationEvent.id)
    ).all()


def test_the_rules_cover_every_status():
    assert set(ALLOWED) == set(IdeaStatus)
    for targets in ALLOWED.values():
        assert targets <= set(IdeaStatus)
    # Final states stay final.
    for final in (S.implemented, S.merged, S.withdrawn):
        assert ALLOWED[final] == set()


@pytest.mark.parametrize("from_status", list(IdeaStatus), ids=lambda s: s.value)
def test_a_moderator_can_make_exactly_the_allowed_changes(app, from_status):
    process = make_process()
    author = make_user()
    moderator = make_user("moderator")
    for to_status in IdeaStatus:
        idea = put_into(make_idea(process, author), from_status)
        before = events_of(idea.id)
        if to_status in ALLOWED[from_status]:
            change_status(idea, to_status, moderator, reason="test", note="  Begründung  ")
            db.session.commit()
            assert stored_status(idea.id) == to_status
            after = events_of(idea.id)
            assert len(after) == len(before) + 1, f"{from_status} -> {to_status}"
            event = after[-1]
            assert (event.from_status, event.to_status, event.actor_id) == (from_status, to_status, moderator.id)
            assert event.reason == "test" and event.note == "Begründung"
        else:
            with pytest.raises(WorkflowError) as refused:
                change_status(idea, to_status, moderator)
            assert str(refused.value), "the person needs a message"
            db.session.rollback()
            assert stored_status(idea.id) == from_status, f"{from_status} -> {to_status}"
            assert len(events_of(idea.id)) == len(before)


def test_submitting_writes_the_first_event(app):
    author = make_user()
    idea = make_idea(make_process(mode="pre"), author, status=S.pending)
    [event] = events_of(idea.id)
    assert (event.from_status, event.to_status, event.actor_id) == (None, S.pending, author.id)


def test_publishing_sets_published_at_once_and_decisions_set_decided_at(app):
    moderator = make_user("moderator")
    idea = make_idea(make_process(mode="pre"), status=S.pending)
    assert idea.published_at is None and idea.decided_at is None

    change_status(idea, S.published, moderator)
    db.session.commit()
    first_published = db.session.get(Idea, idea.id).published_at
    assert first_published is not None
    assert db.session.get(Idea, idea.id).decided_at is None

    # Hidden and shown again: the idea keeps its first publication date.
    change_status(idea, S.hidden, moderator)
    change_status(idea, S.published, moderator)
    db.session.commit()
    assert db.session.get(Idea, idea.id).published_at == first_published

    change_status(idea, S.accepted, moderator)
    db.session.commit()
    accepted_at = db.session.get(Idea, idea.id).decided_at
    assert accepted_at is not None and accepted_at >= first_published

    change_status(idea, S.implemented, moderator)
    db.session.commit()
    assert db.session.get(Idea, idea.id).decided_at >= accepted_at
    assert S.implemented in DECISIONS


def test_a_stale_object_cannot_overwrite_a_concurrent_change(app):
    """Two moderators open the same idea; the second one's decision must not silently win."""
    moderator = make_user("moderator")
    idea = make_idea()
    idea_id = idea.id
    assert idea.status == S.published and idea.published_at is not None  # load everything now
    assert moderator.is_staff  # load the moderator too, before the session is closed
    events_before = len(events_of(idea_id))
    # The first moderator's page stays open with its stale object ...
    db.session.close()
    # ... while another request hides the idea, in its own connection and transaction.
    with db.engine.begin() as other:
        other.execute(update(Idea).where(Idea.id == idea_id).values(status=S.hidden))
    db.session.add(idea)
    assert idea.status == S.published, "the object really is stale"

    with pytest.raises(WorkflowError):
        change_status(idea, S.accepted, moderator)
    db.session.rollback()

    assert stored_status(idea_id) == S.hidden
    assert len(events_of(idea_id)) == events_before
    assert db.session.get(Idea, idea_id).decided_at is None


def test_hot_score_grows_with_supports_and_with_recency():
    now = utcnow()
    assert hot_score(10, now) > hot_score(1, now) > hot_score(1, now - timedelta(days=1))
    assert hot_score(0, now) == hot_score(1, now)
    # Ten times the support weighs as much as three days of recency.
    assert hot_score(10, now) == pytest.approx(hot_score(1, now + timedelta(days=3)), abs=1e-6)


def test_a_support_raises_the_stored_hot_score(app):
    idea = make_idea()
    before = idea.hot_score
    for _ in range(10):
        voting.add_support(make_user(), idea)
    db.session.commit()
    stored = db.session.scalar(select(Idea.hot_score).where(Idea.id == idea.id))
    assert stored > before
    assert stored == pytest.approx(hot_score(10, idea.created_at))
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1
