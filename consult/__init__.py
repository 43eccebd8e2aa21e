"""consult: public consultations of local and regional authorities."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the application: settings from the environment, then `config` overrides."""
    from consult.config import load_config

    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("CONSULT_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=instance_path or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(load_config(os.environ, app.instance_path))
    app.config.update(config or {})
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("consult").setLevel(logging.INFO)

    from consult.accounts import passwords

    passwords.configure(
        time_cost=app.config["ARGON2_TIME_COST"], memory_cost=app.config["ARGON2_MEMORY_COST"]
    )
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_request_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    from consult import i18n
    from consult.db import configure_sqlite
    from consult.extensions import babel, csrf, db, limiter, login_manager, migrate

    app.jinja_env.add_extension("jinja2.ext.do")
    import consult.models  # noqa: F401  (every table in the metadata)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(
        app,
        db,
        directory=str(PROJECT_ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=i18n.select_timezone,
    )
    login_manager.init_app(app)
    from consult.accounts import sessions

    sessions.init_login_manager(login_manager)


def register_blueprints(app: Flask) -> None:
    from consult import core
    from consult.accounts import admin_views, organisation_views, views
    from consult.surveys import authoring_views, invitation_views

    app.register_blueprint(core.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(admin_views.people_bp)
    app.register_blueprint(organisation_views.bp)
    app.register_blueprint(authoring_views.bp)
    app.register_blueprint(invitation_views.links_bp)

    from consult.surveys import builder_views

    app.register_blueprint(builder_views.bp)

    from consult.api import register as register_api

    register_api(app)

    from consult.surveys import (
        receipt_views,
        respond_conflict_views,
        respond_submit_views,
        respond_views,
    )

    # their routes join respond_views.bp
    assert respond_conflict_views and respond_submit_views and receipt_views
    app.register_blueprint(respond_views.bp)
    from consult.results import views as results_views

    app.register_blueprint(results_views.bp)

    from consult.results import downloads

    app.register_blueprint(downloads.bp)


def register_errorhandlers(app: Flask) -> None:
    from consult import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from consult import cli

    cli.register(app)


def register_request_hooks(app: Flask) -> None:
    from consult import i18n, markdown, security

    security.register(app)
    i18n.register(app)
    markdown.register(app)
