"""The moderation queue: what waits for a moderator, in tabs, with filters and bulk actions."""
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ideas import workflow
from ideas.extensions import db
from ideas.htmx import is_htmx
from ideas.labels import STATUS
from ideas.models import (
    OPEN_STATUSES,
    ActionField,
    Channel,
    Comment,
    Idea,
    IdeaStatus,
    Process,
    Report,
    ReportReason,
    utcnow,
)
from ideas.moderation import bp
from ideas.moderation.queue_forms import BulkForm
from ideas.processes import current_process, running_processes

TABS = ("new", "reported", "evaluate", "decided")
DEFAULT_TAB = "new"
DECIDED = (IdeaStatus.accepted, IdeaStatus.rejected, IdeaStatus.implemented)
AGES = (1, 3, 7, 14)  # "older than N days"
PER_PAGE = 20
COUNT_BOUND = 1000  # tab counts stop here ("1000+"): the same cost with 1,000 or 100,000 waiting ideas
MAX_PAGE = 10_000
NO_FIELD = "none"

TAB_LABELS = {
    "new": _l("New"), "reported": _l("Reported"), "evaluate": _l("To evaluate"), "decided": _l("Decided"),
}
TAB_HINTS = {
    "new": _l("Ideas waiting for review before they are published. The oldest come first."),
    "reported": _l("Ideas and comments that citizens have reported. The most reported come first."),
    "evaluate": _l("Published ideas without a released answer. The most supported come first."),
    "decided": _l("Ideas with a decision. The newest decision comes first."),
}
# Which bulk actions each tab offers, and the status an idea must have for each action.
TAB_ACTIONS = {"new": ["publish", "tag"], "evaluate": ["review", "tag"], "decided": ["tag"]}
ACTION_FROM = {
    "publish": (IdeaStatus.pending,),
    "review": (IdeaStatus.published,),
    "tag": (IdeaStatus.pending, IdeaStatus.published, IdeaStatus.under_review, *DECIDED),
}


@dataclass
class QueueFilter:
    """What the moderator asked for, already checked: unknown values fall back to "all"."""

    tab: str = DEFAULT_TAB
    process: Process | None = None
    field: ActionField | None = None
    no_field: bool = False
    channel: Channel | None = None
    age: int | None = None
    now: datetime = dc_field(default_factory=utcnow)

    @classmethod
    def from_args(cls, args, process: Process | None) -> "QueueFilter":
        tab = args.get("tab", DEFAULT_TAB)
        fields = {f.slug: f for f in process.action_fields} if process else {}
        field_arg = args.get("field", "")
        channels = {c.value: c for c in Channel}
        age = args.get("age", "")
        return cls(
            tab=tab if tab in TABS else DEFAULT_TAB,
            process=process,
            field=fields.get(field_arg),
            no_field=field_arg == NO_FIELD,
            channel=channels.get(args.get("channel", "")),
            age=int(age) if age in {str(a) for a in AGES} else None,
        )

    @property
    def cutoff(self) -> datetime | None:
        return self.now - timedelta(days=self.age) if self.age else None

    def args(self, **overrides) -> dict:
        """Query-string arguments for links and redirects that keep the current filters."""
        values = {
            "tab": self.tab,
            "process": self.process.slug if self.process else None,
            "field": self.field.slug if self.field else (NO_FIELD if self.no_field else None),
            "channel": self.channel.value if self.channel else None,
            "age": str(self.age) if self.age else None,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}

    def on_ideas(self, stmt: Select) -> Select:
        """Process, action field and channel, for any statement that involves Idea."""
        if self.process is not None:
            stmt = stmt.where(Idea.process_id == self.process.id)
        if self.field is not None:
            stmt = stmt.where(Idea.action_field_id == self.field.id)
        elif self.no_field:
            stmt = stmt.where(Idea.action_field_id.is_(None))
        if self.channel is not None:
            stmt = stmt.where(Idea.channel == self.channel)
        return stmt


def ideas_statement(filters: QueueFilter, tab: str, counting: bool = False) -> Select:
    """The ideas of the tabs new, evaluate and decided, in the order they should be handled.

    counting: only their ids, without loader options (building those costs more than the count).
    """
    stmt = filters.on_ideas(select(Idea.id) if counting else select(Idea).options(joinedload(Idea.action_field)))
    if filters.cutoff is not None:
        stmt = stmt.where(Idea.created_at <= filters.cutoff)
    if tab == "new":
        return stmt.where(Idea.status == IdeaStatus.pending).order_by(Idea.created_at, Idea.id)
    if tab == "evaluate":
        # What citizens care about most comes first.
        return stmt.where(Idea.status.in_(OPEN_STATUSES), Idea.answer_published_at.is_(None)).order_by(
            Idea.support_count.desc(), Idea.comment_count.desc(), Idea.created_at, Idea.id)
    if tab == "decided":
        return stmt.where(Idea.status.in_(DECIDED)).order_by(
            Idea.decided_at.desc().nulls_last(), Idea.id.desc())
    raise ValueError(tab)


