"""The idea list at city scale: pages read off the sort indexes, searches bounded, cards cheap to render."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, text

from ideas import feed
from ideas.extensions import db
from ideas.feed import FeedQuery
from ideas.models import Idea, IdeaStatus
from tests.conftest import make_idea, make_process, make_user
from tests.test_participation import titles_in

SAME_TIME = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def tied(app):
    """Seven public ideas with equal dates, supports, comments and scores, a hidden and a withdrawn one."""
    app.config["IDEAS_PER_PAGE"] = 2
    process = make_process()
    author = make_user()
    ideas = [make_idea(process, author, title=f"Gleichstand Nummer {n}") for n in range(7)]
    make_idea(process, author, title="Versteckter Gleichstand", status=IdeaStatus.hidden)
    make_idea(process, author, title="Zurückgezogener Gleichstand", status=IdeaStatus.withdrawn)
    for idea in db.session.scalars(db.select(Idea)):
        idea.created_at, idea.support_count, idea.comment_count, idea.hot_score = SAME_TIME, 3, 1, 0.5
    db.session.commit()
    return process, ideas


@pytest.mark.parametrize("sort", list(feed.SORTS))
def test_pages_walk_every_idea_once_even_when_the_sort_values_tie(client, tied, sort):
    process, ideas = tied
    shown = []
    for number in range(1, 6):
        shown += titles_in(client.get(f"/ideas?sort={sort}&page={number}").text)
    # Equal sort values fall back to the id, newest first: no idea twice, none left out.
    assert shown == [i.title for i in sorted(ideas, key=lambda i: i.id, reverse=True)]


def test_filters_hold_on_every_page(client, tied):
    process, ideas = tied
    other = process.action_fields[1]
    moved = ideas[1::2]
    for idea in moved:
        idea.action_field = other
    db.session.commit()
    shown = []
    for number in (1, 2, 3):
        shown += titles_in(client.get(f"/ideas?field={other.slug}&sort=supported&page={number}").text)
    assert shown == [i.title for i in reversed(moved)]


def test_the_sort_indexes_hold_id_and_status(app):
    # Without id and status in the index a deep page reads every skipped idea's row (issue 6).
    indexes = {ix["name"]: ix["column_names"] for ix in inspect(db.engine).get_indexes("idea")}
    for scope, column in (("process", "process_id"), ("field", "action_field_id")):
        for sort in ("created_at", "support_count", "comment_count", "hot_score"):
            assert indexes[f"ix_idea_{scope}_{sort}"] == [column, sort, "id", "status"]
    for sort in ("created_at", "support_count", "comment_count", "hot_score"):
        assert indexes[f"ix_idea_all_{sort}"] == [sort, "id", "status"]


def test_a_deep_page_reads_its_ids_off_the_index_alone(app):
    process = make_process()
    make_idea(process)
    query = FeedQuery(process=process)
    ids = db.select(Idea.id).where(*query._where()).order_by(*feed.SORTS["newest"]).limit(20).offset(980)
    sql = str(ids.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[3] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert "COVERING INDEX ix_idea_process_created_at" in plan and "TEMP B-TREE" not in plan
    else:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
        assert "ix_idea_process_created_at" in plan and "Sort" not in plan.replace("Sort Key", "")


@pytest.mark.parametrize("sort, column", [("newest", "created_at"), ("supported", "support_count"),
                                          ("discussed", "comment_count"), ("trending", "hot_score")])
def test_a_list_across_all_processes_reads_its_ids_off_an_index_in_order(app, sort, column):
    """The API without ?process= sorted every public idea on PostgreSQL before these indexes."""
    make_idea(make_process())
    ids = db.select(Idea.id).where(*FeedQuery(sort=sort)._where()).order_by(*feed.SORTS[sort]).limit(21)
    sql = str(ids.compile(db.engine, compile_kwargs={"literal_binds": True}))
    if db.engine.dialect.name == "sqlite":
        plan = " ".join(row[3] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))
        assert f"COVERING INDEX ix_idea_all_{column}" in plan and "TEMP B-TREE" not in plan
    else:
        # A handful of rows: without these the planner would sort them rather than read any index.
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = " ".join(row[0] for row in db.session.execute(text("EXPLAIN " + sql)))
        assert f"ix_idea_all_{column}" in plan and "Sort" not in plan.replace("Sort Key", "")


def test_a_search_lists_its_newest_matches_up_to_the_bound(client, english, monkeypatch):
    monkeypatch.setattr(feed, "SEARCH_BOUND", 3)
    process = make_process()
    author = make_user()
    matching = [make_idea(process, author, title=f"Radwege am Fluss, Teil {n}") for n in range(5)]
    make_idea(process, author, title="Ganz etwas anderes hier")
    make_idea(process, author, title="Radwege, aber versteckt", status=IdeaStatus.hidden)
    matching[0].support_count = 50  # the oldest match: beyond the bound, however popular
    matching[3].support_count = 7
    db.session.commit()
    page = client.get("/ideas?q=Radweg&sort=supported").text
    assert "More than 3 ideas found" in page
    # The three newest public matches (the hidden one does not take a place), in the chosen order.
    assert titles_in(page) == [matching[3].title, matching[4].title, matching[2].title]
    exact = client.get("/ideas?q=Radweg&status=published&field=f1").text
    assert "0 ideas found" in exact or "No ideas match" in exact


def test_a_search_can_walk_the_newest_ideas_on_the_stored_vector(app):
    """PostgreSQL: the stored vector lets a common word be found newest first, without sorting all matches."""
    from ideas import search

    process = make_process()
    make_idea(process, title="Radwege am Fluss")
    stmt = search.newest_matches("Radwege", FeedQuery(process=process)._conditions(), 201)
    compiled = stmt.compile(db.engine, compile_kwargs={"render_postcompile": True})
    if db.engine.dialect.name == "sqlite":
        assert "idea_fts MATCH" in str(compiled)
        return
    assert "idea.search_vector @@" in str(compiled) and "to_tsvector" not in str(compiled)
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_bitmapscan = off")
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_sort = off")  # a handful of rows would be sorted
    plan = " ".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + str(compiled), compiled.params))
    assert "Index Scan Backward using pk_idea" in plan and "Sort" not in plan.replace("Sort Key", "")


def test_an_edited_idea_is_found_by_its_new_words(client):
    """The database derives the PostgreSQL vector from search_text; SQLite's FTS triggers do the same."""
    from ideas import search

    process = make_process()
    idea = make_idea(process, title="Sitzbänke im Stadtpark")
    idea.title = "Trinkbrunnen im Stadtpark"
    search.refresh(idea)
    db.session.commit()
    assert titles_in(client.get("/ideas?q=Trinkbrunnen").text) == ["Trinkbrunnen im Stadtpark"]
    assert titles_in(client.get("/ideas?q=Sitzbänke").text) == []


