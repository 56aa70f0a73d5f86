"""Anti-automation: honeypot and minimum fill time on the citizens' forms, and rate limits."""
import re
import time

import pytest
from itsdangerous import TimestampSigner

from ideas import antispam
from ideas.extensions import limiter
from ideas.models import Comment, Idea, Report, User
from tests.conftest import count, make_idea, make_process, make_user
from tests.test_securitylog import Lines, lines  # noqa: F401 - fixture


@pytest.fixture
def limits(app):
    """Rate limits on for this test only (TestConfig switches them off)."""
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)


def old_stamp(app, seconds=10) -> str:
    real = TimestampSigner.get_timestamp
    TimestampSigner.get_timestamp = lambda self: int(time.time()) - seconds
    try:
        with app.test_request_context("/"):
            return antispam.stamp()
    finally:
        TimestampSigner.get_timestamp = real


def register_data(**extra):
    return {"email": "neu@example.org", "display_name": "Neue Person", "password": "ein langer Satz zum Merken",
            "password2": "ein langer Satz zum Merken", "accept_terms": "y", **extra}


def idea_data(process, **extra):
    return {"title": "Sitzbänke mit Steckdosen am Markt", "body": "Damit man unterwegs das Telefon laden kann.",
            "action_field": str(process.action_fields[0].id), "submit": "1", **extra}


# Each form: (how to prepare, url, data, what must not have been written)
def _register(client, auth):
    return "/register", register_data(), lambda: count(User)


def _idea(client, auth):
    process = make_process()
    auth.login_as("citizen")
    return "/ideas/new", idea_data(process), lambda: count(Idea)


def _comment(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    return f"/ideas/{idea.id}/comments", {"body": "Finde ich gut."}, lambda: count(Comment)


def _report(client, auth):
    idea = make_idea()
    auth.login_as("citizen")
    return f"/ideas/{idea.id}/report", {"reason": "spam"}, lambda: count(Report)


FORMS = [_register, _idea, _comment, _report]


@pytest.mark.parametrize("prepare", FORMS, ids=lambda f: f.__name__.strip("_"))
def test_a_filled_honeypot_is_refused_neutrally_and_logged(client, auth, english, lines, prepare):  # noqa: F811
    url, data, rows = prepare(client, auth)
    before = rows()
    response = client.post(url, data={**data, "website": "http://spam.example"})
    assert response.status_code == 422
    assert rows() == before
    assert "could not be sent" in response.get_data(as_text=True)
    event, = lines.events("antispam")
    assert event["reason"] == "honeypot"


@pytest.mark.parametrize("prepare", FORMS, ids=lambda f: f.__name__.strip("_"))
def test_the_same_form_without_the_honeypot_goes_through(client, auth, prepare):
    url, data, rows = prepare(client, auth)
    before = rows()
    response = client.post(url, data=data)
    assert response.status_code == 302
    assert rows() == before + 1


@pytest.mark.parametrize("prepare", FORMS, ids=lambda f: f.__name__.strip("_"))
def test_a_form_sent_too_fast_or_without_a_stamp_is_refused(app, client, auth, lines, prepare):  # noqa: F811
    app.config["MIN_FILL_SECONDS"] = 3
    url, data, rows = prepare(client, auth)
    before = rows()
    with app.test_request_context("/"):
        fresh = antispam.stamp()
    for stamp, reason in [(fresh, "too_fast"), ("", "no_stamp"), ("form.forged.sig", "no_stamp")]:
        assert client.post(url, data={**data, "form_started": stamp}).status_code == 422
        assert lines.events("antispam")[-1]["reason"] == reason
    assert rows() == before
    response = client.post(url, data={**data, "form_started": old_stamp(app)})
    assert response.status_code == 302
    assert rows() == before + 1


def test_forms_carry_the_hidden_field_and_a_signed_stamp(app, client, auth, english):
    process = make_process()
    idea = make_idea(process=process)
    pages = ["/register"]
    auth.login_as("citizen")
    pages += ["/ideas/new", f"/ideas/{idea.id}", f"/ideas/{idea.id}/report"]
    auth.logout()
    for url in pages:
        if url != "/register":
            auth.login_as("citizen")
        text = client.get(url).get_data(as_text=True)
        field = re.search(r'<input[^>]*name="website"[^>]*>', text).group(0)
        assert 'tabindex="-1"' in field and 'autocomplete="off"' in field, url
        assert "Leave empty" in text
        stamp = re.search(r'name="form_started"[^>]*value="([^"]+)"', text) or \
            re.search(r'value="([^"]+)"[^>]*name="form_started"', text)
        with app.test_request_context("/"):
            assert 0 <= antispam.seconds_since(stamp.group(1)) < 60, url


def test_reply_forms_have_their_own_field_ids(client, auth):
    from ideas import discussion
    from ideas.extensions import db

    idea = make_idea()
    for n in range(2):
        discussion.add_comment(make_user(), idea, f"Kommentar {n}")
    db.session.commit()
    auth.login_as("citizen")
    text = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    ids = re.findall(r'id="(website[^"]*)"', text)
    assert len(ids) == 3 and len(set(ids)) == 3


# Rate limits: per person when logged in, so people behind one town-hall address are not blocked together.

def _limit_reached(client, url, data, allowed):
    statuses = [client.post(url, data=data).status_code for _ in range(allowed + 1)]
    assert 429 not in statuses[:allowed], statuses
    return statuses[-1] == 429


@pytest.mark.parametrize("what, allowed", [("idea", 10), ("comment", 30), ("report", 20), ("support", 120)])
def test_rate_limits_per_person(client, auth, limits, what, allowed):
    process = make_process()
    idea = make_idea(process=process)
    url, data = {
        "idea": ("/ideas/new", {"title": ""}),
        "comment": (f"/ideas/{idea.id}/comments", {"body": ""}),
        "report": (f"/ideas/{idea.id}/report", {"reason": ""}),
        "support": (f"/ideas/{idea.id}/vote", {"action": "remove"}),
    }[what]
    auth.login_as("citizen")
    assert _limit_reached(client, url, data, allowed)
    auth.login_as("citizen")  # somebody else from the same address
    assert client.post(url, data=data).status_code != 429


def test_reporting_ideas_and_comments_shares_one_limit(client, auth, limits):
    from ideas import discussion
    from ideas.extensions import db

    idea = make_idea()
    comment = discussion.add_comment(make_user(), idea, "Ein Kommentar")
    db.session.commit()
    auth.login_as("citizen")
    for _ in range(20):
        assert client.post(f"/ideas/{idea.id}/report", data={"reason": ""}).status_code != 429
    assert client.post(f"/comments/{comment.id}/report", data={"reason": ""}).status_code == 429


def test_the_feedback_form_is_limited_by_address(client, limits):
    for _ in range(5):
        assert client.post("/barrierefreiheit", data={"message": ""}).status_code == 422
    assert client.post("/barrierefreiheit", data={"message": ""}).status_code == 429
