"""The public list of ideas: filters, sorts, search and pagination in one query builder."""
from dataclasses import dataclass

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ideas import search
from ideas.extensions import db
from ideas.models import PUBLIC_STATUSES, ActionField, Idea, IdeaStatus, Process

SORTS = {
    "newest": (Idea.created_at.desc(), Idea.id.desc()),
    "supported": (Idea.support_count.desc(), Idea.id.desc()),
    "discussed": (Idea.comment_count.desc(), Idea.id.desc()),
    "trending": (Idea.hot_score.desc(), Idea.id.desc()),
}
DEFAULT_SORT = "newest"
# Counting every match costs tens of milliseconds at 100,000 ideas; nobody pages past 50 pages of 20.
COUNT_BOUND = 1000
FILTER_STATUSES = {s.value: s for s in PUBLIC_STATUSES}


@dataclass
class FeedQuery:
    """What the person asked for, already checked: unknown values fall back to defaults."""

    q: str = ""
    sort: str = DEFAULT_SORT
    status: IdeaStatus | None = None
    field: ActionField | None = None
    process: Process | None = None

    @classmethod
    def from_args(cls, args, fields_by_slug: dict[str, ActionField], process: Process | None):
        from ideas.sanitize import clean_text
        sort = args.get("sort", DEFAULT_SORT)
        return cls(
            q=clean_text(args.get("q", ""))[:200],
            sort=sort if sort in SORTS else DEFAULT_SORT,
            status=FILTER_STATUSES.get(args.get("status", "")),
            field=fields_by_slug.get(args.get("field", "")),
            process=process,
        )

    def statement(self) -> Select:
        stmt = select(Idea).options(joinedload(Idea.action_field))
        stmt = stmt.where(Idea.status == self.status) if self.status else \
            stmt.where(Idea.status.in_(PUBLIC_STATUSES))
        # A field belongs to one process: filtering by both would hide the field's indexes.
        if self.field is not None:
            stmt = stmt.where(Idea.action_field_id == self.field.id)
        elif self.process is not None:
            stmt = stmt.where(Idea.process_id == self.process.id)
        if self.q:
            ids = search.matching_ids(self.q)
            if ids is not None:
                stmt = stmt.where(Idea.id.in_(ids))
        return stmt.order_by(*SORTS[self.sort])

    def args(self, **overrides) -> dict:
        """Query-string arguments for links that keep the current filters."""
        values = {
            "q": self.q or None, "sort": self.sort if self.sort != DEFAULT_SORT else None,
            "status": self.status.value if self.status else None,
            "field": self.field.slug if self.field else None,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}


class BoundedPagination(SelectPagination):
    """A page whose total stops at COUNT_BOUND; `more` says there are further matches beyond it."""

    more: bool = False

    def _query_count(self) -> int:
        stmt = self._query_args["select"]
        capped = stmt.with_only_columns(Idea.id).order_by(None).limit(COUNT_BOUND + 1).subquery()
        found = self._query_args["session"].execute(select(func.count()).select_from(capped)).scalar_one()
        self.more = found > COUNT_BOUND
        return min(found, COUNT_BOUND)


def bounded_page(stmt: Select, page: int, per_page: int) -> BoundedPagination:
    """One page of ideas with a count that costs the same at 1,000 and at 100,000 matches."""
    return BoundedPagination(select=stmt, session=db.session(), page=page, per_page=per_page,
                             max_per_page=50, error_out=False)
