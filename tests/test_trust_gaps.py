"""Trust checklist items that had no test of their own (docs/trust-checklist.md maps every item).

Each test here fails when its protection is removed; tests/mutations/run_mutations.py checks that.
"""
import csv
import html
import io
import json
import logging
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from openpyxl import load_workbook
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from ideas import create_app, database, discussion, exports, retention, voting, workflow
from ideas.extensions import db
from ideas.models import IdeaStatus, Role, User, Vote, utcnow
from ideas.models.strategy import Measure, StrategyDraft
from ideas.passwords import hash_password
from tests.conftest import count, make_idea, make_process, make_user
from tests.test_gunicorn_conf import gunicorn_conf

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "ein Satz, den ich mir merke"

pytestmark = pytest.mark.usefixtures("english")


def person(email="anna@example.org", **kwargs) -> User:
    return make_user(email=email, password_hash=hash_password(PASSWORD), locale="en", **kwargs)


def production_app(app, **config):
    """The production configuration on the test database (a real secret, memory rate limits)."""
    return create_app({"SECRET_KEY": "p" * 40, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "RATELIMIT_STORAGE_URI": "memory://", "WTF_CSRF_ENABLED": False, **config},
                      config_name="production")


# A5: reset links

def _reset_path(user, issued_seconds_ago: int, monkeypatch) -> str:
    from ideas import tokens

    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - issued_seconds_ago)
    token = tokens.make_reset_token(user)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    return f"/reset/{token}"


def test_a_reset_link_lasts_one_hour_and_no_longer(client, monkeypatch):
    user = person()
    fresh = _reset_path(user, 50 * 60, monkeypatch)
    stale = _reset_path(user, 61 * 60, monkeypatch)
    assert client.get(fresh).status_code == 200
    response = client.get(stale)
    assert response.status_code == 302 and response.headers["Location"] == "/reset"
    refused = client.post(stale, data={"password": "das neue Passwort", "password2": "das neue Passwort"})
    assert refused.headers["Location"] == "/reset"
    assert db.session.get(User, user.id).password_hash == user.password_hash


def test_a_reset_link_cannot_be_made_or_changed_without_the_secret_key(client, app):
    victim = person()
    forged = URLSafeTimedSerializer("guessed-key", salt="ideenfenster-reset").dumps(
        {"id": victim.id, "pw": "0" * 16})
    assert client.get(f"/reset/{forged}").headers["Location"] == "/reset"
    other = person("bert@example.org")
    with app.test_request_context():
        from ideas.tokens import make_reset_token
        genuine = make_reset_token(other)
    payload, rest = genuine.split(".", 1)
    swapped = URLSafeTimedSerializer("x").dump_payload({"id": victim.id}).decode()
    assert client.get(f"/reset/{swapped}.{rest}").headers["Location"] == "/reset"
    assert client.get(f"/reset/{payload}.{rest}").status_code == 200


# A6: no default accounts

def test_a_freshly_migrated_database_has_no_account(tmp_path):
    from flask_migrate import upgrade

    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite'}"}, config_name="testing")
    with fresh.app_context():
        upgrade()
        assert db.session.scalar(text('SELECT COUNT(*) FROM "user"')) == 0
        db.session.remove()
        db.engine.dispose()


# A3: the hash stored by the website

def test_registering_on_the_website_stores_an_argon2id_hash(client):
    client.post("/register", data={"email": "neu@example.org", "display_name": "Neu", "password": PASSWORD,
                                   "password2": PASSWORD, "accept_terms": "y"})
    stored = db.session.scalar(select(User.password_hash).where(User.email == "neu@example.org"))
    assert stored.startswith("$argon2id$"), stored


# L2, H1: production errors and headers

def test_production_hides_errors_and_internal_files(app):
    prod = production_app(app)

    @prod.route("/trust-boom")
    def boom():
        raise RuntimeError("internal detail /srv/ideenfenster/secret.py")

    assert prod.debug is False and not prod.config.get("PROPAGATE_EXCEPTIONS")
    browser = prod.test_client()
    browser.set_cookie("lang", "en")
    response = browser.get("/trust-boom", base_url="https://localhost")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    for leak in ("internal detail", "RuntimeError", "Traceback", "secret.py", "Werkzeug", "Debugger"):
        assert leak not in response.text, leak
    for path in ("/.git/HEAD", "/config.py", "/app.py", "/.env", "/requirements.txt", "/instance/ideenfenster.sqlite",
                 "/static/../config.py", "/static/%2e%2e/config.py", "/migrations/env.py", "/.git/config"):
        answer = browser.get(path, base_url="https://localhost")
        assert answer.status_code == 404, path
        assert "[core]" not in answer.text and "SECRET_KEY" not in answer.text
        answer.close()


