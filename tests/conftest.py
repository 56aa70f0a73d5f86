"""Fixtures: an app per test on SQLite and (when TEST_DATABASE_URL is set) PostgreSQL.

Each backend's schema is created once per run; between tests every table is emptied,
which is far faster than creating the schema again.
"""
import os
from datetime import timedelta

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from ideas import create_app
from ideas.extensions import db
from ideas.models import ActionField, Idea, IdeaStatus, ModerationMode, Process, Role, User, utcnow
from ideas import workflow

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
REQUIRE_PG = os.environ.get("REQUIRE_POSTGRES") == "1"
_prepared: set[str] = set()


def _backends():
    return ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def _available(backend: str) -> str:
    if backend == "postgresql" and not PG_URL.startswith("postgres"):
        if REQUIRE_PG:
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL=postgresql://... (make test-pg)")
    return backend


@pytest.fixture(params=_backends())
def backend(request):
    return _available(request.param)


def _reset(url: str) -> None:
    if url not in _prepared:
        db.drop_all()
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS idea_fts"))
        db.create_all()
        _prepared.add(url)
        return
    tables = [t.name for t in db.metadata.sorted_tables]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{t}"' for t in tables)
            conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(text("INSERT INTO idea_fts(idea_fts) VALUES ('delete-all')"))


class FreshRequestClient(FlaskClient):
    """Each request behaves as in production although the test holds an app context open.

    Flask reuses the test's app context for requests, so g (with Flask-Login's cached
    user) and the database session would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        if not has_app_context():  # a request from another thread gets its own context
            return super().open(*args, **kwargs)
        for cached in ("_login_user", "_flask_babel", "csrf_token"):
            g.pop(cached, None)
        db.session.rollback()
        try:
            return super().open(*args, **kwargs)
        finally:
            for cached in ("_login_user", "_flask_babel", "csrf_token"):
                g.pop(cached, None)
            db.session.rollback()


@pytest.fixture
def app(backend, sqlite_url, tmp_path):
    from config import database_url

    url = sqlite_url if backend == "sqlite" else database_url(PG_URL)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url}, config_name="testing")
    app.test_client_class = FreshRequestClient
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        _reset(url)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module", params=_backends())
def module_backend(request):
    return _available(request.param)


@pytest.fixture(scope="module")
def module_app(module_backend, sqlite_url, tmp_path_factory):
    """One app per backend for a whole test module; its tests get it through shared_app.

    For a module of many tests that each read a few pages once, building the app and compiling
    its templates again for every test was most of the run.
    """
    from config import CONFIGS, database_url

    overrides = {"SQLALCHEMY_DATABASE_URI": sqlite_url}
    if module_backend == "postgresql":
        # Tests need no crash-proof commits (SQLite here runs with synchronous=NORMAL too);
        # waiting for each commit's WAL flush was a fifth of a PostgreSQL run.
        options = CONFIGS["testing"].SQLALCHEMY_ENGINE_OPTIONS
        overrides = {"SQLALCHEMY_DATABASE_URI": database_url(PG_URL), "SQLALCHEMY_ENGINE_OPTIONS": {
            **options, "connect_args": {"options": "-c synchronous_commit=off"}}}
    app = create_app(overrides, config_name="testing")
    app.test_client_class = FreshRequestClient
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    yield app
    with app.app_context():
        db.engine.dispose()


def _empty(url: str) -> None:
    """As _reset, but PostgreSQL deletes rows rather than truncating: TRUNCATE costs about 0.2 s
    whatever the tables hold, DELETE of a test's few rows milliseconds. Identities restart too."""
    if url not in _prepared or db.engine.dialect.name != "postgresql":
        _reset(url)
        return
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                          "WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"))


@pytest.fixture
def shared_app(module_app):
    """What the app fixture gives, from the module's app: its own app context, empty tables,
    and none of the state requests left in app.extensions (the mail outbox, the login throttle).

    A module opts in by overriding app: `@pytest.fixture def app(shared_app): return shared_app`.
    """
    own_extensions = set(module_app.extensions)
    with module_app.app_context():
        _empty(module_app.config["SQLALCHEMY_DATABASE_URI"])
        yield module_app
        db.session.remove()
    for name in set(module_app.extensions) - own_extensions:
        del module_app.extensions[name]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Log a test client in as someone, without the slow password check."""

    def __init__(self, client):
        self.client = client

    def login_as(self, user_or_role="citizen", **kwargs) -> User:
        user = user_or_role if isinstance(user_or_role, User) else make_user(role=user_or_role, **kwargs)
        with self.client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    def logout(self):
        with self.client.session_transaction() as session:
            session.clear()


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def english(client):
    """The test client reads the site in English (German is the default)."""
    client.set_cookie("lang", "en")


@pytest.fixture
def english_messages(app):
    """Messages made outside a request (domain rules) come out in English; German is the default."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


