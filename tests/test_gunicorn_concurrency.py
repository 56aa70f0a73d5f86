"""Through a real gunicorn with several workers: supports and decisions stay exact under load.

Unlike tests/test_concurrency.py (threads in one process), these requests go over HTTP to
separate worker processes with their own connection pools, as in production. Accounts get
a cheap argon2 hash, so logging in fifty people takes a moment, not a minute.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text

from bench.browser import Browser
from config import database_url
from ideas import create_app, voting
from ideas.extensions import db
from ideas.models import Idea, IdeaStatus, ModerationEvent, Vote
from tests.conftest import PG_URL, REQUIRE_PG, make_idea, make_process, make_user

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
PASSWORD = "gunicorn-test-password"
FAST_ARGON2 = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pg_database(name: str) -> str:
    """A fresh PostgreSQL database beside the test database (the suite's own one is create_all'd)."""
    admin = create_engine(database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return database_url(PG_URL).rsplit("/", 1)[0] + "/" + name


def _drop_pg_database(name: str) -> None:
    admin = create_engine(database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Site:
    """The running server, and the app the test uses to prepare and check the database."""

    def __init__(self, app, base: str, password_hash: str):
        self.app, self.base, self.hash = app, base, password_hash

    def person(self, role: str = "citizen"):
        return make_user(role=role, password_hash=self.hash)

    def logged_in(self, people, lang: str | None = None) -> list[Browser]:
        def login(email):
            browser = Browser(self.base, lang=lang)
            browser.login(email, PASSWORD)
            return browser
        emails = [person.email for person in people]  # the threads have no app context
        with ThreadPoolExecutor(max_workers=10) as pool:
            return list(pool.map(login, emails))


def at_once(calls) -> list:
    """Run the calls in parallel threads released together, so the requests really overlap."""
    start = threading.Barrier(len(calls))

    def run(call):
        start.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    if request.param == "postgresql" and not PG_URL.startswith("postgres"):
        if REQUIRE_PG:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL=postgresql://... (make test-pg)")
    folder = tmp_path_factory.mktemp("gunicorn")
    pg_name = PG_URL.rsplit("/", 1)[-1].split("?")[0] + "_gunicorn"
    url = f"sqlite:///{folder / 'site.sqlite'}" if request.param == "sqlite" else _pg_database(pg_name)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **FAST_ARGON2}, config_name="testing")
    with app.app_context():
        upgrade()
        from ideas.passwords import hash_password
        password_hash = hash_password(PASSWORD)
        db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "gunicorn-test-" + "x" * 32,
           "RATELIMIT_ENABLED": "false", "INSTANCE_PATH": str(folder), "MAIL_BACKEND": "memory",
           "MAIL_SEND_INLINE": "false", **{k: str(v) for k, v in FAST_ARGON2.items()}}
    env.pop("IDEENFENSTER_CONFIG", None)
    log = open(folder / "gunicorn.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         "--timeout", "60", "--no-control-socket", "app:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _ready(base, port):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + (folder / "gunicorn.log").read_text()[-2000:])
            time.sleep(0.2)
        yield Site(app, base, password_hash)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if request.param == "postgresql":
            _drop_pg_database(pg_name)
    server_errors = (folder / "gunicorn.log").read_text(errors="replace")
    assert "Traceback" not in server_errors, server_errors[-3000:]


def _ready(base: str, port: int) -> bool:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) != 0:
            return False
    try:
        return Browser(base).get("/healthz", timeout=2).status == 200
    except OSError:
        return False


@pytest.fixture
def live(site):
    with site.app.app_context():
        yield site
        db.session.remove()
        db.engine.dispose()


def _votes(*where) -> int:
    db.session.rollback()  # read what the server committed, not an old snapshot
    return db.session.scalar(select(func.count(Vote.id)).where(*where))


def _counter(idea_id: int) -> int:
    db.session.rollback()
    return db.session.scalar(select(Idea.support_count).where(Idea.id == idea_id))


def test_fifty_people_support_the_same_idea_at_once(live):
    idea = make_idea()
    browsers = live.logged_in([live.person() for _ in range(50)])
    vote = f"/ideas/{idea.id}/vote"  # the threads have no app context to load attributes in

    codes = at_once([lambda b=b: b.post(vote, {"action": "add"}, follow=False).status for b in browsers])

    assert not [c for c in codes if c >= 400], codes
    assert _votes(Vote.idea_id == idea.id) == 50
    assert _counter(idea.id) == 50


def test_one_person_firing_twenty_toggles_has_at_most_one_support(live):
    idea = make_idea()
    person = live.person()
    (browser,) = live.logged_in([person])
    vote = f"/ideas/{idea.id}/vote"

    codes = at_once([lambda: browser.post(vote, {"action": "add"}, follow=False).status] * 20)
    assert not [c for c in codes if c >= 500], codes
    assert _votes(Vote.idea_id == idea.id) == 1
    assert _counter(idea.id) == 1

    codes = at_once([lambda a=a: browser.post(vote, {"action": a}, follow=False).status
                     for a in ["remove", "add"] * 10])
    assert not [c for c in codes if c >= 500], codes
    rows = _votes(Vote.idea_id == idea.id, Vote.user_id == person.id)
    assert rows in (0, 1)
    assert _counter(idea.id) == rows == _votes(Vote.idea_id == idea.id)


def test_quota_holds_when_thirty_supports_race_for_ten_points(live):
    process = make_process(quota=12)
    person = live.person()
    ideas = [make_idea(process=process, title=f"Idee {i} für die Innenstadt") for i in range(32)]
    for idea in ideas[:2]:  # two points spent already: ten left
        voting.add_support(person, idea)
    db.session.commit()
    (browser,) = live.logged_in([person])
    votes = [f"/ideas/{i.id}/vote" for i in ideas[2:]]

    codes = at_once([lambda v=v: browser.post(v, {"action": "add"}, follow=False).status for v in votes])

    assert not [c for c in codes if c >= 500], codes
    assert _votes(Vote.user_id == person.id) == 12
    db.session.rollback()
    counted = db.session.scalar(select(func.sum(Idea.support_count)).where(Idea.process_id == process.id))
    assert counted == _votes(Vote.idea_id.in_([i.id for i in ideas])) == 12


def test_two_moderators_deciding_at_once_get_one_decision_and_one_refusal(live):
    process = make_process(mode="pre")
    idea = make_idea(process=process, status=IdeaStatus.pending)
    moderators = live.logged_in([live.person("moderator"), live.person("moderator")], lang="en")
    publish = f"/moderation/ideas/{idea.id}/publish"

    pages = at_once([lambda m=m: m.post(publish, {"expected": "pending"}) for m in moderators])

    assert [p.status for p in pages] == [200, 200]
    texts = [p.text for p in pages]
    assert sum("The idea is published." in t for t in texts) == 1
    assert sum("Someone else has just changed this idea" in t for t in texts) == 1
    db.session.rollback()
    decisions = db.session.scalar(select(func.count(ModerationEvent.id)).where(
        ModerationEvent.idea_id == idea.id, ModerationEvent.from_status == IdeaStatus.pending))
    assert decisions == 1
    assert db.session.get(Idea, idea.id).status == IdeaStatus.published
