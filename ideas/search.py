"""German-aware search: the same stems in SQLite FTS5 and PostgreSQL full-text search.

We stem in Python (Snowball German, case and umlauts folded) and store the stems in
Idea.search_text; both databases then only match plain ASCII tokens by prefix, so
"Radweg" finds "Radwege" and "Bürger" finds "Buerger" on either database.
"""
import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from sqlalchemy import DDL, Select, column, event, func, literal_column, select, table, text

from ideas.extensions import db
from ideas.models import Idea
from ideas.sanitize import html_to_text

_stemmer = snowballstemmer.stemmer("german")
_WORD = re.compile(r"\w+", re.UNICODE)

# Words that carry no meaning for finding similar ideas.
STOP_WORDS = frozenset(
    """aber alle allem allen aller alles als also am an ander andere anderen auch auf aus bei
    bin bis bist da damit dann das dass dem den denn der des dich die dies diese diesem diesen
    dieser dieses dir doch dort du durch ein eine einem einen einer eines er es etwas euch für
    gibt hab habe haben hat hatte ich ihr im in ins ist ja jede jeden jeder jedes kann kein
    keine man mehr mein mich mir mit muss nach nicht noch nur ob oder ohne sehr sein seine sich
    sie sind so soll sollte sollten über um und uns unser unsere unter viel vom von vor war
    wäre was weil wenn wer werden wie wir wird wo wollen zu zum zur zwischen bitte gerne
    the and for with""".split()
)


def _fold(token: str) -> str:
    # Snowball has already turned ä/ö/ü into a/o/u; this folds what is left (é, ç, ...).
    return unicodedata.normalize("NFKD", token).encode("ascii", "ignore").decode()


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    # Snowball is slow in pure Python; texts repeat their words and a town's vocabulary is small.
    return _fold(_stemmer.stemWord(word))


def stems(value: str, drop_stop_words: bool = False) -> list[str]:
    words = dict.fromkeys(w.lower() for w in _WORD.findall(value or ""))
    if drop_stop_words:
        words = [w for w in words if w not in STOP_WORDS and len(w) > 2]
    return list(dict.fromkeys(s for s in map(_stem, words) if s))


def index_text(idea: Idea) -> str:
    """What Idea.search_text holds: stems of reference, title and description."""
    body = html_to_text(idea.body_html or "")
    # The reference as plain number tokens: PostgreSQL's parser would read "2026-00001" as "-00001".
    reference = _WORD.findall(idea.reference.lower()) if idea.reference else []
    return " ".join(stems(f"{idea.title} {body}") + reference)


def refresh(idea: Idea) -> None:
    idea.search_text = index_text(idea)


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def newest_matches(query: str, conditions: list, limit: int) -> Select | None:
    """Ids of the newest `limit` ideas (by id) that meet the conditions and match every word; None for no words.

    Nothing is ranked: SQLite's FTS5 hands out matches in id order and stops after `limit`;
    PostgreSQL's GIN index yields the matching ids (no text is parsed again) and keeps the newest.
    """
    terms = stems(query)[:12]
    if not terms:
        return None
    if _is_sqlite():
        fts = table("idea_fts", column("rowid"))
        match = " AND ".join(f'"{t}"*' for t in terms)
        # Ordered by the index's own rowid, so SQLite reads the matches newest first and stops at the limit.
        return (select(Idea.id).select_from(fts).join(Idea, Idea.id == fts.c.rowid)
                .where(text("idea_fts MATCH :match").bindparams(match=match), *conditions)
                .order_by(fts.c.rowid.desc()).limit(limit))
    tsquery = func.to_tsquery("simple", " & ".join(f"{t}:*" for t in terms))
    # The vector is stored, so PostgreSQL may choose: a common word is found walking the newest
    # ideas backwards until the limit (0.7 ms for "Stadt" at 100,000 ideas, was 112 ms through the
    # GIN index), a rare one through the GIN index.
    return (select(Idea.id).where(SEARCH_VECTOR.op("@@")(tsquery), *conditions)
            .order_by(Idea.id.desc()).limit(limit))


# The index structures live beside the table; create_all and the first migration both make them.
event.listen(
    Idea.__table__,
    "after_create",
    DDL(
        "CREATE VIRTUAL TABLE idea_fts USING fts5(search_text, content='idea', content_rowid='id');"
    ).execute_if(dialect="sqlite"),
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER idea_fts_insert AFTER INSERT ON idea BEGIN "
    "INSERT INTO idea_fts(rowid, search_text) VALUES (new.id, new.search_text); END;",
    "CREATE TRIGGER idea_fts_delete AFTER DELETE ON idea BEGIN "
    "INSERT INTO idea_fts(idea_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END;",
    "CREATE TRIGGER idea_fts_update AFTER UPDATE OF search_text ON idea BEGIN "
    "INSERT INTO idea_fts(idea_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO idea_fts(rowid, search_text) VALUES (new.id, new.search_text); END;",
]
for statement in SQLITE_TRIGGERS:
    event.listen(Idea.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
# On PostgreSQL the text vector is a stored generated column beside the models' columns: the
# database keeps it current, and reading it costs nothing when a search walks the newest ideas.
POSTGRES_SEARCH = [
    "ALTER TABLE idea ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED",
    "CREATE INDEX ix_idea_search ON idea USING gin (search_vector)",
]
SEARCH_VECTOR = literal_column("idea.search_vector")
for statement in POSTGRES_SEARCH:
    event.listen(Idea.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))
event.listen(
    Idea.__table__, "before_drop", DDL("DROP TABLE IF EXISTS idea_fts").execute_if(dialect="sqlite")
)


def similar(title: str, process_id: int | None, limit: int = 5, exclude_id: int | None = None):
    """Public ideas that share words with a title, best match first."""
    from ideas.models import PUBLIC_STATUSES

    terms = stems(title, drop_stop_words=True)[:12]
    if not terms:
        return []
    if _is_sqlite():
        match = " OR ".join(f'"{t}"*' for t in terms)
        rank = select(
            literal_column("rowid").label("id"), literal_column("rank").label("score")
        ).select_from(text("idea_fts")).where(
            text("idea_fts MATCH :match").bindparams(match=match)
        ).order_by(text("rank")).limit(200).subquery()
        order = rank.c.score.asc()
    else:
        tsquery = func.to_tsquery("simple", " | ".join(f"{t}:*" for t in terms))
        score = func.ts_rank(SEARCH_VECTOR, tsquery)
        rank = select(Idea.id.label("id"), score.label("score")).where(SEARCH_VECTOR.op("@@")(tsquery)) \
            .order_by(score.desc()).limit(200).subquery()
        order = rank.c.score.desc()
    stmt = select(Idea).join(rank, rank.c.id == Idea.id).where(Idea.status.in_(PUBLIC_STATUSES))
    if process_id is not None:
        stmt = stmt.where(Idea.process_id == process_id)
    if exclude_id is not None:
        stmt = stmt.where(Idea.id != exclude_id)
    return db.session.scalars(stmt.order_by(order, Idea.support_count.desc()).limit(limit)).all()
