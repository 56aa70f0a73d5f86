"""Online dot voting: each person spreads N points over open ideas, at most M on one idea."""
from dataclasses import dataclass

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import case, delete, func, insert, select, update

from ideas.counters import bump
from ideas.database import lock_row
from ideas.extensions import db, limiter
from ideas.forms import EmptyForm
from ideas.htmx import is_htmx
from ideas.models import OPEN_STATUSES, PUBLIC_STATUSES, DotVote, Idea, Process, User
from ideas.participation import MAX_PAGE, bp, get_idea, require_verified
from ideas.workflow import WorkflowError


class DotError(WorkflowError):
    """A change of points the rules do not allow."""


@dataclass
class Dots:
    """What one person sees of dot voting in a process: the budget and what is used."""

    budget: int
    limit: int
    used: int | None = None   # None: nobody is logged in
    given: int | None = None  # points of this person on the idea in question

    @property
    def left(self) -> int:
        return max(self.budget - (self.used or 0), 0)


def per_idea_limit(process: Process) -> int:
    """M: the most points one person may give one idea (never more than N)."""
    if process.dot_max_per_idea is None:
        return process.dot_points
    return min(process.dot_max_per_idea, process.dot_points)


def _points_of(user_id: int, process: Process, idea_id: int | None = None):
    """The person's points on open ideas of the process, and on one idea (one query)."""
    # Points on ideas that are no longer open (withdrawn, merged, hidden, decided) are given back.
    counted = func.coalesce(func.sum(case((Idea.status.in_(OPEN_STATUSES), DotVote.points), else_=0)), 0)
    on_idea = func.coalesce(func.sum(case((DotVote.idea_id == (idea_id or 0), DotVote.points), else_=0)), 0)
    return db.session.execute(
        select(counted, on_idea).select_from(DotVote).join(Idea, Idea.id == DotVote.idea_id)
        .where(DotVote.user_id == user_id, Idea.process_id == process.id)
    ).one()


def used_points(user: User, process: Process) -> int:
    """Points a person has on open ideas of the process; these count against N."""
    return _points_of(user.id, process)[0]


def given_points(user: User, idea: Idea) -> int:
    if not user.is_authenticated:
        return 0
    return db.session.scalar(
        select(DotVote.points).where(DotVote.user_id == user.id, DotVote.idea_id == idea.id)
    ) or 0


def dots_for(user: User, idea: Idea) -> Dots | None:
    """The dot voting state shown beside an idea; None when the process offers none."""
    process = idea.process
    if process.dot_points is None:
        return None
    dots = Dots(budget=process.dot_points, limit=per_idea_limit(process))
    if user.is_authenticated:
        dots.used, dots.given = _points_of(user.id, process, idea.id)
    return dots


def check_can_change(user: User, idea: Idea) -> None:
    if idea.process.dot_points is None:
        raise DotError(_l("This process has no dot voting."))
    if not idea.is_open:
        raise DotError(_l("Points for this idea can no longer be changed."))
    if not idea.process.accepts_support():
        raise DotError(_l("Giving points is not possible at the moment."))
    if idea.author_id == user.id:
        raise DotError(_l("You cannot give points to your own idea."))


def _store(user: User, idea: Idea, wanted) -> int:
    """Give the idea wanted(current) points from this person; returns the new number."""
    check_can_change(user, idea)
    process = idea.process
    # Serialise this person's changes so parallel requests cannot overrun N or M.
    db.session.execute(lock_row(select(User.id).where(User.id == user.id)))
    used, current = _points_of(user.id, process, idea.id)
    points = wanted(current)
    limit = per_idea_limit(process)
    if points < 0:
        raise DotError(_l("You have not given this idea any points."))
    if points > limit:
        raise DotError(ngettext("You can give at most %(num)d point to one idea.",
                                "You can give at most %(num)d points to one idea.", limit))
    if points > current and used - current + points > process.dot_points:
        left = max(process.dot_points - used, 0)
        if left == 0:
            raise DotError(_l("You have no points left. Take points from another idea first."))
        raise DotError(ngettext("You have only %(num)d point left.", "You have only %(num)d points left.", left))
    if points == current:
        return current
    mine = (DotVote.user_id == user.id) & (DotVote.idea_id == idea.id)
    if points == 0:
        db.session.execute(delete(DotVote).where(mine))
    elif current == 0:
        db.session.execute(insert(DotVote).values(user_id=user.id, idea_id=idea.id, points=points))
    else:
        db.session.execute(update(DotVote).where(mine).values(points=points)
                           .execution_options(synchronize_session=False))
    bump(idea, "dot_points", points - current)
    return points


