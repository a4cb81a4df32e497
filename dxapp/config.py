"""Settings from the environment.  Nothing here reads the clock or the database."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Production-safe defaults; development and tests override what they need."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'instance' / 'dxapp.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Program time: where the program clock starts (ISO 8601, JST when no offset); it runs forward.
    DXAPP_NOW = os.environ.get("DXAPP_NOW") or None
    DXAPP_NOW_FROZEN = _bool("DXAPP_NOW_FROZEN")
    DXAPP_DEMO = _bool("DXAPP_DEMO")
    MAIL_DIR = os.environ.get("MAIL_DIR") or str(BASE_DIR / "instance" / "mail")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_FROM = os.environ.get("MAIL_FROM", "事務局 <noreply@dxapp.example>")
    EXTERNAL_BASE_URL = os.environ.get("EXTERNAL_BASE_URL", "http://127.0.0.1:5000")
    # Shared by every worker and host (Redis in production): per-process memory would let each of N
    # workers allow the whole limit.  create_app refuses to start in production without it.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")
    RATELIMIT_HEADERS_ENABLED = False
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    WTF_CSRF_SSL_STRICT = False
    # Uploads (SECURITY.md rule 9): 3 MB per file, stored under generated names in UPLOAD_DIR.  A request
    # may carry one file and a few form fields, so anything much bigger is refused with the 413 page
    # before it is read.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(BASE_DIR / "instance" / "uploads")
    UPLOAD_MAX_BYTES = 3 * 1024 * 1024
    MAX_CONTENT_LENGTH = UPLOAD_MAX_BYTES + 64 * 1024
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "dxapp_session"
    REMEMBER_COOKIE_DURATION = 0
    SESSION_IDLE_SECONDS = 30 * 60
    SESSION_ABSOLUTE_SECONDS = 12 * 3600
    TOKEN_MAX_AGE_SECONDS = 24 * 3600
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")
    COMPRESS_ALGORITHM = ["br", "gzip"]
    # Flask serves .js as text/javascript (RFC 9239); without it htmx travels uncompressed.
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "text/csv",
                          "image/svg+xml"]
    # Below about one TCP segment compression saves no round trip, only CPU (the live panels are ~1 KB).
    COMPRESS_MIN_SIZE = 1400
    SERVER_NAME_ALLOWED = os.environ.get("ALLOWED_HOSTS", "")
    # Number of reverse proxies in front (nginx: 1) whose X-Forwarded-* headers are trusted.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    PASSWORD_MIN_LENGTH = 15
    PASSWORD_MIN_LENGTH_WITH_MFA = 8
    SECRETARIAT_PHONE = "0570-000-000"
    SECRETARIAT_HOURS = "9:30〜17:30（土日祝日・年末年始を除く）"
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    """`make run`: SQLite under instance/, demo clock, mail written to files."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-change-me")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    DXAPP_DEMO = _bool("DXAPP_DEMO", True)
    DXAPP_NOW = os.environ.get("DXAPP_NOW") or "2021-06-01T10:00:00+09:00"
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")  # one process: `flask run`


def load(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("DXAPP_CONFIG", "production")
    return {"development": DevelopmentConfig, "production": Config}[name]