def test_production_sends_hsts_and_development_does_not(app, client):
    prod = production_app(app)
    response = prod.test_client().get("/", base_url="https://localhost")
    hsts = response.headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    assert "Strict-Transport-Security" not in client.get("/").headers


# H2: htmx configured safely

def test_htmx_is_configured_safely_in_every_page(client, auth):
    make_idea()
    pages = [client.get("/"), client.get("/ideas"), client.get("/login")]
    auth.login_as("admin")
    pages.append(client.get("/moderation/"))
    for page in pages:
        match = re.search(r'<meta name="htmx-config" content="([^"]+)">', page.text)
        assert match, page.request.path
        config = json.loads(html.unescape(match.group(1)))
        assert config["allowEval"] is False and config["allowScriptTags"] is False
        assert config["selfRequestsOnly"] is True and config["includeIndicatorStyles"] is False
        scripts = re.findall(r'<script[^>]*src="([^"]+)"', page.text)
        assert [s for s in scripts if "htmx" in s] == ["/static/vendor/htmx-2.0.11.min.js"]
        assert "<script>" not in page.text and " style=" not in page.text


def test_the_htmx_build_knows_the_settings_and_the_stylesheet_has_the_indicator():
    vendor = (ROOT / "static/vendor/htmx-2.0.11.min.js").read_text(encoding="utf-8")
    for name in ("allowEval", "allowScriptTags", "selfRequestsOnly", "includeIndicatorStyles"):
        assert name in vendor, name
    css = (ROOT / "static/css/site.css").read_text(encoding="utf-8")
    assert ".htmx-indicator" in css and ".htmx-request .htmx-indicator" in css
    site_js = (ROOT / "static/js/site.js").read_text(encoding="utf-8")
    assert "htmx.config" not in site_js, "the meta tag is the one place the config is set"


# D1, D2: data integrity

def test_the_database_refuses_a_second_support_and_the_insert_skips_it(app):
    idea, supporter = make_idea(), make_user()
    assert voting.add_support(supporter, idea) is True
    db.session.commit()
    assert voting.add_support(supporter, idea) is False  # ON CONFLICT DO NOTHING: no error, no count
    db.session.commit()
    assert count(Vote) == 1 and db.session.get(type(idea), idea.id).support_count == 1
    db.session.add(Vote(user_id=supporter.id, idea_id=idea.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_sqlite_runs_with_wal_foreign_keys_busy_timeout_and_begin_immediate(app, tmp_path):
    path = tmp_path / "pragmas.sqlite"
    fresh = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}, config_name="testing")
    with fresh.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with database.writing():
            db.session.execute(text("SELECT 1"))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")  # the write path took the write lock up front
            db.session.rollback()
        db.session.execute(text("SELECT 1"))  # a read path does not block writers
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        db.session.rollback()
        other.close()
        db.session.remove()
        db.engine.dispose()


def test_gunicorn_workers_open_their_own_connections():
    conf = gunicorn_conf()
    # Without preload the app (and its connection pool) is created in each worker after the fork.
    assert getattr(conf, "preload_app", False) is False


# P: consent records and asking again