def add_point(user: User, idea: Idea) -> int:
    """Give an idea one more point."""
    return _store(user, idea, lambda current: current + 1)


def remove_point(user: User, idea: Idea) -> int:
    """Take one point back from an idea."""
    return _store(user, idea, lambda current: current - 1)


def set_points(user: User, idea: Idea, points: int) -> int:
    """Give an idea exactly this many points (0 takes them all back)."""
    return _store(user, idea, lambda _current: points)


def _announce(given: int, dots: Dots) -> str:
    return " ".join((
        ngettext("You have given %(num)d point to this idea.", "You have given %(num)d points to this idea.", given),
        ngettext("%(left)d of %(num)d point left.", "%(left)d of %(num)d points left.", dots.budget, left=dots.left),
    ))


def _wanted_points(limit: int) -> int:
    raw = (request.form.get("points") or "").strip()
    # isdigit() alone lets "²" through, which int() refuses; four digits keep it a small number.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise DotError(_("Please enter a whole number from 0 to %(num)d.", num=limit))
    return int(raw)


@bp.route("/ideas/<int:idea_id>/dots", methods=["POST"])
@login_required
@limiter.limit("120 per minute")
def dots(idea_id: int):
    """Give an idea a point, take one back, or set how many points it gets from you."""
    idea = get_idea(idea_id)
    if idea.process.dot_points is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    back = "points" if request.form.get("back") == "points" else "idea"
    message, ok = None, True
    if not current_user.is_verified:
        if not is_htmx():
            require_verified()
        message, ok = _("Please confirm your e-mail address first."), False
    else:
        action = request.form.get("action", "add")
        try:
            if action == "set":
                given = set_points(current_user, idea, _wanted_points(per_idea_limit(idea.process)))
            elif action == "remove":
                given = remove_point(current_user, idea)
            else:
                given = add_point(current_user, idea)
            db.session.commit()
        except DotError as exc:
            db.session.rollback()
            message, ok = str(exc), False
        db.session.refresh(idea)
    state = dots_for(current_user, idea)
    if ok:
        message = _announce(given, state)
    if is_htmx():
        return render_template("participation/_dots.html", idea=idea, dots=state, message=message, ok=ok,
                               oob=True, back=back)
    if message and (ok or current_user.is_verified):
        flash(message, "success" if ok else "error")
    if back == "points":
        return redirect(url_for("participation.points", process_slug=idea.process.slug, _anchor=f"dots-{idea.id}"))
    return redirect(url_for("participation.idea", idea_id=idea.id, _anchor=f"dots-{idea.id}"))


@bp.route("/processes/<process_slug>/points")
def points(process_slug: str):
    """The ranking of ideas by points, and for a logged-in person the points they gave."""
    process = db.session.scalar(select(Process).where(Process.slug == process_slug[:80]))
    if process is None or process.dot_points is None:
        abort(404)
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    ranking = db.paginate(
        select(Idea).options(db.joinedload(Idea.action_field))
        .where(Idea.process_id == process.id, Idea.status.in_(PUBLIC_STATUSES), Idea.dot_points > 0)
        .order_by(Idea.dot_points.desc(), Idea.id),
        page=number, per_page=current_app.config["IDEAS_PER_PAGE"], max_per_page=50, error_out=False,
    )
    mine, summary = [], Dots(budget=process.dot_points, limit=per_idea_limit(process))
    if current_user.is_authenticated:
        rows = db.session.execute(
            select(Idea, DotVote.points).join(DotVote, DotVote.idea_id == Idea.id)
            .options(db.joinedload(Idea.process))
            .where(DotVote.user_id == current_user.id, Idea.process_id == process.id,
                   Idea.status.in_(PUBLIC_STATUSES))
            .order_by(DotVote.points.desc(), Idea.id)
        ).all()
        summary.used = used_points(current_user, process)
        for idea, given in rows:
            mine.append((idea, Dots(budget=summary.budget, limit=summary.limit, used=summary.used, given=given)))
    return render_template("participation/points.html", process=process, ranking=ranking, mine=mine,
                           summary=summary)
