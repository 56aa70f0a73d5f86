"""Bench data beyond seed-demo: an idea with 200 comments, a draft with 2,000 measures, the URLs to hit."""
import random
from datetime import timedelta

from sqlalchemy import func, insert, select, update

from ideas.extensions import db
from ideas.models import PUBLIC_STATUSES, Comment, CommentStatus, Idea, IdeaStatus, Process, Role, User, utcnow
from ideas.models.strategy import DraftSection, Measure, StrategyDraft, measure_idea

DRAFT_TITLE = "Benchmark: 2,000 measures"
THREAD = 200
MEASURES = 2000
TOGGLE_USERS = 8
TOGGLE_IDEAS = 400


def counts() -> dict:
    one = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {"ideas": one(Idea), "users": one(User), "comments": one(Comment)}


def busy_idea(process: Process) -> int:
    """The public idea with the most comments, topped up to THREAD comments with bulk inserts."""
    idea = db.session.scalars(
        select(Idea).where(Idea.process_id == process.id, Idea.status == IdeaStatus.published)
        .order_by(Idea.comment_count.desc(), Idea.id).limit(1)).one()
    missing = THREAD - idea.comment_count
    if missing > 0:
        rng = random.Random(200)
        authors = db.session.scalars(select(User.id).where(User.role == Role.citizen).limit(500)).all()
        start = idea.created_at
        db.session.execute(insert(Comment), [
            {"idea_id": idea.id, "author_id": rng.choice(authors), "parent_id": None,
             "body": f"Beitrag {n + 1} zur Diskussion: Das sollte die Stadt unbedingt angehen.",
             "status": CommentStatus.visible, "created_at": start + timedelta(minutes=n + 1)}
            for n in range(missing)])
        visible = db.session.scalar(select(func.count(Comment.id)).where(
            Comment.idea_id == idea.id, Comment.status == CommentStatus.visible, Comment.deleted_at.is_(None)))
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(comment_count=visible))
        db.session.commit()
    return idea.id


def draft(process: Process) -> int:
    """A draft whose 2,000 measures each come from one of the most supported public ideas (once)."""
    found = db.session.scalar(select(StrategyDraft.id).where(
        StrategyDraft.process_id == process.id, StrategyDraft.title == DRAFT_TITLE))
    if found is not None:
        return found
    ideas = db.session.execute(
        select(Idea.id, Idea.title, Idea.action_field_id)
        .where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES))
        .order_by(Idea.support_count.desc(), Idea.id).limit(MEASURES)).all()
    team = db.session.scalar(select(User.id).where(User.email == "team@example.org"))
    new = StrategyDraft(process_id=process.id, title=DRAFT_TITLE, created_by_id=team,
                        vision="Musterstadt ist 2035 digital, offen und nah an den Menschen.",
                        principles="Digital, wo es hilft; analog, wo es gebraucht wird.")
    for position, field in enumerate(process.action_fields):
        new.sections.append(DraftSection(action_field_id=field.id, position=position,
                                         goals=[f"Ziel {k} für {field.name}" for k in (1, 2, 3)]))
    db.session.add(new)
    db.session.flush()
    now, priorities = utcnow(), ("high", "medium", "low")
    # At 1,000 ideas there are fewer ideas than measures: they are used again, in turn.
    rows = [{"draft_id": new.id, "action_field_id": ideas[n % len(ideas)].action_field_id, "position": n,
             "title": f"Maßnahme: {ideas[n % len(ideas)].title}"[:200],
             "description": "Umsetzung in drei Schritten: prüfen, ausschreiben, einführen.",
             "priority": priorities[n % 3], "rank": n + 1, "time_frame": "2027",
             "responsible_office": "Amt für Digitales", "status": "planned", "workshop_dots": n % 7,
             "created_at": now, "updated_at": now} for n in range(MEASURES)]
    db.session.execute(insert(Measure), rows)
    measure_ids = db.session.scalars(select(Measure.id).where(Measure.draft_id == new.id)
                                     .order_by(Measure.position)).all()
    db.session.execute(insert(measure_idea), [
        {"measure_id": m, "idea_id": ideas[n % len(ideas)].id} for n, m in enumerate(measure_ids)])
    db.session.commit()
    return new.id


def toggle_targets(process: Process, exclude_author_ids: list[int]) -> list[int]:
    """Open ideas the bench's citizens did not write: their supports can go on and off."""
    return db.session.scalars(
        select(Idea.id).where(Idea.process_id == process.id,
                              Idea.status.in_((IdeaStatus.published, IdeaStatus.under_review)),
                              Idea.author_id.not_in(exclude_author_ids) | Idea.author_id.is_(None))
        .order_by(Idea.id.desc()).limit(TOGGLE_IDEAS)).all()


def plan(slug: str) -> dict:
    """Everything the run needs: ids, a field, a search word, the accounts; data added where missing."""
    process = db.session.scalar(select(Process).where(Process.slug == slug))
    if process is None:
        raise SystemExit(f"no process {slug!r}: did seed-demo run?")
    citizens = db.session.execute(
        select(User.id, User.email).where(User.role == Role.citizen, User.email.like("user%@example.org"),
                                          User.email_verified_at.is_not(None))
        .order_by(User.id).limit(TOGGLE_USERS)).all()
    if len(citizens) < TOGGLE_USERS:  # the small demo only: its named citizens
        citizens = db.session.execute(select(User.id, User.email).where(User.role == Role.citizen)
                                      .order_by(User.id).limit(TOGGLE_USERS)).all()
    api_idea = db.session.scalar(select(Idea.id).where(Idea.status.in_(PUBLIC_STATUSES))
                                 .order_by(Idea.support_count.desc(), Idea.id).limit(1))
    return {
        "process": slug, "field": process.action_fields[0].slug, "search": "Radwege",
        "busy_idea": busy_idea(process), "draft": draft(process), "api_idea": api_idea,
        "citizens": [email for _, email in citizens],
        "toggle_ideas": toggle_targets(process, [uid for uid, _ in citizens]),
        **counts(),
    }


def counters_match(idea_ids: list[int]) -> tuple[int, int]:
    """Supports counted in the cache and in rows for these ideas (they must be equal)."""
    from ideas.models import Vote
    db.session.rollback()
    cached = db.session.scalar(select(func.coalesce(func.sum(Idea.support_count), 0))
                               .where(Idea.id.in_(idea_ids)))
    rows = db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id.in_(idea_ids)))
    return cached, rows
