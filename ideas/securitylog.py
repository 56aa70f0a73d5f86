"""Security log: one JSON line per security event (refusals, honeypot hits, role changes, exports).

Every line is a JSON object, so a newline or a quote typed by someone ends up escaped inside a
string and cannot start a line of its own. Fields named like secrets are never written.
Lines carry the client's IP address; keep the file only IP_RETENTION_DAYS days (README, Operations).
"""
import json
import logging
import logging.handlers
import sys
from datetime import datetime, timezone

from flask import Flask, has_request_context, request

logger = logging.getLogger("ideenfenster.security")

MAX_VALUE = 200
# Never logged, whatever a caller passes.
SECRET_WORDS = ("password", "passwort", "token", "cookie", "secret", "session", "csrf", "hash", "otp")
LOGGED_STATUS = {403: "forbidden", 429: "rate_limited"}


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (gunicorn and pytest replace it)."""

    def emit(self, record):
        self.stream = sys.stderr
        super().emit(record)


def _value(value):
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)[:MAX_VALUE]


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _user_id():
    from flask_login import current_user

    try:
        return current_user.id if current_user.is_authenticated else None
    except Exception:  # noqa: BLE001 - no user can be loaded (e.g. the database failed)
        return None


def _path() -> str:
    """The request's path, or its rule ("/reset/<token>") when a part of it is a secret."""
    rule = request.url_rule
    if rule is not None and any(_secret(name) for name in (request.view_args or {})):
        return rule.rule
    return request.path


def log_event(kind: str, **fields) -> dict:
    """Write one line for a security event; returns what was written (for tests)."""
    record = {"time": datetime.now(timezone.utc).isoformat(timespec="seconds"), "event": _value(kind)}
    if has_request_context():
        record.update(user=_user_id(), route=request.endpoint, method=request.method,
                      path=_value(_path()), ip=request.remote_addr)
    for name, value in fields.items():
        if not _secret(name):
            record[name] = _value(value)
    # ensure_ascii escapes control characters and U+2028/2029 too: one event is always one line.
    logger.info(json.dumps(record, ensure_ascii=True, sort_keys=False))
    return record


def init_app(app: Flask) -> None:
    if not logger.handlers:
        path = app.config.get("SECURITY_LOG_FILE")
        # WatchedFileHandler reopens the file after logrotate moved it, in every worker.
        handler = logging.handlers.WatchedFileHandler(path) if path else _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.after_request
    def log_refusals(response):
        # Also refusals a view returns itself, not only those raised as errors.
        kind = LOGGED_STATUS.get(response.status_code)
        if kind:
            log_event(kind, status=response.status_code)
        return response

