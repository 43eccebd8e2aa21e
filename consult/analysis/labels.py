"""Labels of breakdown groups (countries, levels, size classes…) and of generated rows."""

from __future__ import annotations

import sqlalchemy as sa
from babel import Locale, UnknownLocaleError
from sqlalchemy.orm import Session

from consult.accounts.models import Organisation
from consult.analysis.spec import Dimension

UNKNOWN = "Unknown"
NO_ASSOCIATION = "No association"

LEVELS = {"municipality": "Municipality", "intermediate": "Intermediate", "region": "Region"}
SIZE_CLASSES = {
    "lt5k": "< 5 000",
    "5k-20k": "5 000–20 000",
    "20k-100k": "20 000–100 000",
    "100k-500k": "100 000–500 000",
    "gt500k": "> 500 000",
}
URBANISATIONS = {"city": "City", "town": "Town or suburb", "rural": "Rural area"}
# EU statistics use EL for Greece (ISO GR).
EU_TO_ISO = {"EL": "GR", "UK": "GB"}


def country_name(code: str | None, language: str = "en") -> str:
    if not code:
        return UNKNOWN
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale("en")
    return locale.territories.get(EU_TO_ISO.get(code, code), code)


def group_order(dimension: Dimension, key) -> tuple:
    """Sort key: the dimension's natural order, unknown last."""
    natural = {
        Dimension.LEVEL: list(LEVELS),
        Dimension.SIZE_CLASS: list(SIZE_CLASSES),
        Dimension.URBANISATION: list(URBANISATIONS),
    }.get(dimension)
    if key is None:
        return (2, "")
    if natural and key in natural:
        return (0, f"{natural.index(key):04d}")
    return (1, str(key))


def group_labels(session: Session, dimension: Dimension, keys, language: str = "en") -> dict:
    """A label for each group key."""
    if dimension == Dimension.ASSOCIATION:
        ids = [k for k in keys if k is not None]
        names = dict(
            session.execute(
                sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
            ).all()
        )
        return {k: names.get(k, str(k)) if k is not None else NO_ASSOCIATION for k in keys}
    if dimension == Dimension.COUNTRY:
        return {k: country_name(k, language) for k in keys}
    table = {
        Dimension.LEVEL: LEVELS,
        Dimension.SIZE_CLASS: SIZE_CLASSES,
        Dimension.URBANISATION: URBANISATIONS,
    }.get(dimension, {})
    return {k: table.get(k, k) if k is not None else UNKNOWN for k in keys}