_counter = {"n": 0}


def make_user(role="citizen", verified=True, email=None, display_name=None, **kwargs) -> User:
    _counter["n"] += 1
    n = _counter["n"]
    user = User(
        email=email or f"person{n}@example.org", display_name=display_name or f"Person {n}",
        password_hash=kwargs.pop("password_hash", "not-a-hash"), role=Role(role),
        email_verified_at=utcnow() if verified else None, **kwargs,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_process(mode="post", quota=None, ideas_open=True, support_open=True, fields=3, **kwargs) -> Process:
    _counter["n"] += 1
    now = utcnow()
    process = Process(
        title=kwargs.pop("title", "Digitalstrategie Teststadt"), slug=kwargs.pop("slug", f"test-{_counter['n']}"),
        moderation_mode=ModerationMode(mode), support_quota=quota,
        ideas_from=now - timedelta(days=10), ideas_until=now + (timedelta(days=10) if ideas_open else -timedelta(days=1)),
        support_from=now - timedelta(days=10), support_until=now + (timedelta(days=10) if support_open else -timedelta(days=1)),
        **kwargs,
    )
    names = ["Digitale Infrastruktur", "Bildung und Jugend", "Kommunale Verwaltung", "Tourismus", "Alltagsleben"]
    for i, name in enumerate(names[:fields]):
        process.action_fields.append(ActionField(name=name, slug=f"f{i}", colour="blue", position=i))
    db.session.add(process)
    db.session.commit()
    return process


def make_idea(process=None, author=None, status=IdeaStatus.published, title=None, body=None,
              field=None, **kwargs):
    process = process or make_process()
    if author is None and kwargs.pop("with_author", True):
        author = make_user()
    field = field if field is not None else (process.action_fields[0] if process.action_fields else None)
    idea = workflow.submit_idea(
        process, author, title or "Freies WLAN in der Innenstadt",
        body or "Auf dem Marktplatz und im Rathaus sollte es freies WLAN für alle geben.", field, **kwargs,
    )
    path = {
        IdeaStatus.published: [], IdeaStatus.pending: [],
        IdeaStatus.under_review: [IdeaStatus.under_review],
        IdeaStatus.accepted: [IdeaStatus.accepted], IdeaStatus.rejected: [IdeaStatus.rejected],
        IdeaStatus.implemented: [IdeaStatus.accepted, IdeaStatus.implemented],
        IdeaStatus.hidden: [IdeaStatus.hidden], IdeaStatus.withdrawn: [IdeaStatus.withdrawn],
        IdeaStatus.merged: [IdeaStatus.merged], IdeaStatus.declined: [IdeaStatus.declined],
    }
    if status in (IdeaStatus.pending, IdeaStatus.declined) and idea.status != IdeaStatus.pending:
        raise ValueError("use make_process(mode='pre') for held-back ideas")
    for step in path[status]:
        workflow.change_status(idea, step, None)
    db.session.commit()
    return idea


def count(model, *where) -> int:
    """How many rows of a model (matching the conditions) the database holds."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sheet_bytes(rows) -> bytes:
    """An Excel workbook (.xlsx) whose first sheet holds these rows, as uploaded."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fresh(idea):
    """The idea as the database has it now, not as this session remembers it."""
    db.session.expire_all()
    return db.session.get(Idea, idea.id)


@pytest.fixture
def helpers():
    """make_* helpers for tests that prefer a fixture to imports."""
    class H:
        user = staticmethod(make_user)
        process = staticmethod(make_process)
        idea = staticmethod(make_idea)
    return H


def pytest_sessionfinish(session, exitstatus):
    """In CI every test must run: a skip (a missing service) fails the run."""
    if not (REQUIRE_PG or os.environ.get("REQUIRE_BROWSER") == "1"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped although CI requires every test to run.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
