"""Shared fixtures: app, db, client, runner, auth, mailbox, jobs.

The suite runs on SQLite by default (a fresh file per test) and on PostgreSQL when DATABASE_URL
is set: each pytest-xdist worker gets its own database (created here, tables created once and
truncated after every test). REDIS_URL, when set, is used for rate limits and the job queue.
"""

from __future__ import annotations

import contextvars
import os
import re
import socket
import time
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from consult import create_app
from consult.extensions import db as _db
from consult.extensions import limiter

DATABASE_URL = os.environ.get("DATABASE_URL")
REDIS_URL = os.environ.get("REDIS_URL")
SHARED_DATA = next(
    (
        Path(p)
        for p in (
            os.environ.get("CONSULT_SHARED_DATA", ""),
            Path(__file__).resolve().parents[2] / "shared" / "data",
            "/work/shared/data",
        )
        if p and Path(p).is_dir()
    ),
    None,
)
TEST_PASSWORD = "plum-tractor-sunrise-4821"


def _worker_database(worker_id: str) -> str | None:
    """A database of this xdist worker's own, created empty (PostgreSQL only)."""
    if not DATABASE_URL:
        return None
    url = sa.engine.make_url(DATABASE_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{url.database}_{worker_id}" if worker_id != "master" else url.database
    if name != url.database:
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_uri(worker_id, tmp_path_factory):
    """PostgreSQL (per worker) when DATABASE_URL is set, else None (SQLite per test)."""
    uri = _worker_database(worker_id)
    if uri:
        app = create_app(_base_config(tmp_path_factory.mktemp("schema"), uri))
        with app.app_context():
            _db.drop_all()
            _db.create_all()
            _db.engine.dispose()
    return uri


# Keys of this test process in Redis (rate limits, job queue): xdist workers share one Redis.
REDIS_PREFIX = f"consult-test-{os.getpid()}"


def _base_config(instance: Path, uri: str | None) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-not-for-production-0123456789",
        "SQLALCHEMY_DATABASE_URI": uri or f"sqlite:///{instance / 'test.sqlite3'}",
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": None,
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_STORAGE_URI": REDIS_URL or "memory://",
        "JOBS_INLINE": not REDIS_URL,
        "JOBS_QUEUE": REDIS_PREFIX,
        # Cheap password hashing in tests (production keeps argon2id's defaults).
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 8192,
        "RATELIMIT_KEY_PREFIX": REDIS_PREFIX,
    }


def _reset_redis() -> None:
    """Forget this process's rate-limit counters and queued jobs (Redis), or reset memory."""
    if not REDIS_URL:
        limiter.reset()
        return
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"*{REDIS_PREFIX}*"):
        connection.delete(key)


@pytest.fixture
def app(tmp_path, database_uri):
    app = create_app(_base_config(tmp_path, database_uri))
    with app.app_context():
        if database_uri is None:
            _db.create_all()
        _reset_redis()
        yield app
        _db.session.remove()
        if database_uri is not None:
            tables = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
            with _db.engine.begin() as conn:
                conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


class Client(FlaskClient):
    """A test client that can submit forms with the CSRF token, as a browser does.

    Each request runs in a fresh context, as in production: it gets its own app context
    (`g`, Flask-Login's user, Babel's locale) and database session, not the test's.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self, url: str = "/accessibility") -> str:
        page = self.get(url)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post_form(
        self, url: str, data: dict | None = None, *, token_from: str | None = None, **kwargs
    ):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from or "/accessibility"))
        return self.post(url, data=data, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    def __init__(self, client: Client):
        self.client = client

    def login(self, user, password: str = TEST_PASSWORD, *, remember: bool = False):
        """Sign in through the real pages, second factor included."""
        response = self.client.post_form(
            "/sign-in",
            {"email": user.email, "password": password, "remember": "y" if remember else ""},
            token_from="/sign-in",
        )
        if response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code"):
            code = pyotp.TOTP(user.totp_secret).at(time.time() + 30 * _totp_offset(user))
            response = self.client.post_form(
                "/sign-in/code", {"code": code}, token_from="/sign-in/code"
            )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.client.post_form("/sign-out")


def _totp_offset(user) -> int:
    """Use the next time step when the current one was already used (codes are single-use)."""
    now_step = int(time.time()) // 30
    return 1 if user.totp_last_step is not None and user.totp_last_step >= now_step else 0


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def mailbox(app):
    """A real SMTP server (aiosmtpd) on a free local port; the app sends to it."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield received
    finally:
        controller.stop()
        app.config.update(MAIL_SERVER=None)


@pytest.fixture
def drain_jobs(app):
    """Run queued background jobs: inline already without Redis, an RQ burst worker with it."""

    def drain() -> None:
        if app.config["JOBS_INLINE"]:
            return
        from redis import Redis
        from rq import Queue, SimpleWorker

        connection = Redis.from_url(app.config["REDIS_URL"])
        queue = Queue(app.config["JOBS_QUEUE"], connection=connection)
        SimpleWorker([queue], connection=connection).work(burst=True)

    return drain


@pytest.fixture
def shared_data():
    if SHARED_DATA is None:
        pytest.skip("the Eurostat reference data (../shared/data) is not on this machine")
    return SHARED_DATA
