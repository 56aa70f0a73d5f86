"""Sessions as people meet them: they start fresh at login, end when idle or old, and guesses are throttled."""
import re
import uuid

import pytest

from ideas import create_app, sessions
from ideas.extensions import db
from ideas.models import User
from ideas.passwords import hash_password
from tests.conftest import make_user

PASSWORD = "ein Satz, den ich mir merke"
STAFF_PASSWORD = "ein langer Satz für das Team"
REDIS_URL = "redis://127.0.0.1:6379/0"

pytestmark = pytest.mark.usefixtures("english")


def person(email=None, password=PASSWORD, **kwargs) -> User:
    return make_user(email=email or f"{uuid.uuid4().hex[:12]}@example.org",
                     password_hash=hash_password(password), locale="en", **kwargs)


def login(client, email, password, remember=False, ip="192.0.2.1"):
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": ip})


def logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def shift_session(client, **seconds_ago):
    """Pretend the login (auth) or the last request (seen) was this many seconds ago."""
    with client.session_transaction() as s:
        for name, ago in seconds_ago.items():
            s[f"_{name}_at"] = sessions.now() - ago


# S2: a new session at login

def test_nothing_of_the_session_before_the_login_survives_it(client):
    user = person()
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    before = client.get_cookie("session").value

    assert login(client, user.email, PASSWORD).status_code == 302
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"] == user.get_id()
    after = client.get_cookie("session").value
    assert after != before

    client.set_cookie("session", before)
    assert not logged_in(client)


# S5: idle and absolute timeout, on the server

@pytest.mark.parametrize("role, idle", [("citizen", 2 * 3600), ("moderator", 30 * 60)])
def test_a_session_ends_after_the_idle_time_of_its_role(client, role, idle):
    user = person(role=role, password=STAFF_PASSWORD)
    login(client, user.email, STAFF_PASSWORD)
    shift_session(client, seen=idle - 60)
    assert logged_in(client), "still within the idle time"

    shift_session(client, seen=idle + 60)
    page = client.get("/account")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")
    login_page = client.get(page.headers["Location"])
    assert f"You were logged out after {idle // 60} minutes without activity." in login_page.text
    with client.session_transaction() as s:
        assert "_user_id" not in s


def test_a_stolen_copy_of_an_idle_session_is_refused_too(client, app):
    user = person()
    login(client, user.email, PASSWORD)
    shift_session(client, seen=3 * 3600)
    stale = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", stale)
    assert thief.get("/account").status_code == 302


def test_activity_keeps_a_session_alive_but_not_past_the_absolute_limit(client, app):
    user = person()
    login(client, user.email, PASSWORD)
    shift_session(client, seen=3600)
    assert logged_in(client)
    with client.session_transaction() as s:
        assert sessions.now() - s["_seen_at"] < 5, "a request renews the idle time"

    shift_session(client, auth=app.config["SESSION_ABSOLUTE_SECONDS"] + 60, seen=10)
    response = client.get("/account")
    assert response.status_code == 302
    assert "Your session has ended. Please log in again." in client.get(response.headers["Location"]).text


def test_the_timeouts_can_be_configured(client, app):
    app.config["SESSION_IDLE_SECONDS"] = 600
    user = person()
    login(client, user.email, PASSWORD)
    shift_session(client, seen=700)
    assert not logged_in(client)


def test_sessions_from_before_the_timestamps_start_counting_instead_of_failing(client, auth):
    auth.login_as("citizen")
    assert logged_in(client)
    with client.session_transaction() as s:
        assert isinstance(s["_auth_at"], int) and isinstance(s["_seen_at"], int)


def test_staying_logged_in_lasts_for_citizens_but_not_for_staff(client, app):
    citizen = person()
    login(client, citizen.email, PASSWORD, remember=True)
    assert client.get_cookie("remember_token") is not None
    shift_session(client, seen=5 * 3600)
    assert logged_in(client), "a citizen who asked to stay logged in has no idle timeout"
    shift_session(client, auth=31 * 24 * 3600)
    assert not logged_in(client)
    assert client.get_cookie("remember_token") is None, "the remember cookie is removed as well"

    staff = app.test_client()
    moderator = person(role="moderator", password=STAFF_PASSWORD)
    login(staff, moderator.email, STAFF_PASSWORD, remember=True)
    assert staff.get_cookie("remember_token") is None


def test_a_restored_remembered_login_starts_its_own_timestamps(client, app):
    user = person()
    login(client, user.email, PASSWORD, remember=True)
    cookie = client.get_cookie("remember_token").value
    other = app.test_client()
    other.set_cookie("lang", "en")
    other.set_cookie("remember_token", cookie)
    assert other.get("/account").status_code == 200
    with other.session_transaction() as s:
        assert s["_remembered"] is True and isinstance(s["_auth_at"], int)


# A4: throttling failed logins

def test_six_wrong_passwords_lock_the_account_even_from_changing_addresses(client, app):
    user = person()
    for i in range(5):
        assert login(client, user.email, "falsch", ip=f"198.51.100.{i}").status_code == 422
    elsewhere = app.test_client()
    elsewhere.set_cookie("lang", "en")
    locked = login(elsewhere, user.email, PASSWORD, ip="203.0.113.9")
    assert locked.status_code == 429
    assert "Too many failed attempts. Please wait 15 minutes and try again." in locked.text
    assert not logged_in(client)

    # Another account is not affected.
    other = person()
    assert login(app.test_client(), other.email, PASSWORD, ip="203.0.113.9").status_code == 302


