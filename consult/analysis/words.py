"""Words of charts and alt texts in the reader's language, from the interface catalogues
(`consult/translations`, compiled by `make translations`), without Flask.

`tr(language, "Horizontal bar chart: %(parts)s", parts=…)` is extracted by `make messages` like
`_()`; English, or a missing catalogue, gives the message as written.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

CATALOGUES = Path(__file__).resolve().parents[1] / "translations"


@lru_cache(maxsize=16)
def _catalogue(language: str) -> NullTranslations:
    return Translations.load(str(CATALOGUES), [language])


def tr(language: str, message: str, **values) -> str:
    """`message` in `language`, with `values` filled in."""
    text = _catalogue(language or "en").gettext(message)
    return text % values if values else text
