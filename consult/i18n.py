"""Interface languages: which locale and time zone a request uses."""

from __future__ import annotations

from flask import Flask, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_login import current_user

# Interface languages with a shipped catalogue, and their own names.
INTERFACE_LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch"}
DEFAULT_TIMEZONE = "Europe/Brussels"


def select_locale() -> str:
    """The signed-in user's choice, else this browser's choice, else Accept-Language; English
    outside a request (commands, background jobs)."""
    if not has_request_context():
        return "en"
    user = current_user
    if user and user.is_authenticated and user.locale in INTERFACE_LANGUAGES:
        return user.locale
    chosen = session.get("locale")
    if chosen in INTERFACE_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(INTERFACE_LANGUAGES)) or "en"


def select_timezone() -> str:
    if not has_request_context():
        return DEFAULT_TIMEZONE
    if current_user and current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return DEFAULT_TIMEZONE


def register(app: Flask) -> None:
    @app.context_processor
    def _i18n_context():
        return {
            "interface_languages": INTERFACE_LANGUAGES,
            "current_locale": str(get_locale()),
        }

    # Dates, numbers and durations in the reader's locale (and time zone, for date-times).
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt) if value else ""
    )
    app.jinja_env.filters["date"] = lambda value, fmt="medium": (
        format_date(value, fmt) if value else ""
    )
    app.jinja_env.filters["decimal"] = lambda value: (
        format_decimal(value) if value is not None and value != "" else ""
    )
    # `timedelta` (durations in words) is registered by respond_views.
