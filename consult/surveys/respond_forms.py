"""The answer form of one section, built once from the questionnaire definition: the same
description renders the inputs (templates/respond/_questions.html) and reads them back.

Input names, for the browser script as well:

=================  ===========================================================================
single_choice,     ``<code>``: the option code / point / "yes" "no" / "dont_know"
yes_no, scale
multiple_choice    ``<code>`` (repeated): the option codes
other text         ``<code>.other``
matrix             ``<code>.<row code>``: the point or "dont_know"
ranking            ``<code>.<option code>``: the rank (1 = first; empty = not ranked), or
                   ``<code>`` repeated in rank order (the keyboard-sortable list)
number, texts,     ``<code>``
date
=================  ===========================================================================

Reading never refuses input: what cannot be understood is kept as typed (a number "12 people"
stays a text), so the draft holds it and validation says what to change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date

from babel.numbers import format_decimal
from flask_babel import format_date, get_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from consult.surveys.answers_format import DONT_KNOW
from consult.surveys.models import (
    Consent,
    Consultation,
    OptionRole,
    Question,
    QuestionType,
    Section,
    translated,
)
from consult.surveys.settings import scale_points

NOTE = QuestionType.NOTE
GROUPED = {
    QuestionType.SINGLE_CHOICE,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.YES_NO,
    QuestionType.SCALE,
    QuestionType.MATRIX,
    QuestionType.RANKING,
}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    is_other: bool = False


@dataclass
class QuestionField:
    """One question as the form shows it, in one language."""

    question: Question
    label: str
    help: str
    choices: list[Choice] = field(default_factory=list)  # options, points, yes/no, items
    rows: list[Choice] = field(default_factory=list)  # matrix rows

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def type(self) -> str:
        return self.question.type.value

    @property
    def required(self) -> bool:
        return self.question.required

    @property
    def settings(self) -> dict:
        return self.question.settings or {}

    @property
    def is_group(self) -> bool:
        """Shown as a fieldset with a legend (several inputs answer it)."""
        return self.question.type in GROUPED

    @property
    def dom_id(self) -> str:
        return f"q-{self.code}"

    @property
    def anchor(self) -> str:
        """The id an error summary links to: the first input of the question."""
        if self.question.type == QuestionType.MATRIX and self.rows:
            return f"{self.dom_id}-{self.rows[0].value}-0"
        if self.question.type == QuestionType.RANKING and self.choices:
            return f"{self.dom_id}-{self.choices[0].value}"
        if self.is_group:
            return f"{self.dom_id}-0"
        return self.dom_id

    @property
    def has_other(self) -> bool:
        return any(c.is_other for c in self.choices)

    @property
    def rule_hint(self) -> str:
        """The question's rules in words (bounds, selections, length, ranking)."""
        settings, kind = self.settings, self.question.type
        if kind == QuestionType.MULTIPLE_CHOICE:
            low, high = settings.get("min_selections"), settings.get("max_selections")
            if low and high:
                return str(_l("Choose from %(low)d to %(high)d options.", low=low, high=high))
            if high:
                return ngettext(
                    "Choose up to %(num)d option.", "Choose up to %(num)d options.", high
                )
            if low:
                return ngettext(
                    "Choose at least %(num)d option.", "Choose at least %(num)d options.", low
                )
            return str(_l("Choose all that apply."))
        if kind == QuestionType.NUMBER:
            low, high = settings.get("min"), settings.get("max")
            whole = settings.get("integer")
            if low is not None and high is not None:
                text = _l("A number from %(low)s to %(high)s.", low=low, high=high)
            elif low is not None:
                text = _l("A number of at least %(low)s.", low=low)
            elif high is not None:
                text = _l("A number of at most %(high)s.", high=high)
            else:
                text = ""
            if whole:
                text = f"{text} {_l('Whole numbers only.')}".strip()
            return str(text)
        if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            limit = settings.get("max_length")
            return str(_l("At most %(n)d characters.", n=limit)) if limit else ""
        if kind == QuestionType.RANKING:
            if settings.get("rank_all"):
                return str(_l("Give each item a rank: 1 is the most important."))
            if settings.get("max_ranked"):
                return ngettext(
                    "Rank up to %(num)d item: 1 is the most important.",
                    "Rank up to %(num)d items: 1 is the most important.",
                    settings["max_ranked"],
                )
            return str(_l("Rank the items that matter to you: 1 is the most important."))
        if kind == QuestionType.DATE:
            return str(_l("For example 2026-03-31 (year, month, day)."))
        return ""

    @property
    def relevant_json(self) -> str:
        """The condition's AST for the browser (empty when always shown)."""
        ast = self.question.relevant_ast
        return json.dumps(ast, separators=(",", ":")) if ast else ""


