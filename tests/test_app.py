"""The app factory, settings, health check, security headers and error pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult import create_app
from consult.config import ConfigError, database_uri, load_config


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({"CONSULT_ENV": "production"}, str(tmp_path))


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="32 characters"):
        load_config({"CONSULT_ENV": "production", "SECRET_KEY": "short"}, str(tmp_path))


def test_production_cookies_are_secure(tmp_path):
    config = load_config({"CONSULT_ENV": "production", "SECRET_KEY": "x" * 40}, str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_key_is_generated_once_and_kept(tmp_path):
    first = load_config({}, str(tmp_path))["SECRET_KEY"]
    second = load_config({}, str(tmp_path))["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_malformed_number_setting_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_PORT"):
        load_config({"MAIL_PORT": "twenty-five"}, str(tmp_path))


def test_database_url_forms(tmp_path):
    assert database_uri(None, str(tmp_path)).startswith("sqlite:///")
    assert database_uri("postgres://u@h/d", "") == "postgresql+psycopg://u@h/d"
    assert database_uri("postgresql://u@h/d", "") == "postgresql+psycopg://u@h/d"


def test_redis_url_selects_shared_rate_limit_storage(tmp_path):
    config = load_config({"REDIS_URL": "redis://127.0.0.1:6379/3"}, str(tmp_path))
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"
    assert config["JOBS_INLINE"] is False
    assert load_config({}, str(tmp_path))["RATELIMIT_STORAGE_URI"] == "memory://"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unavailable"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000


def test_security_headers_on_every_page(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("style-src-attr")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in response.headers["Cache-Control"]


def test_pages_have_no_inline_script(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert "<script>" not in html and "onclick" not in html.lower()


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client):
    response = client.post("/sign-in", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)


def test_base_layout_is_accessible(client):
    html = client.get("/").get_data(as_text=True)
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert '<html lang="en">' in html
    assert 'name="viewport"' in html


def test_language_choice_is_remembered_for_the_browser(client):
    client.post_form("/language", {"locale": "fr", "next": "/"})
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)


def test_static_assets_are_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html.split("<body")[0]
    assert client.get("/static/css/app.css").status_code == 200
