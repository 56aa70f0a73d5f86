"""The demo loader: a consistent Musterstadt demo, and exact, consistent bulk data on top."""
import pytest
from sqlalchemy import func, select

from ideas import create_app, search
from ideas.database import writing
from ideas.extensions import db
from ideas.models import (
    Comment, CommentStatus, Idea, IdeaStatus, ModerationEvent, Process, Role, User, Vote,
)
from ideas.sanitize import render_markdown

FIELD_NAMES = [
    "Digitale Infrastruktur", "Bildung und Jugend", "Kommunale Wirtschaft", "Tourismus",
    "Silberne Gesellschaft", "Kommunale Verwaltung", "Dorf- und Stadtentwicklung", "Alltagsleben",
]


@pytest.fixture
def demo_app(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(tmp_path / "t.sqlite")},
                     config_name="testing")
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def run_seed(**numbers) -> str:
    from ideas import demo

    with writing():
        summary = demo.seed(echo=lambda *_: None, **numbers)
    db.session.expire_all()
    return summary


def counts() -> dict:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (User, Idea, Vote, Comment)}


def assert_counters_match():
    votes = select(Vote.idea_id, func.count().label("n")).group_by(Vote.idea_id).subquery()
    comments = (
        select(Comment.idea_id, func.count().label("n"))
        .where(Comment.status == CommentStatus.visible, Comment.deleted_at.is_(None))
        .group_by(Comment.idea_id).subquery()
    )
    wrong = db.session.execute(
        select(Idea.id, Idea.support_count, votes.c.n, Idea.comment_count, comments.c.n)
        .outerjoin(votes, votes.c.idea_id == Idea.id)
        .outerjoin(comments, comments.c.idea_id == Idea.id)
        .where((Idea.support_count != func.coalesce(votes.c.n, 0))
               | (Idea.comment_count != func.coalesce(comments.c.n, 0)))
    ).all()
    assert wrong == []


def test_default_demo(demo_app):
    from ideas import demo

    assert not demo.has_data()
    summary = run_seed()
    assert demo.has_data()
    assert "admin@example.org" in summary and demo.PASSWORD in summary

    process = db.session.scalar(select(Process).where(Process.slug == "digitalstrategie-musterstadt"))
    assert process.accepts_ideas() and process.accepts_support() and process.support_quota is None
    assert [f.name for f in process.action_fields] == FIELD_NAMES
    assert [f.slug for f in process.action_fields] == [
        "digitale-infrastruktur", "bildung-und-jugend", "kommunale-wirtschaft", "tourismus",
        "silberne-gesellschaft", "kommunale-verwaltung", "dorf-und-stadtentwicklung", "alltagsleben"]
    assert len({f.colour for f in process.action_fields}) == 8

    ideas = db.session.scalars(select(Idea)).all()
    assert len(ideas) >= 55
    statuses = {idea.status for idea in ideas}
    assert {IdeaStatus.published, IdeaStatus.under_review, IdeaStatus.accepted, IdeaStatus.rejected,
            IdeaStatus.implemented, IdeaStatus.pending, IdeaStatus.withdrawn} <= statuses
    assert {idea.action_field_id for idea in ideas} == {f.id for f in process.action_fields}
    assert_counters_match()
    for idea in ideas:
        assert idea.reference and idea.reference.endswith(f"-{idea.id:05d}")
        assert idea.search_text and idea.search_text == search.index_text(idea)
        assert 10 <= len(idea.title) <= 120 and 20 <= len(idea.body_source) <= 3000
        if idea.status in (IdeaStatus.accepted, IdeaStatus.rejected, IdeaStatus.implemented):
            assert idea.answer_html and idea.answer_published_at and idea.decided_at
        if idea.author_id is None:
            assert idea.entered_by_id and idea.analog_place and idea.analog_date
        assert idea.created_at <= idea.updated_at
    assert max(i.support_count for i in ideas) >= 20 and min(i.support_count for i in ideas) == 0
    assert 70 <= counts()["Comment"] <= 100
    assert db.session.scalar(select(func.count()).select_from(Comment).where(Comment.parent_id.is_not(None))) > 5

    roles = dict(db.session.execute(select(User.email, User.role)).all())
    assert roles["admin@example.org"] == Role.admin
    assert roles["team@example.org"] == Role.team
    assert roles["moderation@example.org"] == Role.moderator
    assert roles["buerger@example.org"] == Role.citizen
    assert sum(role == Role.citizen for role in roles.values()) >= 25
    bernd = db.session.scalar(select(User).where(User.email == "buerger@example.org"))
    assert bernd.is_verified and bernd.terms_version == demo_app.config["TERMS_VERSION"]
    from ideas.passwords import verify_password
    assert verify_password(bernd.password_hash, "ideenfenster-demo")

    # The two near-duplicate pairs can be found by the similar-ideas search.
    similar = [i.title for i in search.similar("WLAN Innenstadt", process.id)]
    assert "Freies WLAN in der Innenstadt" in similar and "Kostenloses WLAN auf dem Marktplatz" in similar
    radweg = db.session.scalars(select(Idea.title).where(Idea.id.in_(search.newest_matches("Radweg", [], 100_000)))).all()
    assert len(radweg) >= 2