REASON_COLUMNS = {reason: f"reason_{reason.value}" for reason in ReportReason}


def report_groups(filters: QueueFilter) -> Select:
    """One row per reported idea or comment with open reports: reporters, first report, reasons."""
    stmt = (
        select(
            Report.idea_id, Report.comment_id,
            func.count(func.distinct(Report.reporter_id)).label("reporters"),
            func.min(Report.created_at).label("first_at"),
            *[func.count(func.distinct(case((Report.reason == reason, Report.reporter_id))))
              .label(name) for reason, name in REASON_COLUMNS.items()],
        )
        .join(Idea, Idea.id == Report.idea_id)
        .where(Report.resolved_at.is_(None))
        .group_by(Report.idea_id, Report.comment_id)
    )
    stmt = filters.on_ideas(stmt)
    if filters.cutoff is not None:
        stmt = stmt.having(func.min(Report.created_at) <= filters.cutoff)
    return stmt


def reported_statement(filters: QueueFilter) -> Select:
    """Reported items with their idea (and comment), the most reported first."""
    groups = report_groups(filters).subquery()
    return (
        select(Idea, Comment, groups.c.reporters, groups.c.first_at,
               *[groups.c[name] for name in REASON_COLUMNS.values()])
        .join(groups, groups.c.idea_id == Idea.id)
        .outerjoin(Comment, Comment.id == groups.c.comment_id)
        .options(joinedload(Idea.action_field), joinedload(Comment.author))
        .order_by(groups.c.reporters.desc(), groups.c.first_at, Idea.id, groups.c.comment_id)
    )


def tab_statement(filters: QueueFilter, tab: str) -> Select:
    return reported_statement(filters) if tab == "reported" else ideas_statement(filters, tab)


def tab_counts(filters: QueueFilter, limits: dict[str, int] | None = None) -> dict[str, int]:
    """How many items each tab holds under the current filters, counted up to a bound: one small query per tab.

    With 100,000 ideas the "to evaluate" tab holds 90,000; counting them all cost more than the rest of
    the page. A count of limit + 1 means "more than limit".
    """
    counted = []
    for tab in TABS:
        stmt = report_groups(filters) if tab == "reported" else ideas_statement(filters, tab, counting=True)
        limit = (limits or {}).get(tab, COUNT_BOUND)
        counted.append(select(func.count()).select_from(stmt.order_by(None).limit(limit + 1).subquery())
                       .scalar_subquery())
    # One statement for the four counts: one round trip, one compiled statement to look up.
    return dict(zip(TABS, db.session.execute(select(*counted)).one()))


class RowPagination(SelectPagination):
    """db.paginate's pagination for statements that select several columns, not one model."""

    def _query_items(self) -> list:
        stmt = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt).all())


@dataclass
class QueueRow:
    """One line of the queue: an idea, or a comment with its idea, and how long it has waited."""

    idea: Idea
    since: datetime | None
    comment: Comment | None = None
    reporters: int = 0
    reasons: list = dc_field(default_factory=list)

    @property
    def hidden(self) -> bool:
        if self.comment is not None:
            return not self.comment.is_visible
        return self.idea.status == IdeaStatus.hidden


def in_words(duration: timedelta) -> str:
    """A duration in plain words, rounded to its largest unit ("3 days", "5 hours")."""
    return format_timedelta(max(duration, timedelta(0)), threshold=0.9)


def waited(since: datetime | None, now: datetime) -> str:
    """How long something has waited since a moment, in plain words."""
    return in_words(now - since) if since is not None else ""


def _rows(filters: QueueFilter, tab: str, items) -> list[QueueRow]:
    if tab != "reported":
        since = (lambda idea: idea.decided_at) if tab == "decided" else (lambda idea: idea.created_at)
        return [QueueRow(idea=idea, since=since(idea)) for idea in items]
    rows = []
    for item in items:
        reasons = [(reason, getattr(item, name)) for reason, name in REASON_COLUMNS.items()
                   if getattr(item, name)]
        rows.append(QueueRow(idea=item.Idea, comment=item.Comment, since=item.first_at,
                             reporters=item.reporters, reasons=reasons))
    return rows


