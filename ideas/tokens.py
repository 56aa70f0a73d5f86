"""Signed, expiring links for e-mail verification and password reset; no table needed.

A reset token carries a fingerprint of the current password hash, so it stops working
as soon as the password has been changed: single use without storing anything.
"""
import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERIFY_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 3600


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"ideenfenster-{purpose}")


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make_verify_token(user) -> str:
    return _serializer("verify").dumps({"id": user.id, "email": _fingerprint(user.email)})


def make_reset_token(user) -> str:
    return _serializer("reset").dumps({"id": user.id, "pw": _fingerprint(user.password_hash)})


def _load(purpose: str, token: str, max_age: int) -> dict | None:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) else None


def check_verify_token(token: str, load_user):
    data = _load("verify", token, VERIFY_MAX_AGE)
    user = load_user(data.get("id")) if data else None
    if user is None or data.get("email") != _fingerprint(user.email):
        return None
    return user


def check_reset_token(token: str, load_user):
    data = _load("reset", token, RESET_MAX_AGE)
    user = load_user(data.get("id")) if data else None
    if user is None or data.get("pw") != _fingerprint(user.password_hash):
        return None
    return user


UNSUBSCRIBE_MAX_AGE = 365 * 24 * 3600


def make_unsubscribe_token(user) -> str:
    return _serializer("unsubscribe").dumps({"id": user.id})


def check_unsubscribe_token(token: str, load_user):
    data = _load("unsubscribe", token, UNSUBSCRIBE_MAX_AGE)
    return load_user(data.get("id")) if data else None


EMAIL_CHANGE_MAX_AGE = 24 * 3600


def make_email_change_token(user, new_email: str) -> str:
    # Bound to the current address: once it changed, older links for this account stop working.
    return _serializer("email-change").dumps({"id": user.id, "new": new_email, "old": _fingerprint(user.email)})


def check_email_change_token(token: str, load_user):
    """(user, new address) from a valid link, else (None, None)."""
    data = _load("email-change", token, EMAIL_CHANGE_MAX_AGE)
    user = load_user(data.get("id")) if data else None
    if user is None or data.get("old") != _fingerprint(user.email) or not isinstance(data.get("new"), str):
        return None, None
    return user, data["new"]
