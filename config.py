"""Configuration: safe development defaults, overridden by environment variables."""
import json
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def database_url(url: str | None) -> str:
    """Normalise DATABASE_URL so PostgreSQL always goes through psycopg 3."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'ideenfenster.sqlite'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SITE_NAME = os.environ.get("SITE_NAME", "Ideenfenster")
    TOWN_NAME = os.environ.get("TOWN_NAME", "Musterstadt")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Europe/Berlin")
    LANGUAGES = ("de", "en")

    # Versions of the legal texts a person agrees to; raising one asks everybody again.
    TERMS_VERSION = os.environ.get("TERMS_VERSION", "2026-1")
    PRIVACY_VERSION = os.environ.get("PRIVACY_VERSION", "2026-1")

    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500 * 1024

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600))

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_HEADERS_ENABLED = True

    # argon2id; the library defaults follow RFC 9106's second recommendation.
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 3))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 65536))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 4))

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")  # file | smtp
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Ideenfenster <noreply@example.org>")
    # Where answers to our mails go (the project team's mailbox), if the sender is not read.
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    # Send queued mails right after the request; otherwise only `flask send-mail` sends them.
    MAIL_SEND_INLINE = _bool("MAIL_SEND_INLINE", True)

    IDEAS_PER_PAGE = 20
    # Licence of the public open data (ideas and answers without personal data).
    OPEN_DATA_LICENCE = os.environ.get("OPEN_DATA_LICENCE", "CC BY 4.0")
    # The town's population by age group in percent, e.g. '{"under_18": 17, "18_29": 12, ...}';
    # unset: a typical German small town (see ideas/strategy/insights.py).
    if os.environ.get("POPULATION_SHARES"):
        POPULATION_SHARES = json.loads(os.environ["POPULATION_SHARES"])
    PREFERRED_URL_SCHEME = "http"
    PRODUCTION = False


class ProductionConfig(Config):
    PRODUCTION = True
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) \
        if os.environ.get("TEST_DATABASE_URL") else "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_BACKEND = "memory"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}
