"""Helpers of the builder view tests: adding questions, reading pages as a person does."""

from __future__ import annotations

import html
import re

from consult.surveys import questionnaire as qs

OPTIONS = [{"code": "a", "label": {"en": "A", "fr": "A"}}, {"code": "b", "label": {"en": "B"}}]


def add(section, author, code, qtype="single_choice", **kwargs):
    if qtype in ("single_choice", "multiple_choice", "ranking") and "options" not in kwargs:
        kwargs["options"] = OPTIONS
    kwargs.setdefault("label", {"en": f"{code}?", "fr": f"{code} ?"})
    return qs.add_question(section, actor=author, code=code, type=qtype, **kwargs)


def base(consultation) -> str:
    return f"/consultations/{consultation.slug}/questionnaire"


def text(response) -> str:
    """The page as a person reads it: tags removed, entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def field_error(response, field_id: str) -> str:
    """The inline error shown at a field (the macros' <p id="FIELD-error">)."""
    body = response.get_data(as_text=True)
    match = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', body, re.S
    )
    assert match, f"no error at {field_id}"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def summary(response) -> str:
    body = response.get_data(as_text=True)
    match = re.search(r'<div class="error-summary".*?</div>', body, re.S)
    assert match, "no error summary"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def question_form(**fields) -> dict:
    """A question form as a browser posts it (English and French fields, nothing else)."""
    data = {"label_en": "", "label_fr": "", "help_en": "", "help_fr": "", "relevant": ""}
    data.update(fields)
    return data
