"""Counter caches on Idea, changed in SQL in the same transaction as the rows they count."""
from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from ideas.extensions import db
from ideas.models import Idea


def bump(idea: Idea, column: str, delta: int) -> int:
    """Add delta to a counter atomically and return the new value.

    The database does the arithmetic, so parallel requests cannot lose an update; the
    ORM is told the result without scheduling another UPDATE of its own.
    """
    counter = getattr(Idea, column)
    value = db.session.execute(
        update(Idea).where(Idea.id == idea.id)
        .values({counter: counter + delta})
        .returning(counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(idea, column, value)
    return value
