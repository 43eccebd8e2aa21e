"""Settings, read from the environment inside create_app (never at import time)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the app refuses to start."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def database_uri(url: str | None, instance_path: str) -> str:
    """Turn DATABASE_URL into a SQLAlchemy URI; psycopg 3 for PostgreSQL, SQLite by default."""
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "consult.sqlite3")
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: str) -> str:
    """A random key kept in the instance folder, so development sessions survive restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(env: Mapping[str, str], instance_path: str) -> dict:
    """Every setting the app reads, from `env`. The README lists them all."""
    environment = (env.get("CONSULT_ENV") or env.get("FLASK_ENV") or "development").lower()
    production = environment == "production"
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when CONSULT_ENV is production")
        secret = _instance_secret(instance_path)
    elif production and len(secret) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters in production")
    redis_url = env.get("REDIS_URL") or None
    return {
        "ENV_NAME": environment,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_uri(env.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "BASE_URL": (env.get("CONSULT_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_SERVER": env.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int(env, "MAIL_PORT", 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER") or "consult@localhost",
        "ARGON2_TIME_COST": _int(env, "ARGON2_TIME_COST", 3),
        "ARGON2_MEMORY_COST": _int(env, "ARGON2_MEMORY_COST", 65536),
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int(env, "SESSION_MAX_HOURS", 12),
        "TOKEN_INVITE_HOURS": _int(env, "TOKEN_INVITE_HOURS", 72),
        "TOKEN_RESET_MINUTES": _int(env, "TOKEN_RESET_MINUTES", 60),
        "LOGIN_LIMIT_PER_IP": env.get("LOGIN_LIMIT_PER_IP") or "30 per 5 minutes",
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT") or "5 per 5 minutes",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), default=True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "SESSION_COOKIE_NAME": "consult_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": _int(env, "MAX_UPLOAD_MB", 32) * 1024 * 1024,
        "SPREADSHEET_MAX_MB": _int(env, "SPREADSHEET_MAX_MB", 5),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "JOBS_INLINE": not redis_url or _bool(env.get("JOBS_INLINE")),
        "JOBS_QUEUE": env.get("JOBS_QUEUE") or "consult",
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT") or "600 per minute",
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX") or "consult",
    }