def test_the_lock_counts_the_address_whatever_its_case_and_even_without_an_account(client):
    for i in range(5):
        login(client, "Niemand@Example.org" if i % 2 else "niemand@example.org", "falsch", ip=f"198.51.100.{i}")
    assert login(client, "NIEMAND@example.org", "falsch", ip="198.51.100.99").status_code == 429


def test_a_right_password_clears_the_count_of_earlier_mistakes(client, app):
    user = person()
    for _ in range(4):
        login(client, user.email, "falsch")
    assert login(client, user.email, PASSWORD).status_code == 302
    fresh = app.test_client()
    for _ in range(4):
        assert login(fresh, user.email, "falsch").status_code == 422
    assert login(fresh, user.email, PASSWORD).status_code == 302


def test_one_address_trying_many_accounts_is_stopped(client, app):
    limit = int(app.config["LOGIN_LIMIT_IP"].split()[0])
    for i in range(limit):
        assert login(client, f"person{i}@example.org", "falsch", ip="192.0.2.77").status_code == 422
    user = person()
    assert login(client, user.email, PASSWORD, ip="192.0.2.77").status_code == 429
    assert login(client, user.email, PASSWORD, ip="192.0.2.78").status_code == 302


def test_a_failed_login_is_logged_without_the_password(client, caplog):
    user = person()
    with caplog.at_level("INFO", logger="ideenfenster.security"):
        login(client, user.email, "geheimes-falsches-Passwort")
    lines = [r.getMessage() for r in caplog.records if "login_failed" in r.getMessage()]
    assert len(lines) == 1
    assert f'"account": {user.id}' in lines[0]
    assert "geheimes-falsches-Passwort" not in lines[0]


def _throttle_app(app, storage):
    other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                        "LOGIN_THROTTLE_STORAGE_URI": storage}, config_name="testing")
    return other


@pytest.mark.parametrize("storage, shared", [(REDIS_URL, True), ("memory://", False)])
def test_the_lock_holds_across_workers_only_with_shared_storage(client, app, storage, shared):
    """Two app instances stand for two gunicorn workers; Redis runs here and in CI (no skip)."""
    app.config["LOGIN_THROTTLE_STORAGE_URI"] = storage
    email = f"{uuid.uuid4().hex}@example.org"
    person(email=email)
    for i in range(5):
        login(client, email, "falsch", ip=f"198.51.100.{i}")
    assert login(client, email, PASSWORD).status_code == 429

    worker = _throttle_app(app, storage)
    with worker.test_request_context("/login", environ_base={"REMOTE_ADDR": "203.0.113.5"}):
        wait = sessions.login_wait(email)
    assert (wait is not None) is shared
    if shared:
        assert 0 < wait <= 15 * 60


# Tasks staff must do before anything else

def test_staff_with_a_short_password_must_choose_a_new_one_before_anything_else(client):
    moderator = person(role="moderator", password="kurz aber 8")
    response = login(client, moderator.email, "kurz aber 8")
    assert response.headers["Location"] == "/account/password"
    assert client.get("/moderation/").headers["Location"] == "/account/password"
    assert client.get("/account").headers["Location"] == "/account/password"

    done = client.post("/account/password", data={"current_password": "kurz aber 8",
                                                   "password": STAFF_PASSWORD, "password2": STAFF_PASSWORD})
    assert done.status_code == 302
    assert client.get("/moderation/").status_code == 200


def test_a_citizen_with_an_old_eight_character_password_is_not_sent_anywhere(client):
    user = person(password="acht Zei")
    response = login(client, user.email, "acht Zei")
    assert response.headers["Location"] == "/"
    with client.session_transaction() as s:
        assert "_todo" not in s


def test_pending_tasks_cannot_be_skipped_by_editing_nothing_but_the_url(client):
    moderator = person(role="moderator", password="kurz aber 8")
    login(client, moderator.email, "kurz aber 8")
    for url in ["/", "/ideas", "/account/two-factor", "/moderation/", "/account/email"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/account/password", url
    assert client.post("/logout").status_code == 302
    with client.session_transaction() as s:
        assert "_user_id" not in s


def test_the_task_page_names_the_staff_rule(client):
    moderator = person(role="moderator", password="kurz aber 8")
    response = login(client, moderator.email, "kurz aber 8")
    page = client.get(response.headers["Location"])
    assert "Your role needs a password of at least 12 characters" in page.text
    assert re.search(r'id="password-hint"[^>]*>At least 12 characters', page.text)


def test_a_blocked_person_cannot_log_in_and_a_blocked_session_ends(client, app):
    user = person()
    login(client, user.email, PASSWORD)
    assert logged_in(client)
    stored = db.session.get(User, user.id)
    from ideas.models import utcnow
    stored.blocked_at = utcnow()
    stored.end_all_sessions()
    db.session.commit()
    assert not logged_in(client)
    assert login(app.test_client(), user.email, PASSWORD).status_code == 422