def test_scaled_demo(demo_app):
    run_seed()
    before = counts()
    max_demo_id = db.session.scalar(select(func.max(Idea.id)))
    run_seed(ideas=2000, users=300, votes=20000, comments=3000)
    after = counts()
    assert {k: after[k] - before[k] for k in after} == {"User": 300, "Idea": 2000, "Vote": 20000, "Comment": 3000}
    assert_counters_match()
    duplicates = db.session.execute(
        select(Vote.user_id, Vote.idea_id).group_by(Vote.user_id, Vote.idea_id).having(func.count() > 1)
    ).all()
    assert duplicates == []
    own = db.session.scalar(select(func.count()).select_from(Vote).join(Idea, Idea.id == Vote.idea_id)
                            .where(Idea.author_id == Vote.user_id))
    assert own == 0
    supports = sorted(db.session.scalars(select(Idea.support_count).where(Idea.id > max_demo_id)), reverse=True)
    assert supports[0] > 5 * (20000 / 2000)  # skewed: some ideas are popular

    found = db.session.scalars(
        select(Idea).where(Idea.id.in_(search.newest_matches("Radweg", [], 100_000)), Idea.id > max_demo_id)).all()
    assert found and all("Radweg" in idea.title for idea in found)
    sample = db.session.scalars(select(Idea).where(Idea.id > max_demo_id).order_by(Idea.id).limit(200)).all()
    for idea in sample:
        assert idea.search_text == search.index_text(idea)
        assert idea.body_html == render_markdown(idea.body_source)
        assert idea.reference == f"{idea.created_at.year}-{idea.id:05d}"
        assert idea.status in (IdeaStatus.published, IdeaStatus.under_review, IdeaStatus.accepted,
                               IdeaStatus.rejected, IdeaStatus.implemented)
        assert (idea.answer_html is not None) == (idea.decided_at is not None)
    assert db.session.scalar(select(func.count()).select_from(ModerationEvent)
                             .where(ModerationEvent.idea_id > max_demo_id)) >= 2000
    # Replies belong to a top-level comment of the same idea and come after it.
    bad_replies = db.session.scalar(
        select(func.count()).select_from(Comment)
        .join(Comment.parent.of_type(parent := db.aliased(Comment)))
        .where((parent.idea_id != Comment.idea_id) | parent.parent_id.is_not(None)
               | (parent.created_at > Comment.created_at))
    )
    assert bad_replies == 0
    # New rows after the bulk insert still get fresh ids.
    user = User(email="new@example.org", display_name="Neu", password_hash="x")
    db.session.add(user)
    db.session.commit()
    assert user.id > max(u for u in db.session.scalars(select(User.id).where(User.id != user.id)))