def queue_context(filters: QueueFilter) -> dict:
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    # The open tab is counted far enough past the page asked for to know whether it exists.
    limits = {tab: COUNT_BOUND for tab in TABS} | {filters.tab: (number - 1) * PER_PAGE + COUNT_BOUND}
    counts = tab_counts(filters, limits)
    over = {tab for tab, n in counts.items() if n > limits[tab]}
    counts = {tab: min(n, limits[tab]) for tab, n in counts.items()}
    total = counts[filters.tab]
    last_page = max((total + PER_PAGE - 1) // PER_PAGE, 1) + (1 if filters.tab in over else 0)
    number = min(number, last_page)
    stmt = tab_statement(filters, filters.tab)
    paginate = dict(select=stmt, session=db.session(), page=number, per_page=PER_PAGE,
                    max_per_page=PER_PAGE, error_out=False, count=False)
    page = RowPagination(**paginate) if filters.tab == "reported" else SelectPagination(**paginate)
    page.total = total + (1 if filters.tab in over else 0)  # a page past the count, when there is more
    fields = filters.process.action_fields if filters.process else []
    form = BulkForm(formdata=None)
    form.set_choices(TAB_ACTIONS.get(filters.tab, []), fields)
    return dict(
        filters=filters, counts=counts, over=over, page=page, rows=_rows(filters, filters.tab, page.items),
        fields=fields, processes=running_processes(), channels=list(Channel), ages=AGES,
        bulk_form=form, bulk_actions=TAB_ACTIONS.get(filters.tab, []),
        waited=lambda since: waited(since, filters.now), NO_FIELD=NO_FIELD, TABS=TABS,
        TAB_LABELS=TAB_LABELS, TAB_HINTS=TAB_HINTS,
    )


@bp.route("/")
def queue():
    """What waits for moderators: new, reported, to evaluate and decided ideas, oldest worries first."""
    filters = QueueFilter.from_args(request.args, current_process())
    context = queue_context(filters)
    if is_htmx() and request.headers.get("HX-Target") == "queue-results":
        return render_template("moderation/_queue_results.html", oob=True, **context)
    return render_template("moderation/queue.html", **context)


def _apply(action: str, idea: Idea, field: ActionField | None) -> None:
    if action == "publish":
        workflow.publish(idea, current_user, expected=IdeaStatus.pending)
    elif action == "review":
        workflow.change_status(idea, IdeaStatus.under_review, current_user, expected=IdeaStatus.published)
    else:
        workflow.tag(idea, current_user, field, list(idea.further_fields))


def _refusal(idea: Idea | None, action: str, process: Process | None) -> str | None:
    """Why this idea cannot take part in the bulk action, or None if it can."""
    if idea is None:
        return _("This idea does not exist.")
    if process is None or idea.process_id != process.id:
        return _("It belongs to another process.")
    if idea.status not in ACTION_FROM[action]:
        return _("Its status is now “%(status)s”.", status=STATUS[idea.status])
    return None


@bp.route("/bulk", methods=["POST"])
def bulk():
    """Publish, start the evaluation of, or set the action field of several ideas at once."""
    process = current_process()
    filters = QueueFilter.from_args(request.form, process)
    page = request.form.get("page", "")
    back = url_for("moderation.queue", **filters.args(page=page if page.isascii() and page.isdigit() else None))
    form = BulkForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(back)
    action, ids = form.action.data, form.ids.data
    if not ids:
        flash(_("Please select at least one idea."), "error")
        return redirect(back)
    field = None
    if action == "tag":
        raw = form.tag_field.data or ""
        if raw.isascii() and raw.isdigit() and len(raw) <= 10:
            field = db.session.get(ActionField, int(raw))
        if field is None or process is None or field.process_id != process.id:
            flash(_("Please choose an action field of this process."), "error")
            return redirect(back)
    loaded = db.session.scalars(
        select(Idea).where(Idea.id.in_(ids))
        .options(joinedload(Idea.author), selectinload(Idea.further_fields))
    ).all()
    by_id = {idea.id: idea for idea in loaded}
    changed, refused = 0, []
    for idea_id in ids:
        idea = by_id.get(idea_id)
        reference = idea.reference if idea is not None and idea.reference else f"#{idea_id}"
        reason = _refusal(idea, action, process)
        if reason is None:
            try:
                # A savepoint per idea: each change happens completely or not at all.
                with db.session.begin_nested():
                    _apply(action, idea, field)
                changed += 1
                continue
            except workflow.WorkflowError as exc:
                db.session.expire(idea)
                reason = str(exc)
        refused.append(f"{reference} – {reason}")
    db.session.commit()
    flash(_summary(changed, refused), "success" if not refused else ("error" if not changed else "info"))
    return redirect(back)


def _summary(changed: int, refused: list[str]) -> str:
    parts = []
    if changed or not refused:
        parts.append(ngettext("%(num)d idea was changed.", "%(num)d ideas were changed.", changed))
    if refused:
        parts.append(ngettext("%(num)d idea could not be changed: %(list)s",
                              "%(num)d ideas could not be changed: %(list)s",
                              len(refused), list="; ".join(refused)))
    return " ".join(parts)
