"""Configuration read from the environment.

Defaults suit a laptop: an SQLite file under ``instance/``. Production sets ``DATABASE_URL`` (PostgreSQL),
``SECRET_KEY``, ``RATELIMIT_STORAGE_URI`` (Redis, shared by gunicorn workers) and, behind a reverse proxy,
``PROXY_FIX=1``. Cookies are HTTPS-only unless ``SANGKIEN_DEVELOPMENT=1`` (set by ``make run``).
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` / ``postgresql://`` forms and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEV_SECRET_KEY = "dev-only-change-me"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'sangkien.db'}")
    )
    # No ping before each use of a pooled connection: it is one more round trip on every request, as much as an
    # unchanged poll's own reads. A connection the database dropped fails one request, and SQLAlchemy then discards
    # the pool's other connections with it; recycling after 30 minutes stays below the usual idle timeouts.
    # DB_PRE_PING=1 turns the ping back on (e.g. behind a proxy that drops idle connections early).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": _bool("DB_PRE_PING", False), "pool_recycle": 1800}
    # Sessions: a long-lived session keeps the CSRF token valid while a member types on a slow phone.
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Cookies travel over HTTPS only, except in development on http://127.0.0.1 (`make run` sets
    # SANGKIEN_DEVELOPMENT=1; FLASK_DEBUG=1 counts too). SESSION_COOKIE_SECURE=0 forces plain HTTP anyway.
    DEVELOPMENT = _bool("SANGKIEN_DEVELOPMENT", False) or _bool("FLASK_DEBUG", False)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", not DEVELOPMENT)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    # Staff (reviewers, organizers, admins) are logged out after this long without a request; members keep
    # their long sessions (they type slowly on phones). 0 turns the timeout off.
    STAFF_IDLE_MINUTES = int(os.environ.get("STAFF_IDLE_MINUTES", 60))
    # The token is bound to the session, not to a clock: a form open for an hour still posts.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # Login attempts are counted per client address and, separately, per account (whatever address they come from).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_ACCOUNT_RATE_LIMIT = os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "5 per minute;20 per hour")
    # Behind one reverse proxy (nginx): PROXY_FIX=1 takes the client address and scheme from X-Forwarded-For/-Proto.
    # Without a proxy leave it off: a client could otherwise pick any address and escape the login limits.
    PROXY_FIX = _bool("PROXY_FIX", False)
    # How long a code for taking over an account entered by the support team stays valid.
    CLAIM_CODE_LIFETIME_HOURS = int(os.environ.get("CLAIM_CODE_LIFETIME_HOURS", 7 * 24))
    # Anonymous public pages (campaign page, its partials, home, gallery) may be kept this long by shared caches.
    PUBLIC_CACHE_SECONDS = int(os.environ.get("PUBLIC_CACHE_SECONDS", 15))
    # Each worker keeps that many such answers in memory for that long (app/microcache.py); 0 turns it off.
    MICROCACHE_ENTRIES = int(os.environ.get("MICROCACHE_ENTRIES", 256))
    # An unchanged poll's 204 may be shared that long by cookie-less visitors (a change shows at most that late).
    POLL_CACHE_SECONDS = int(os.environ.get("POLL_CACHE_SECONDS", 5))
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIMETYPES = ["text/html", "text/css", "application/javascript", "text/javascript", "image/svg+xml",
                          "text/csv", "application/json"]
    COMPRESS_MIN_SIZE = 300
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024))
    MAX_CONTENT_LENGTH = MAX_UPLOAD_BYTES * 6
    # Images are refused above this many pixels before they are decoded: a 140 KB PNG can hold 144 megapixels.
    MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", 40_000_000))
    # SMTP for e-mail notifications (the weekly digest included).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 587))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "sangkien@localhost")
    # Notifications (README "Notifications"). E-mail goes over SMTP when MAIL_SERVER is set, else to the
    # development outbox page (/notifications/outbox). SMS: "off" (default), "outbox" (development) or "http"
    # (the gateway at SMS_GATEWAY_URL, see domain/delivery.py).
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp" if os.environ.get("MAIL_SERVER") else "outbox")
    SMS_BACKEND = os.environ.get("SMS_BACKEND", "off")
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "SANGKIEN")
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT", 30))
    # A worker that dies mid-delivery holds it this long; then another attempt takes it (domain/delivery.py).
    DELIVERY_LEASE_SECONDS = int(os.environ.get("DELIVERY_LEASE_SECONDS", 120))
    # The address links in e-mail and SMS start with.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    # The job queue (app/jobs.py): Huey on SQLite beside the database by default, Redis at scale
    # (JOB_QUEUE_URL=redis://127.0.0.1:6379/1).
    JOB_QUEUE_URL = os.environ.get("JOB_QUEUE_URL", "")
    # Reviewers are alerted about items pending longer than this many days.
    REVIEW_AGEING_DAYS = int(os.environ.get("REVIEW_AGEING_DAYS", 5))
    # Deadline reminders, in days before a campaign's or a period's end.
    REMINDER_DAYS = (7, 3, 1)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ.get("TEST_DATABASE_URL", "sqlite://"))
    RATELIMIT_STORAGE_URI = "memory://"
    COMPRESS_REGISTER = True
    MAIL_BACKEND = "outbox"
    SMS_BACKEND = "off"
    MICROCACHE_ENTRIES = 0  # tests read their own writes at once; tests/test_microcache.py turns it on
