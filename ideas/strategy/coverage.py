"""Coverage: which action fields the ideas reach, and which ideas still wait for an answer."""
from collections import defaultdict

from flask import current_app, render_template, request
from sqlalchemy import func, select

from ideas.extensions import db
from ideas.models import PUBLIC_STATUSES, Idea, IdeaStatus
from ideas.strategy import bp
from ideas.strategy.processes import get_process

MAX_PAGE = 10_000
# Columns of the table: ideas that are still hidden from the public are left out on purpose.
COLUMNS = (IdeaStatus.pending,) + tuple(PUBLIC_STATUSES)
ACCEPTED = (IdeaStatus.accepted, IdeaStatus.implemented)


def counts_by_field(process) -> dict:
    """{field_id or None: {status: count}} for one process, in one grouped query."""
    rows = db.session.execute(
        select(Idea.action_field_id, Idea.status, func.count(Idea.id))
        .where(Idea.process_id == process.id)
        .group_by(Idea.action_field_id, Idea.status)
    ).all()
    counts: dict = defaultdict(lambda: defaultdict(int))
    for field_id, status, number in rows:
        counts[field_id][IdeaStatus(status)] += number
    return counts


@bp.route("/processes/<int:process_id>/coverage")
def coverage(process_id: int):
    """Ideas per action field and status, and the public ideas that still wait for an answer."""
    process = get_process(process_id)
    counts = counts_by_field(process)
    rows = []
    for field in process.action_fields:
        by_status = counts.get(field.id, {})
        rows.append({
            "field": field, "counts": [by_status.get(s, 0) for s in COLUMNS],
            "total": sum(by_status.get(s, 0) for s in COLUMNS),
            "has_accepted": any(by_status.get(s, 0) for s in ACCEPTED),
        })
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    unanswered = db.paginate(
        select(Idea).where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES),
                           Idea.answer_published_at.is_(None))
        .order_by(Idea.support_count.desc(), Idea.id),
        page=number, per_page=current_app.config.get("IDEAS_PER_PAGE", 20), max_per_page=50, error_out=False,
    )
    return render_template("strategy/coverage.html", process=process, rows=rows, columns=COLUMNS,
                           unanswered=unanswered)
