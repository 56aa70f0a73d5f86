"""The security log: one JSON line per event, with time, user, route and address, and no secrets."""
import json
import logging

import pytest

from ideas import securitylog
from ideas.extensions import limiter
from tests.conftest import make_idea, make_user


class Lines(logging.Handler):
    def __init__(self):
        super().__init__()
        self.raw: list[str] = []

    def emit(self, record):
        self.raw.append(self.format(record))

    def events(self, kind=None):
        parsed = [json.loads(line) for line in self.raw]
        return [e for e in parsed if kind is None or e["event"] == kind]


@pytest.fixture
def lines():
    handler = Lines()
    securitylog.logger.addHandler(handler)
    yield handler
    securitylog.logger.removeHandler(handler)


@pytest.fixture
def limits(app):
    """Rate limits on for this test only (TestConfig switches them off)."""
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)


def test_an_event_is_one_json_line_with_utc_time_user_route_and_address(app, client, auth, lines):
    user = auth.login_as("citizen")
    with app.test_request_context("/ideas", environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        from flask_login import login_user
        login_user(user)
        securitylog.log_event("role_changed", account=5, new_role="admin")
    event, = lines.events("role_changed")
    assert event["time"].endswith("+00:00")
    assert (event["user"], event["path"], event["ip"]) == (user.id, "/ideas", "192.0.2.7")
    assert (event["account"], event["new_role"]) == (5, "admin")


def test_newlines_in_user_input_cannot_forge_a_line(app, lines):
    forged = 'x"}\n{"event": "login_ok", "user": 1}\r\u2028'
    with app.test_request_context("/login"):
        securitylog.log_event("login_failed", email=forged)
    assert len(lines.raw) == 1
    assert "\n" not in lines.raw[0] and "\r" not in lines.raw[0] and "\u2028" not in lines.raw[0]
    assert lines.events()[0]["email"] == forged
    assert lines.events()[0]["event"] == "login_failed"


def test_secrets_are_never_written(app, lines):
    with app.test_request_context("/login"):
        securitylog.log_event("login_failed", password="hunter2", csrf_token="abc", session_cookie="s",
                              reset_token="t", email="a@example.org")
    raw = lines.raw[0]
    assert "hunter2" not in raw and "abc" not in raw and '"t"' not in raw
    assert lines.events()[0]["email"] == "a@example.org"


def test_a_token_in_the_address_is_not_written(app, lines):
    with app.test_request_context("/reset/secret-reset-token-123"):
        from flask import request
        request.url_rule, request.view_args = app.url_map.bind("localhost").match(
            "/reset/secret-reset-token-123", return_rule=True)
        securitylog.log_event("rate_limited")
    assert "secret-reset-token-123" not in lines.raw[0]
    assert lines.events()[0]["path"] == "/reset/<token>"


def test_long_values_are_cut(app, lines):
    with app.test_request_context("/"):
        securitylog.log_event("x", note="a" * 10_000)
    assert len(lines.events()[0]["note"]) == securitylog.MAX_VALUE


def test_a_403_is_logged_with_the_user_and_route(client, auth, lines):
    user = auth.login_as("citizen")
    idea = make_idea(author=make_user())
    response = client.post(f"/ideas/{idea.id}/withdraw")
    assert response.status_code == 403
    event, = lines.events("forbidden")
    assert (event["user"], event["route"], event["status"]) == (user.id, "participation.withdraw", 403)


def test_a_429_is_logged(client, auth, lines, limits):
    auth.login_as("citizen")
    idea = make_idea()
    statuses = [client.post(f"/ideas/{idea.id}/comments", data={"body": ""}).status_code for _ in range(31)]
    assert statuses[-1] == 429
    assert len(lines.events("rate_limited")) == 1
    assert lines.events("rate_limited")[0]["route"] == "participation.comment"


def test_a_refused_csrf_token_is_logged(app, client, auth, lines):
    app.config["WTF_CSRF_ENABLED"] = True
    auth.login_as("citizen")
    idea = make_idea()
    assert client.post(f"/ideas/{idea.id}/comments", data={"body": "Hallo"}).status_code == 400
    assert len(lines.events("csrf_refused")) == 1


def test_the_log_goes_to_a_file_when_configured(tmp_path, monkeypatch):
    from ideas import create_app

    path = tmp_path / "security.log"
    saved = securitylog.logger.handlers[:]
    securitylog.logger.handlers.clear()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECURITY_LOG_FILE": str(path)},
                         config_name="testing")
        with app.test_request_context("/"):
            securitylog.log_event("export", dataset="ideas")
        for handler in securitylog.logger.handlers:
            handler.close()
    finally:
        securitylog.logger.handlers[:] = saved
    assert json.loads(path.read_text().strip())["dataset"] == "ideas"
