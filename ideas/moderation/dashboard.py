"""Service levels of moderation per action field: how much waits, and how long answers take."""
import statistics
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timedelta

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from ideas.extensions import db
from ideas.models import OPEN_STATUSES, Idea, IdeaStatus, Process, Report, utcnow
from ideas.moderation import bp
from ideas.moderation.queue import (
    TAB_LABELS,
    QueueFilter,
    ideas_statement,
    in_words,
    report_groups,
    waited,
)
from ideas.processes import current_process, running_processes

ALL = "all"


@dataclass
class Levels:
    """The figures of one row of the overview: one action field, ideas without one, or all."""

    ideas: int = 0
    pending: int = 0
    unanswered: int = 0
    reported: int = 0
    to_moderation: list[timedelta] = dc_field(default_factory=list)
    to_answer: list[timedelta] = dc_field(default_factory=list)

    @property
    def median_moderation(self) -> timedelta | None:
        return median(self.to_moderation)

    @property
    def median_answer(self) -> timedelta | None:
        return median(self.to_answer)


def median(durations: list[timedelta]) -> timedelta | None:
    """The middle duration (the mean of the two middle ones for an even number), None without data."""
    if not durations:
        return None
    return timedelta(seconds=statistics.median(d.total_seconds() for d in durations))


def service_levels(process: Process) -> dict:
    """Levels per action field id (None: ideas without a field) and under ALL; one query per metric."""
    levels: dict = {ALL: Levels()}

    def row(key) -> Levels:
        return levels.setdefault(key, Levels())

    in_process = Idea.process_id == process.id
    counts = db.session.execute(
        select(
            Idea.action_field_id, func.count(),
            func.count(case((Idea.status == IdeaStatus.pending, 1))),
            func.count(case((and_(Idea.status.in_(OPEN_STATUSES), Idea.answer_published_at.is_(None)), 1))),
        ).where(in_process, Idea.status != IdeaStatus.draft).group_by(Idea.action_field_id)
    )
    for field_id, ideas, pending, unanswered in counts:
        for target in (row(field_id), levels[ALL]):
            target.ideas += ideas
            target.pending += pending
            target.unanswered += unanswered

    for column, attribute in ((Idea.first_moderated_at, "to_moderation"),
                              (Idea.answer_published_at, "to_answer")):
        pairs = db.session.execute(
            select(Idea.action_field_id, Idea.created_at, column).where(in_process, column.is_not(None))
        )
        for field_id, created_at, done_at in pairs:
            duration = max(done_at - created_at, timedelta(0))
            getattr(row(field_id), attribute).append(duration)
            getattr(levels[ALL], attribute).append(duration)

    items = (
        select(Report.idea_id, Report.comment_id).where(Report.resolved_at.is_(None))
        .group_by(Report.idea_id, Report.comment_id).subquery()
    )
    reported = db.session.execute(
        select(Idea.action_field_id, func.count()).join(items, items.c.idea_id == Idea.id)
        .where(in_process).group_by(Idea.action_field_id)
    )
    for field_id, number in reported:
        row(field_id).reported += number
        levels[ALL].reported += number
    return levels


def oldest_waiting(process: Process, now: datetime) -> list[dict]:
    """The item that has waited longest in each queue tab that has waiting items."""
    filters = QueueFilter(process=process, now=now)
    out = []
    for tab, stmt in (
        ("new", ideas_statement(filters, "new")),
        ("evaluate", ideas_statement(filters, "evaluate").order_by(None).order_by(Idea.created_at, Idea.id)),
    ):
        idea = db.session.scalar(stmt.limit(1))
        if idea is not None:
            out.append(dict(tab=tab, idea=idea, comment=False, waited=waited(idea.created_at, now)))
    groups = report_groups(filters).subquery()
    first = db.session.execute(
        select(Idea, groups.c.comment_id, groups.c.first_at).join(groups, groups.c.idea_id == Idea.id)
        .order_by(groups.c.first_at, Idea.id).limit(1)
    ).first()
    if first is not None:
        out.append(dict(tab="reported", idea=first.Idea, comment=first.comment_id is not None,
                        waited=waited(first.first_at, now)))
    order = {"new": 0, "reported": 1, "evaluate": 2}
    return sorted(out, key=lambda item: order[item["tab"]])


@bp.route("/overview")
def dashboard():
    """Service levels per action field: what waits, how long moderation and answers take."""
    process = current_process()
    now = utcnow()
    context = dict(process=process, processes=running_processes(), ALL=ALL,
                   in_words=in_words, TAB_LABELS=TAB_LABELS)
    if process is not None:
        levels = service_levels(process)
        rows = [(f.name, levels.get(f.id, Levels())) for f in process.action_fields]
        if None in levels:
            rows.append((_("Without action field"), levels[None]))
        context.update(rows=rows, total=levels[ALL], oldest=oldest_waiting(process, now))
    return render_template("moderation/dashboard.html", **context)