def test_the_api_counts_a_search_as_far_as_it_lists(client, monkeypatch):
    monkeypatch.setattr(feed, "SEARCH_BOUND", 2)
    process = make_process()
    for n in range(4):
        make_idea(process, title=f"Radwege am Fluss, Teil {n}")
    body = client.get("/api/v1/ideas?q=Radweg&per_page=1").get_json()
    assert (body["total"], body["pages"], len(body["items"])) == (2, 2, 1)
    assert client.get("/api/v1/ideas?q=Radweg&page=3").get_json()["items"] == []
    huge = client.get("/api/v1/ideas?page=99999999999999999999")
    assert huge.status_code == 200 and huge.get_json()["items"] == []


@pytest.mark.parametrize("lang, one, many", [("de", "1 Unterstützung", "2 Unterstützungen"),
                                             ("en", "1 support", "2 supports")])
def test_cards_translate_their_counts_with_the_catalogue_plurals(client, lang, one, many):
    process = make_process()
    first = make_idea(process, title="Erste Idee mit Zahlen")
    second = make_idea(process, title="Zweite Idee mit Zahlen")
    first.support_count, second.support_count = 1, 2
    db.session.commit()
    client.set_cookie("lang", lang)
    page = client.get("/ideas").text
    assert f"<span>{one}</span>" in page and f"<span>{many}</span>" in page
    assert f'<a href="/ideas/{first.id}">Erste Idee mit Zahlen</a>' in page
    assert ("Nr. " if lang == "de" else "No. ") + first.reference in page
