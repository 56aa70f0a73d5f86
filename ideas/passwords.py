"""Passwords: argon2id hashing with parameters from the config, and the rules a new password meets.

The rules follow NIST SP 800-63B and ASVS: a minimum length (more for staff), long passphrases
and any Unicode welcome, no composition rules, but no password from the shipped list of common
ones and none that is just the person's address, name, the site or the town.
"""
import re
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
STAFF_MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
# People dress up a common word with a year or signs: "Sommer2024!" is still "sommer".
_DRESSING = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"], type=Type.ID,
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True for hashes made with other parameters or another argon2 variant (upgraded at login)."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def min_length(is_staff: bool) -> int:
    return STAFF_MIN_LENGTH if is_staff else MIN_LENGTH


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with COMMON_FILE.open(encoding="utf-8") as f:
        return frozenset(line.strip().casefold() for line in f if line.strip() and not line.startswith("#"))


def _plain(value: str) -> str:
    return re.sub(r"[\W_]+", "", value.casefold())


def problem(password: str, *, is_staff: bool = False, email: str | None = None,
            name: str | None = None) -> str | None:
    """Why this password may not be used (a lazy message), or None when it is fine."""
    if len(password) < min_length(is_staff):
        return _l("The password must have at least %(min)d characters.", min=min_length(is_staff))
    if len(password) > MAX_LENGTH:
        return _l("The password can have at most %(max)d characters.", max=MAX_LENGTH)
    folded = password.casefold()
    common = common_passwords()
    if folded in common or folded.strip() in common or _DRESSING.sub("", folded) in common:
        return _l("This password is one of the most common ones and easy to guess. Please choose another.")
    cfg = current_app.config
    personal = {_plain(cfg.get("SITE_NAME", "")), _plain(cfg.get("TOWN_NAME", ""))}
    if email:
        personal |= {_plain(email), _plain(email.partition("@")[0])}
    if name:
        personal.add(_plain(name))
    personal.discard("")
    stripped = _plain(_DRESSING.sub("", folded))
    if _plain(password) in personal or stripped in personal:
        return _l("The password must not be your e-mail address, your name or the name of the site "
                  "or town. Please choose another.")
    return None
