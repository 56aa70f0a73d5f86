"""Sessions: how one starts at login, when it ends by itself, and how failed logins are throttled.

Flask's session is a signed cookie. The login id in it carries User.session_token, so the server
ends every session of a person by replacing the token (logout, password change, block). The two
timestamps here end a session that sat idle or has lived too long, whatever the browser does.
Failed logins are counted in the rate limiter's storage (Redis with REDIS_URL), so the limits hold
across all gunicorn workers and servers.
"""
import hashlib
import math
import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user, user_loaded_from_cookie
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

AUTH_AT, SEEN_AT, REMEMBERED, TODO, PENDING = "_auth_at", "_seen_at", "_remembered", "_todo", "_pending"
# What a staff member must do before anything else, and the page where it is done.
TODO_PAGES = {"password": "auth.change_password", "two_factor": "totp.setup"}  # nosec B105: endpoints
ALWAYS_ALLOWED = {"static", "auth.logout", "participation.language"}
TODO_ALLOWED = {"password": {"auth.change_password"},
                "two_factor": {"totp.setup", "totp.start", "totp.confirm", "totp.recovery_codes"}}
SEEN_GRANULARITY = 30  # seconds; the cookie is not rewritten on every single request


def now() -> int:
    return int(time.time())


def start(user, remember: bool = False, todo: list[str] | None = None) -> None:
    """A fresh session for user: nothing of the session before the login survives (no fixation).

    Staff never get the long-lived remember cookie: their sessions end after the idle timeout.
    """
    session.clear()
    remember = bool(remember) and not user.is_staff
    login_user(user, remember=remember)
    session[AUTH_AT] = session[SEEN_AT] = now()
    if remember:
        session[REMEMBERED] = True
    if todo:
        session[TODO] = list(todo)


PENDING_SECONDS = 300


def await_code(user, remember: bool, next_url: str | None, todo: list[str]) -> None:
    """The password was right; the two-factor code is still to come, so nobody is logged in yet."""
    session.clear()
    session[PENDING] = {"id": user.get_id(), "at": now(), "remember": bool(remember),
                        "next": next_url or "", "todo": list(todo)}


def pending() -> dict | None:
    """The half-done login waiting for its code, if it is recent enough."""
    data = session.get(PENDING)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int) or now() - data["at"] > PENDING_SECONDS:
        return None
    return data


def renew(user) -> None:
    """Keep this browser logged in after user.end_all_sessions() ended all the others."""
    login_user(user, remember=bool(session.get(REMEMBERED)))


def done(task: str) -> None:
    """A required task (new password, two-factor setup) is done."""
    todo = [t for t in session.get(TODO, []) if t != task]
    if todo:
        session[TODO] = todo
    else:
        session.pop(TODO, None)


def add_task(task: str) -> None:
    todo = list(session.get(TODO) or [])
    if task not in todo:
        session[TODO] = todo + [task]


def next_task_page() -> str | None:
    todo = session.get(TODO) or []
    return url_for(TODO_PAGES[todo[0]]) if todo and todo[0] in TODO_PAGES else None


def idle_limit(user) -> int:
    cfg = current_app.config
    return cfg["STAFF_SESSION_IDLE_SECONDS"] if user.is_staff else cfg["SESSION_IDLE_SECONDS"]


def _expired(stamp_auth: int, stamp_seen: int, user) -> str | None:
    cfg = current_app.config
    t = now()
    if session.get(REMEMBERED):
        return "absolute" if t - stamp_auth > cfg["REMEMBER_COOKIE_DURATION"].total_seconds() else None
    if t - stamp_auth > cfg["SESSION_ABSOLUTE_SECONDS"]:
        return "absolute"
    if t - stamp_seen > idle_limit(user):
        return "idle"
    return None


def check_session():
    """Before every request: end timed-out sessions; send staff to a required task first."""
    if request.endpoint == "static" or "_user_id" not in session or not current_user.is_authenticated:
        return None
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    if not isinstance(auth_at, int) or not isinstance(seen_at, int):
        # A session from before these stamps existed: it starts counting now.
        session[AUTH_AT] = session[SEEN_AT] = now()
        return None
    reason = _expired(auth_at, seen_at, current_user)
    if reason:
        minutes = idle_limit(current_user) // 60
        session.clear()
        logout_user()  # after clear(): it leaves the note that removes the remember cookie
        if reason == "idle":
            flash(_("You were logged out after %(minutes)d minutes without activity. Please log in again.",
                    minutes=minutes), "info")
        else:
            flash(_("Your session has ended. Please log in again."), "info")
        return None
    if now() - seen_at >= SEEN_GRANULARITY:
        session[SEEN_AT] = now()
    todo = session.get(TODO) or []
    if todo and request.endpoint not in ALWAYS_ALLOWED | TODO_ALLOWED.get(todo[0], set()):
        return redirect(next_task_page() or url_for("auth.account"))
    return None


def _from_cookie(_app, user=None) -> None:
    # The remember cookie logged the person in again in a new browser session.
    session[AUTH_AT] = session[SEEN_AT] = now()
    session[REMEMBERED] = True


def init_app(app: Flask) -> None:
    app.before_request(check_session)
    user_loaded_from_cookie.connect(_from_cookie, app)


# Throttling failed logins and codes

def _limiter() -> MovingWindowRateLimiter:
    limiter = current_app.extensions.get("ideenfenster_login_throttle")
    if limiter is None:
        storage = storage_from_string(current_app.config["LOGIN_THROTTLE_STORAGE_URI"]
                                      or current_app.config["RATELIMIT_STORAGE_URI"])
        limiter = current_app.extensions["ideenfenster_login_throttle"] = MovingWindowRateLimiter(storage)
    return limiter


def _account_key(email: str) -> str:
    # Counted for the address typed, whether an account has it or not, so the answer tells nothing.
    return hashlib.sha256((email or "").strip().casefold().encode()).hexdigest()[:32]


def _login_limits(email: str):
    cfg = current_app.config
    return [(parse(cfg["LOGIN_LIMIT_ACCOUNT"]), ("login-account", _account_key(email))),
            (parse(cfg["LOGIN_LIMIT_IP"]), ("login-ip", request.remote_addr or "-"))]


def _wait(limits) -> int | None:
    limiter = _limiter()
    for item, keys in limits:
        if not limiter.test(item, *keys):
            reset = limiter.get_window_stats(item, *keys).reset_time
            return max(1, math.ceil(reset - time.time()))
    return None


def login_wait(email: str) -> int | None:
    """Seconds to wait before the next login attempt for this address from here, or None."""
    return _wait(_login_limits(email))


def login_failed(email: str) -> None:
    limiter = _limiter()
    for item, keys in _login_limits(email):
        limiter.hit(item, *keys)


def login_succeeded(email: str) -> None:
    item, keys = _login_limits(email)[0]
    _limiter().clear(item, *keys)


def _code_limit(user_id: int):
    return [(parse(current_app.config["LOGIN_LIMIT_ACCOUNT"]), ("login-code", str(user_id)))]


def code_wait(user_id: int) -> int | None:
    """Seconds to wait before the next two-factor code for this account, or None."""
    return _wait(_code_limit(user_id))


def code_failed(user_id: int) -> None:
    item, keys = _code_limit(user_id)[0]
    _limiter().hit(item, *keys)


def too_many_attempts(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Too many failed attempts. Please wait %(num)d minute and try again.",
                    "Too many failed attempts. Please wait %(num)d minutes and try again.", minutes)