def test_a_changed_privacy_version_asks_for_consent_again(client, auth, app):
    cfg = app.config
    user = auth.login_as(make_user(terms_version=cfg["TERMS_VERSION"], privacy_version=cfg["PRIVACY_VERSION"],
                                   terms_accepted_at=utcnow(), privacy_accepted_at=utcnow()))
    idea = make_idea()
    assert client.get("/account").status_code == 200
    app.config["PRIVACY_VERSION"] = "2099-1"
    response = client.get(f"/ideas/{idea.id}")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/consent")
    vote = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"})
    assert vote.headers["Location"].startswith("/account/consent") and count(Vote) == 0
    htmx = client.post(f"/ideas/{idea.id}/vote", data={"action": "add"}, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"].startswith("/account/consent") and count(Vote) == 0
    for free in ("/datenschutz", "/account/data", "/account/delete"):
        assert client.get(free).status_code == 200, free
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and 'name="accept_terms"' in page.text
    assert client.post("/account/consent", data={}).status_code == 422
    agreed = client.post("/account/consent", data={"accept_terms": "y", "next": f"/ideas/{idea.id}"})
    assert agreed.headers["Location"] == f"/ideas/{idea.id}"
    stored = db.session.get(User, user.id)
    assert (stored.privacy_version, stored.terms_version) == ("2099-1", cfg["TERMS_VERSION"])
    assert stored.privacy_accepted_at is not None
    assert client.get(f"/ideas/{idea.id}").status_code == 200


def test_accounts_without_a_consent_record_are_not_stopped(client, auth, app):
    auth.login_as("moderator")  # made on the command line: never agreed on the website
    app.config["TERMS_VERSION"] = "2099-1"
    assert client.get("/moderation/").status_code == 200


# P: IP addresses are kept IP_RETENTION_DAYS days

def _log_line(when: datetime, ip="203.0.113.7") -> str:
    return json.dumps({"time": when.isoformat(timespec="seconds"), "event": "login_failed", "ip": ip}) + "\n"


def test_purge_ips_removes_log_lines_older_than_the_retention(runner, app, tmp_path):
    now = datetime.now(timezone.utc)
    log = tmp_path / "security.log"
    log.write_text(_log_line(now - timedelta(days=9), "198.51.100.1") + _log_line(now - timedelta(days=8), "198.51.100.2")
                   + "not json with 198.51.100.3\n" + _log_line(now - timedelta(days=6)) + _log_line(now))
    app.config["SECURITY_LOG_FILE"] = str(log)
    assert app.config["IP_RETENTION_DAYS"] == 7
    result = runner.invoke(args=["purge-ips"])
    assert result.exit_code == 0, result.output
    assert "removed 3" in result.output
    kept = log.read_text()
    assert "198.51.100" not in kept and kept.count("203.0.113.7") == 2
    app.config["IP_RETENTION_DAYS"] = 1
    runner.invoke(args=["purge-ips"])
    assert log.read_text().count("203.0.113.7") == 1
    assert runner.invoke(args=["purge-ips", "--days", "0", "--file", str(log)]).exit_code == 0


def test_purge_keeps_lines_written_while_it_runs(tmp_path):
    now = datetime.now(timezone.utc)
    log = tmp_path / "security.log"
    log.write_text(_log_line(now - timedelta(days=30)) + _log_line(now, "192.0.2.1"))
    assert retention.purge_file(log, 7, now) == (1, 1)
    assert json.loads(log.read_text())["ip"] == "192.0.2.1"


def test_no_table_stores_an_ip_address(app):
    columns = {f"{table}.{col['name']}" for table in inspect(db.engine).get_table_names()
               for col in inspect(db.engine).get_columns(table)}
    suspicious = {c for c in columns if re.search(r"(^|_|\.)(ip|ip_address|remote_addr|user_agent)$", c)}
    assert suspicious == set()


# P: no cookies beyond session, CSRF (inside the session) and language

def test_only_the_session_remember_and_language_cookies_are_ever_set(app, client):
    idea = make_idea()
    person(role=Role.citizen)
    staff = make_user(role="admin", email="admin@example.org", password_hash=hash_password(PASSWORD * 2))
    names: set[str] = set()

    def visit(method, url, **kwargs):
        response = client.open(url, method=method, **kwargs)
        names.update(c.split("=", 1)[0] for c in response.headers.getlist("Set-Cookie"))
        response.close()
        return response

    for url in ("/", "/ideas", f"/ideas/{idea.id}", "/login", "/register", "/reset", "/datenschutz",
                "/impressum", "/barrierefreiheit", "/leichte-sprache", "/api/v1/ideas", "/open-data/ideas.csv",
                "/static/css/site.css", "/no-such-page"):
        visit("GET", url)
    visit("POST", "/language", data={"lang": "de"})
    visit("POST", "/login", data={"email": "anna@example.org", "password": PASSWORD, "remember": "y"})
    for url in ("/", "/account", f"/ideas/{idea.id}", "/ideas/new", "/account/data"):
        visit("GET", url)
    visit("POST", f"/ideas/{idea.id}/vote", data={"action": "add"})
    visit("POST", "/logout")
    visit("POST", "/login", data={"email": staff.email, "password": PASSWORD * 2})
    for url in ("/moderation/", "/admin/", "/exports/ideas.csv"):
        visit("GET", url)
    assert {"session", "lang", "remember_token"} <= names
    assert names <= {"session", "lang", "remember_token"}, names


# X5 and P: every team download is neutralised, has no e-mail address and is logged

EVIL = "=HYPERLINK(\"http://evil.example\";\"x\")"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _hostile_process():
    process = make_process(title="+Prozess", fields=2)
    process.action_fields[0].name = "@Feld"
    author = make_user(email="author@secret-mail.example", display_name="-Anna")
    idea = make_idea(process=process, author=author, title=f"{EVIL} Titel", body=f"{EVIL}\n\nText",
                     district="+49 Altstadt")
    idea.answer_html, idea.answer_published_at = f"<p>{EVIL}</p>", utcnow()
    discussion.add_comment(make_user(email="c@secret-mail.example", display_name="=Carl"), idea, f"-{EVIL}")
    workflow.change_status(idea, IdeaStatus.accepted, None)
    draft = StrategyDraft(process_id=process.id, title="=Entwurf", vision="v", principles="p")
    draft.measures.append(Measure(action_field_id=process.action_fields[0].id, position=0, title=EVIL,
                                  description="@SUM(A1)", time_frame="-2027", responsible_office="+Amt"))
    db.session.add(draft)
    db.session.commit()
    return process


def _cells(data: bytes, fmt: str) -> list:
    if fmt == "csv":
        return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";") for c in row]
    cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    return [c.value for c in cells]


