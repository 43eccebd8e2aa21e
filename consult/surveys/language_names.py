"""Names of the EU languages and of countries in the interface language."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from flask import has_request_context
from flask_babel import get_locale

from consult.surveys.models import EU_LANGUAGES


def language_name(code: str) -> str:
    """The name of language `code` in the current interface language."""
    try:
        locale = get_locale() if has_request_context() else None
        name = Locale.parse(code).get_display_name(locale or "en")
    except (UnknownLocaleError, ValueError):
        name = None
    return name or EU_LANGUAGES.get(code, code)


def language_choices() -> list[tuple[str, str]]:
    """(code, "name (own name)") of the 24 EU languages, sorted by their code."""
    return [
        (code, f"{language_name(code)} ({own})" if language_name(code) != own else own)
        for code, own in EU_LANGUAGES.items()
    ]


# Eurostat writes Greece EL (ISO: GR) and the United Kingdom UK (ISO: GB).
_ISO_COUNTRY = {"EL": "GR", "UK": "GB"}


def country_name(code: str) -> str:
    """The name of country `code` (Eurostat or ISO 3166-1) in the interface language."""
    try:
        locale = get_locale() if has_request_context() else None
        name = Locale.parse(locale or "en").territories.get(_ISO_COUNTRY.get(code, code))
    except (UnknownLocaleError, ValueError):
        name = None
    return name or code
