"""Every translated text of a questionnaire, addressed by a stable key.

A key is (kind, section, question, option, field):

=================  =======  ========  ===================  ==================
kind               section  question  option               field
=================  =======  ========  ===================  ==================
consultation       —        —         —                    title, description
section            1-based  —         —                    title, intro
question           1-based  code      —                    label, help
option             1-based  code      option code          label
row                1-based  code      row code             label
scale              1-based  code      point ("1"…)         label
scale              1-based  code      —                    dont_know_label
=================  =======  ========  ===================  ==================

Texts iterate over the one-document form of a questionnaire (see `schemas`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from consult.surveys.settings import scale_points

# Texts that must exist in the default language; the others are optional (help, intro…).
REQUIRED_FIELDS = {("consultation", "title"), ("section", "title"), ("question", "label")}
REQUIRED_FIELDS |= {("option", "label"), ("row", "label")}


@dataclass(frozen=True)
class TextKey:
    kind: str
    section: int | None = None
    question: str | None = None
    option: str | None = None
    field: str = "label"

    def describe(self) -> str:
        parts = [self.kind]
        if self.section is not None:
            parts.append(f"section {self.section}")
        if self.question:
            parts.append(f"question {self.question}")
        if self.option:
            parts.append(f"{self.kind} {self.option}")
        parts.append(self.field)
        return ", ".join(parts)


def iter_texts(document: dict, consultation: dict | None = None) -> Iterator[tuple[TextKey, dict]]:
    """(key, {language: text}) for every text of a questionnaire document, in order.

    `consultation` may give {"title": …, "description": …} to include the consultation's own
    texts first."""
    if consultation is not None:
        yield TextKey("consultation", field="title"), consultation.get("title") or {}
        yield TextKey("consultation", field="description"), consultation.get("description") or {}
    for number, section in enumerate(document.get("sections", []), start=1):
        yield TextKey("section", number, field="title"), section.get("title") or {}
        yield TextKey("section", number, field="intro"), section.get("intro") or {}
        for question in section.get("questions", []):
            code = question["code"]
            yield TextKey("question", number, code, field="label"), question.get("label") or {}
            yield TextKey("question", number, code, field="help"), question.get("help") or {}
            for option in question.get("options", []):
                yield TextKey("option", number, code, option["code"]), option.get("label") or {}
            for row in question.get("rows", []):
                yield TextKey("row", number, code, row["code"]), row.get("label") or {}
            if question["type"] in ("scale", "matrix"):
                settings = question.get("settings") or {}
                labels = settings.get("labels") or {}
                for point in scale_points(settings):
                    yield TextKey("scale", number, code, str(point)), labels.get(str(point)) or {}
                if settings.get("dont_know"):
                    yield (
                        TextKey("scale", number, code, field="dont_know_label"),
                        settings.get("dont_know_label") or {},
                    )


def is_required(key: TextKey) -> bool:
    return (key.kind, key.field) in REQUIRED_FIELDS


def missing_texts(
    document: dict,
    *,
    languages: list[str],
    default_language: str,
    consultation: dict | None = None,
) -> list[tuple[TextKey, str]]:
    """(key, language) of every missing text: required texts missing in the default language,
    and texts present in the default language but missing in another offered language."""
    missing = []
    for key, texts in iter_texts(document, consultation):
        has_default = bool((texts.get(default_language) or "").strip())
        if not has_default:
            if is_required(key):
                missing.append((key, default_language))
            continue
        for language in languages:
            if language != default_language and not (texts.get(language) or "").strip():
                missing.append((key, language))
    return missing