def _downloads(process) -> dict[str, str]:
    urls = {f"{name}.{fmt}": f"/exports/{name}.{fmt}?process={process.slug}"
            for name in exports.DATASETS for fmt in exports.FORMATS}
    for fmt in exports.FORMATS:
        urls[f"workshop sheet.{fmt}"] = f"/strategy/processes/{process.id}/workshops/sheet.{fmt}"
    urls["open data.csv"] = f"/open-data/ideas.csv?process={process.slug}"
    return urls


def test_every_export_neutralises_formulas_and_holds_no_email_address(client, auth):
    process = _hostile_process()
    auth.login_as("team")
    for name, url in _downloads(process).items():
        response = client.get(url)
        assert response.status_code == 200, name
        cells = [str(c) for c in _cells(response.data, name.rsplit(".", 1)[1]) if c is not None]
        live = [c for c in cells if c.startswith(FORMULA_START)]
        assert live == [], (name, live)
        assert any(c.startswith("'") and "HYPERLINK" in c for c in cells), (name, "the hostile text must reach this export")
        joined = " ".join(cells)
        assert "secret-mail" not in joined and "@example" not in joined, name


def test_every_team_export_is_logged_with_who_and_what(client, auth, runner, caplog):
    process = _hostile_process()
    user = auth.login_as("team")
    team_downloads = {k: v for k, v in _downloads(process).items() if not k.startswith("open data")}
    with caplog.at_level(logging.INFO, logger="ideenfenster.security"):
        for name, url in team_downloads.items():
            caplog.clear()
            assert client.get(url).status_code == 200, name
            events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ideenfenster.security"]
            assert [e["event"] for e in events] == ["export"], name
            assert events[0]["user"] == user.id and events[0]["format"] == name.rsplit(".", 1)[1], name
            assert events[0]["dataset"] in (name.split(".")[0], "workshop_sheet"), name
        caplog.clear()
        result = runner.invoke(args=["export", "measures", "--process", process.slug, "--output", "-"])
        assert result.exit_code == 0
        events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "ideenfenster.security"]
        assert [(e["event"], e["dataset"], e["user"]) for e in events] == [("export", "measures", "cli")]


# P1: data minimisation

def test_registering_asks_only_for_what_is_needed(client):
    page = client.get("/register").text
    form = re.search(r'<form action="/register".*?</form>', page, re.S).group(0)
    fields = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', form)) - {"csrf_token"}
    assert fields == {"email", "display_name", "password", "password2", "age_group", "district",
                      "accept_terms", "website", "form_started", "submit"}, fields
    response = client.post("/register", data={"email": "knapp@example.org", "display_name": "Knapp",
                                              "password": PASSWORD, "password2": PASSWORD, "accept_terms": "y"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "knapp@example.org"))
    assert (user.age_group, user.district) == (None, None)