def _options(question: Question, role: OptionRole, language: str, default: str) -> list[Choice]:
    return [
        Choice(o.code, translated(o.label, language, default) or o.code, o.is_other)
        for o in question.options
        if o.role == role
    ]


def _points(question: Question, language: str, default: str) -> list[Choice]:
    settings = question.settings or {}
    labels = settings.get("labels") or {}
    choices = [
        Choice(str(point), translated(labels.get(str(point)), language, default) or str(point))
        for point in scale_points({"points": 5, "start": 1, **settings})
    ]
    if settings.get("dont_know"):
        label = translated(settings.get("dont_know_label"), language, default)
        choices.append(Choice(DONT_KNOW, label or str(_l("Don't know"))))
    return choices


def build_field(question: Question, language: str, default: str) -> QuestionField:
    kind = question.type
    choices: list[Choice] = []
    rows: list[Choice] = []
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
        choices = _options(question, OptionRole.OPTION, language, default)
    elif kind == QuestionType.YES_NO:
        choices = [Choice("yes", str(_l("Yes"))), Choice("no", str(_l("No")))]
    elif kind == QuestionType.SCALE:
        choices = _points(question, language, default)
    elif kind == QuestionType.MATRIX:
        choices = _points(question, language, default)
        rows = _options(question, OptionRole.ROW, language, default)
    return QuestionField(
        question,
        translated(question.label, language, default) or question.code,
        translated(question.help, language, default),
        choices,
        rows,
    )


class AnswerForm:
    """The questions of one section (notes included, for display) in one language."""

    def __init__(self, consultation: Consultation, section: Section, language: str):
        self.consultation = consultation
        self.section = section
        self.language = language
        default = consultation.default_language
        self.fields = [build_field(q, language, default) for q in section.questions]

    @property
    def codes(self) -> list[str]:
        """The answered questions of the section (a save replaces exactly these)."""
        return [f.code for f in self.fields if f.question.type != NOTE]

    def read(self, form: MultiDict) -> tuple[dict, dict]:
        """(answers, other texts) of the section from posted form data; empty ones left out."""
        answers, other = {}, {}
        for f in self.fields:
            if f.question.type == NOTE:
                continue
            value = _read_value(f, form)
            if value not in (None, "", [], {}):
                answers[f.code] = value
            if f.has_other:
                text = _text(form.get(f"{f.code}.other"))
                if text:
                    other[f.code] = text
        return answers, other


def _text(raw: str | None) -> str:
    return (raw or "").replace("\r\n", "\n").strip()


def parse_number(raw: str):
    """12 → 12, "3,5" or "3.5" → 3.5, "1 200" → 1200; anything else is kept as typed."""
    text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if not _NUMBER.match(text):
        return raw.strip()
    text = text.replace(",", ".")
    number = float(text)
    return int(number) if number.is_integer() and "." not in text else number


def _point(raw: str | None):
    raw = (raw or "").strip()
    if raw == DONT_KNOW or raw == "":
        return raw or None
    try:
        return int(raw)
    except ValueError:
        return raw


