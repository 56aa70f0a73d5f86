"""Pages run a fixed number of queries, however many ideas, comments or supports exist."""
from contextlib import contextmanager

from sqlalchemy import event

from ideas import discussion, voting
from ideas.extensions import db
from tests.conftest import make_idea, make_process, make_user


@contextmanager
def count_queries():
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def _fill(process, n):
    people = [make_user() for _ in range(3)]
    for i in range(n):
        idea = make_idea(process=process, author=people[i % 3], title=f"Idee Nummer {i} für Musterstadt",
                         field=process.action_fields[i % len(process.action_fields)])
        voting.add_support(people[(i + 1) % 3], idea)
        parent = discussion.add_comment(people[(i + 2) % 3], idea, "Gute Idee!")
        discussion.add_comment(people[i % 3], idea, "Danke!", parent)
    db.session.commit()
    return idea


def _queries(client, url):
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_feed_and_idea_page_do_not_grow_with_the_data(client, auth):
    process = make_process()
    _fill(process, 3)
    auth.login_as("citizen")
    urls = ["/", "/ideas", "/ideas?sort=supported&q=Idee", f"/ideas?field={process.action_fields[0].slug}"]
    small = {url: _queries(client, url) for url in urls}
    last = _fill(process, 30)
    large = {url: _queries(client, url) for url in urls}
    assert small == large
    assert max(large.values()) <= 10
    assert _queries(client, f"/ideas/{last.id}") <= 12


def test_feed_counts_only_up_to_a_bound(app, client, english, monkeypatch):
    from ideas import feed
    monkeypatch.setattr(feed, "COUNT_BOUND", 5)
    app.config["IDEAS_PER_PAGE"] = 2
    process = make_process()
    for i in range(4):
        make_idea(process=process, title=f"Idee Nummer {i} für Musterstadt")
    db.session.commit()
    page = client.get("/ideas").get_data(as_text=True)
    assert "4 ideas found" in page and "More than" not in page
    for i in range(4, 9):
        make_idea(process=process, title=f"Idee Nummer {i} für Musterstadt")
    db.session.commit()
    with count_queries() as statements:
        page = client.get("/ideas").get_data(as_text=True)
    counts = [s for s in statements if "count(" in s.lower()]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()
    assert "More than 5 ideas found" in page
    # Three pages of two fit under the bound; the pagination offers no fourth.
    assert 'aria-label="Page 3"' in page and 'aria-label="Page 4"' not in page
    last = client.get("/ideas?page=3").get_data(as_text=True)
    assert 'aria-current="page">3<' in last and 'rel="next"' not in last
