"""The public list of ideas: filters, sorts, search and pagination in one query builder.

A page costs the same at 1,000 and at 100,000 ideas: the counts stop at a bound, a page's
ids are read off an index that holds the sort, the id and the status (so OFFSET skips index
entries, not rows), and only then are the page's 20 rows loaded; a search reads its newest
SEARCH_BOUND matches off the full-text index instead of all of them.
"""
from dataclasses import dataclass

from flask import request, url_for
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import defer, joinedload

from ideas import search
from ideas.extensions import db
from ideas.labels import STATUS
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
# A search lists its newest matches up to this many, in the chosen order, and says when there are more.
SEARCH_BOUND = 200
FILTER_STATUSES = {s.value: s for s in PUBLIC_STATUSES}
HIDDEN_STATUSES = tuple(s for s in IdeaStatus if s not in PUBLIC_STATUSES)
# Texts no list of ideas shows (what the author typed, the search stems, answers in preparation):
# not loaded, and reading one raises, so a template that needs one cannot quietly add a query per idea.
LIST_OPTIONS = (
    joinedload(Idea.action_field),
    *(defer(column, raiseload=True) for column in (
        Idea.body_source, Idea.search_text, Idea.answer_source, Idea.prepared_answer, Idea.moderation_note)),
)


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

    def _conditions(self) -> list:
        # A field belongs to one process: filtering by both would hide the field's indexes.
        if self.field is not None:
            scope = [Idea.action_field_id == self.field.id]
        elif self.process is not None:
            scope = [Idea.process_id == self.process.id]
        else:
            scope = []
        if self.status:
            public = Idea.status == self.status
        elif scope:
            public = Idea.status.in_(PUBLIC_STATUSES)
        else:
            # The same ideas, said so that SQLite reads them off the sort index in order: given
            # status IN (...) it takes the status index and sorts every public idea (300 ms at 100,000).
            public = Idea.status.not_in(HIDDEN_STATUSES)
        return [public, *scope]

    def _matches(self) -> list[int] | None:
        """The searched ideas' ids (up to one beyond the bound, newest first), read once per request;
        None without a search. Count and page share them: on PostgreSQL each read visits every match."""
        if not self.q:
            return None
        if "_found" not in self.__dict__:
            stmt = search.newest_matches(self.q, self._conditions(), SEARCH_BOUND + 1)
            self._found = None if stmt is None else list(db.session.scalars(stmt))
        return self._found

    @property
    def bound(self) -> int:
        """How far counts go: closer for a search, whose matches cost a row each."""
        return SEARCH_BOUND if self._matches() is not None else COUNT_BOUND

    def _where(self) -> list:
        """Conditions on Idea for the matching ideas (a search's bounded matches carry the filters)."""
        found = self._matches()
        return [Idea.id.in_(found[:SEARCH_BOUND])] if found is not None else self._conditions()

    def count(self, limit: int | None) -> int:
        """How many ideas match, counting no further than `limit` (a search no further than its bound)."""
        found = self._matches()
        if found is not None:
            return min(len(found), limit or SEARCH_BOUND)
        ids = select(Idea.id).where(*self._conditions()).limit(limit)
        return db.session.execute(select(func.count()).select_from(ids.subquery())).scalar_one()

    def items(self, limit: int, offset: int = 0, *options) -> list[Idea]:
        """One page of ideas: their ids first, read off an index that holds sort and status, then these rows."""
        page = select(Idea.id).where(*self._where()).order_by(*SORTS[self.sort]).limit(limit).offset(offset).subquery()
        stmt = (select(Idea).options(*LIST_OPTIONS, *options).join(page, page.c.id == Idea.id)
                .order_by(*SORTS[self.sort]))
        return list(db.session.scalars(stmt).unique())

    def statement(self) -> Select:
        """All matching ideas in order, as one statement (for db.paginate)."""
        return select(Idea).options(*LIST_OPTIONS).where(*self._where()).order_by(*SORTS[self.sort])

    def args(self, **overrides) -> dict:
        """Query-string arguments for links that keep the current filters."""
        values = {
            "q": self.q or None, "sort": self.sort if self.sort != DEFAULT_SORT else None,
            "status": self.status.value if self.status else None,
            "field": self.field.slug if self.field else None,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}


class BoundedPagination(Pagination):
    """A page whose total stops at the query's bound; `more` says there are further matches beyond it."""

    more: bool = False

    def _query_items(self) -> list[Idea]:
        return self._query_args["query"].items(self.per_page, self._query_offset)

    def _query_count(self) -> int:
        query: FeedQuery = self._query_args["query"]
        found = query.count(query.bound + 1)
        self.more = found > query.bound
        return min(found, query.bound)


def bounded_page(query: FeedQuery, page: int, per_page: int) -> BoundedPagination:
    """One page of ideas with a count that costs the same at 1,000 and at 100,000 matches."""
    return BoundedPagination(query=query, page=page, per_page=per_page, max_per_page=50, error_out=False)


class CardText:
    """The idea card's words and link, worked out once per page, not once per card: Flask-Babel looks
    the catalogue up on every call and url_for walks the URL map (each 25-40 µs, five times per card)."""

    def __init__(self):
        self._translations = get_translations()
        self.number = _("No.")
        self._statuses: dict[IdeaStatus, str] = {}
        # The idea URL ends in its id (an int converter): build it once and swap the id in.
        self._idea_url = url_for("participation.idea", idea_id=1).removesuffix("1")

    def url(self, idea_id: int) -> str:
        return f"{self._idea_url}{idea_id}"

    def status(self, status: IdeaStatus) -> str:
        if status not in self._statuses:
            self._statuses[status] = str(STATUS[status])
        return self._statuses[status]

    def supports(self, num: int) -> str:
        return self._translations.ungettext("%(num)d support", "%(num)d supports", num) % {"num": num}

    def comments(self, num: int) -> str:
        return self._translations.ungettext("%(num)d comment", "%(num)d comments", num) % {"num": num}


def card_text() -> CardText:
    """The current page's CardText (templates call this for every card)."""
    # Kept on the request, not on g: tests reuse one app context (and g) for many requests.
    current = request._get_current_object()
    text = current.environ.get("ideenfenster.card_text")
    if text is None:
        text = current.environ["ideenfenster.card_text"] = CardText()
    return text
