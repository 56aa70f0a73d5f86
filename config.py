"""Configuration: safe development defaults, overridden by environment variables."""
import json
import os
from datetime import timedelta
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

    # argon2id with OWASP's password-storage parameters (19 MiB, 2 passes, 1 lane): RFC 9106's
    # 64 MiB would lift every worker that checks a password by 64 MiB (over the 150 MB budget).
    ARGON2_TIME_COST = int(os.environ.get("ARGON2_TIME_COST", 2))
    ARGON2_MEMORY_COST = int(os.environ.get("ARGON2_MEMORY_COST", 19456))
    ARGON2_PARALLELISM = int(os.environ.get("ARGON2_PARALLELISM", 1))

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

    # Trust: legal pages, anti-automation, security log (ideas/pages.py, antispam.py, securitylog.py).
    # The town's texts: <PAGES_DIR>/<privacy|imprint|accessibility>.<de|en>.md (unset: instance/pages);
    # pages without such a file show the shipped default, which says what the town must fill in.
    PAGES_DIR = os.environ.get("PAGES_DIR")
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "barrierefreiheit@example.org")
    # Security log as JSON lines: a file (rotated by logrotate, see README) or, unset, stderr.
    SECURITY_LOG_FILE = os.environ.get("SECURITY_LOG_FILE")
    # Days that logs holding IP addresses are kept; the logrotate example in the README uses it.
    IP_RETENTION_DAYS = int(os.environ.get("IP_RETENTION_DAYS", 7))
    # Forms sent sooner than this after they were shown are taken for bots (0 switches it off).
    MIN_FILL_SECONDS = float(os.environ.get("MIN_FILL_SECONDS", 3))

    # Accounts and sessions (ideas/sessions.py): a session ends after this long without a request
    # (shorter for staff) and in any case SESSION_LIFETIME_SECONDS after the login. "Stay logged in"
    # (citizens only) lasts REMEMBER_DAYS. Failed logins are counted per address and per IP address.
    SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_LIFETIME_SECONDS", 12 * 3600))
    SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", 2 * 3600))
    STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", 30 * 60))
    REMEMBER_COOKIE_DURATION = timedelta(days=int(os.environ.get("REMEMBER_DAYS", 30)))
    LOGIN_LIMIT_ACCOUNT = os.environ.get("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_IP = os.environ.get("LOGIN_LIMIT_IP", "20 per 15 minutes")
    LOGIN_THROTTLE_STORAGE_URI = None  # None: the rate limiter's storage (Redis with REDIS_URL)

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
    SECRET_KEY = "test-secret"  # noqa: S105 - tests only; production refuses short keys  # nosec B105
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) \
        if os.environ.get("TEST_DATABASE_URL") else "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    MIN_FILL_SECONDS = 0  # tests of the fill time set it themselves
    MAIL_BACKEND = "memory"
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}