def _read_value(f: QuestionField, form: MultiDict):
    kind = f.question.type
    code = f.code
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO):
        return (form.get(code) or "").strip() or None
    if kind == QuestionType.SCALE:
        return _point(form.get(code))
    if kind == QuestionType.MULTIPLE_CHOICE:
        chosen = [v for v in form.getlist(code) if v]
        order = [c.value for c in f.choices]
        return sorted(dict.fromkeys(chosen), key=lambda v: order.index(v) if v in order else 99)
    if kind == QuestionType.MATRIX:
        values = {}
        for row in f.rows:
            point = _point(form.get(f"{code}.{row.value}"))
            if point is not None:
                values[row.value] = point
        return values
    if kind == QuestionType.RANKING:
        ordered = [v for v in form.getlist(code) if v]
        if ordered:
            return list(dict.fromkeys(ordered))
        ranks = []
        for position, choice in enumerate(f.choices):
            raw = (form.get(f"{code}.{choice.value}") or "").strip()
            if raw.isdigit() and int(raw) > 0:
                ranks.append((int(raw), position, choice.value))
        return [value for _, _, value in sorted(ranks)]
    if kind == QuestionType.NUMBER:
        raw = form.get(code) or ""
        return parse_number(raw) if raw.strip() else None
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return _text(form.get(code)) or None
    if kind == QuestionType.DATE:
        return (form.get(code) or "").strip() or None
    return None


def ranking_ties(f: QuestionField, form: MultiDict) -> bool:
    """True when the select-based ranking gave one rank to several items."""
    ranks = [(form.get(f"{f.code}.{c.value}") or "").strip() for c in f.choices]
    given = [r for r in ranks if r]
    return len(given) != len(set(given))


def display_value(f: QuestionField, value) -> str:
    """An answer in words, for the review page and the conflict page."""
    if value in (None, "", [], {}):
        return ""
    labels = {c.value: c.label for c in f.choices}
    kind = f.question.type
    if kind in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING) and isinstance(value, list):
        parts = [labels.get(str(v), str(v)) for v in value]
        if kind == QuestionType.RANKING:
            return "; ".join(f"{i}. {p}" for i, p in enumerate(parts, start=1))
        return "; ".join(parts)
    if kind == QuestionType.MATRIX and isinstance(value, dict):
        rows = {r.value: r.label for r in f.rows}
        return "; ".join(
            f"{rows.get(k, k)}: {labels.get(str(v), str(v))}" for k, v in value.items()
        )
    if kind == QuestionType.NUMBER and isinstance(value, int | float):
        # The reader's decimal sign, no grouping (numbers may be years or codes).
        return format_decimal(value, locale=get_locale(), group_separator=False)
    if kind == QuestionType.DATE and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value), "long")
        except ValueError:
            return value  # kept as typed; validation explains it
    return labels.get(str(value), str(value))


# --- the submission form (Flask-WTF: CSRF and field checks)

CONSENT_CHOICES = (
    (
        Consent.PUBLIC_NAMED.value,
        _l("Public, with your authority's name"),
        _l(
            "Your answers may be published with the name of your authority, e.g. in the "
            "report and the list of contributions."
        ),
    ),
    (
        Consent.PUBLIC_ANONYMOUS.value,
        _l("Public, anonymously"),
        _l(
            "Your answers may be published without anything that identifies your authority. "
            "They count in all results."
        ),
    ),
    (
        Consent.NOT_PUBLISHED.value,
        _l("Not for publication"),
        _l(
            "Your answers count in the results (counts and charts), but your texts are never "
            "quoted or published."
        ),
    ),
)


class SubmitForm(FlaskForm):
    version = HiddenField()
    consent = RadioField(
        _l("Publication of your answers"),
        choices=[(value, label) for value, label, _ in CONSENT_CHOICES],
        validators=[InputRequired(message=_l("Choose whether your answers may be published."))],
    )
    submitter_name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(message=_l("Enter your name.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
    )
    submitter_function = StringField(
        _l("Your function"),
        description=_l("For example: Mayor, Head of the integration office."),
        validators=[
            DataRequired(message=_l("Enter your function.")),
            Length(max=200, message=_l("Use at most 200 characters.")),
        ],
    )
