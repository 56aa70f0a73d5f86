"""Many people at once: supports stay exact under parallel requests, on both databases."""
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from ideas.extensions import db
from ideas.models import Idea, Vote
from tests.conftest import make_idea, make_process, make_user


def _client_for(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


def _votes(idea_id):
    return db.session.scalar(select(func.count(Vote.id)).where(Vote.idea_id == idea_id))


def _post_all(jobs):
    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(lambda job: job[0].post(job[1], data=job[2]).status_code, jobs))


def test_many_people_support_the_same_idea(app):
    idea = make_idea()
    people = [make_user() for _ in range(30)]
    jobs = [(_client_for(app, person), f"/ideas/{idea.id}/vote", {"action": "add"}) for person in people]
    db.session.rollback()

    codes = _post_all(jobs)

    assert all(code < 500 for code in codes), codes
    db.session.rollback()  # end the test's own read snapshot
    assert _votes(idea.id) == 30
    assert db.session.get(Idea, idea.id).support_count == 30


def test_one_person_double_clicking_gets_one_support(app):
    idea = make_idea()
    jobs = [(_client_for(app, make_user()), f"/ideas/{idea.id}/vote", {"action": "add"})] * 20
    db.session.rollback()

    codes = _post_all(jobs)

    assert all(code < 500 for code in codes), codes
    db.session.rollback()  # end the test's own read snapshot
    assert _votes(idea.id) == 1
    assert db.session.get(Idea, idea.id).support_count == 1


def test_toggling_in_parallel_keeps_the_counter_true(app):
    idea = make_idea()
    client = _client_for(app, make_user())
    jobs = [(client, f"/ideas/{idea.id}/vote", {"action": a}) for a in ["add", "remove"] * 10]
    db.session.rollback()

    codes = _post_all(jobs)

    assert all(code < 500 for code in codes), codes
    db.session.rollback()  # end the test's own read snapshot
    rows = _votes(idea.id)
    assert rows in (0, 1)
    assert db.session.get(Idea, idea.id).support_count == rows


def test_quota_holds_under_parallel_supports(app):
    process = make_process(quota=3)
    ideas = [make_idea(process=process, title=f"Idee Nummer {i} für die Stadt") for i in range(10)]
    client = _client_for(app, make_user())
    jobs = [(client, f"/ideas/{i.id}/vote", {"action": "add"}) for i in ideas]
    db.session.rollback()

    codes = _post_all(jobs)

    assert all(code < 500 for code in codes), codes
    db.session.rollback()  # end the test's own read snapshot
    total = db.session.scalar(select(func.count(Vote.id)))
    assert total == 3
    counted = db.session.scalar(select(func.sum(Idea.support_count)))
    assert counted == 3
