"""The columns of a data export and their codebook (no SQL here: see `exports`).

One row per submitted response. The columns, in order:

- `reference`, `submitted_at` (UTC, ``YYYY-MM-DDTHH:MM:SSZ``), `language`, `consent`;
- the authority: `authority_name`, `lau_code`, `nuts_code` (only for responses published with
  their name), then `country`, `nuts2`, `level`, `size_class`, `urbanisation` (for the other
  responses generalised until at least k of them share every combination, see `exports`);
- one column per question, option or matrix row (notes have none):

================  ==========================================================================
single choice     `code`: the option code; `code_other`: the "other, please specify" text
multiple choice   `code__option`: 1 selected, 0 not selected (empty: question not answered);
                  `code_other`: the "other" text
yes/no            `code`: 1 yes, 0 no
scale             `code`: the point; `code_dk`: 1 when "don't know" (scales that offer it)
matrix            `code__row`: the point; `code__row_dk`: 1 when "don't know"
ranking           `code__option`: the rank given to the option (1 = first; empty: not ranked)
number            `code`: the number (dot as decimal separator)
short/long text   `code`: the text
date              `code`: ``YYYY-MM-DD``
================  ==========================================================================

An empty cell means no answer (the question was not answered or not shown), or a free text that
the respondent did not consent to publish (`consent` = ``not_published``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from consult.analysis.labels import LEVELS, SIZE_CLASSES, URBANISATIONS
from consult.analysis.numeric import point_label, scale_points
from consult.analysis.results import label_text
from consult.surveys.models import Consent, OptionRole, Question, QuestionType

# What a column holds: how to read it, and how JSON and XLSX type it.
TEXT, CODE, FLAG, INTEGER, DECIMAL, DATE, DATETIME = (
    "text",
    "code",
    "0/1",
    "integer",
    "decimal",
    "date",
    "datetime",
)
NUMERIC = {FLAG, INTEGER, DECIMAL}
CONSENT_LABELS = {
    Consent.PUBLIC_NAMED.value: "Published with the authority's name",
    Consent.PUBLIC_ANONYMOUS.value: "Published anonymously",
    Consent.NOT_PUBLISHED.value: "Not for publication (free texts withheld)",
}


@dataclass(frozen=True)
class Column:
    """A column of the export: its name, what it holds and how it is coded.

    `source` says how `exports` computes it: ("attr", name), ("option", question, option id),
    ("value", question), ("other", question), ("dk", question, row id or None),
    ("point", question, row id or None), ("flag", question, option id), ("rank", question,
    option id).
    """

    name: str
    kind: str
    label: str
    question: str = ""
    question_type: str = ""
    codes: tuple[tuple[str, str], ...] = ()
    notes: str = ""
    source: tuple = field(default=(), compare=False)
    free_text: bool = False


def _attribute_columns() -> list[Column]:
    pairs = lambda table: tuple(table.items())  # noqa: E731
    return [
        Column("reference", TEXT, "Response reference", source=("attr", "reference")),
        Column("submitted_at", DATETIME, "Submitted at (UTC)", source=("attr", "submitted_at")),
        Column("language", CODE, "Language of the response", source=("attr", "language")),
        Column(
            "consent",
            CODE,
            "Publication consent",
            codes=pairs(CONSENT_LABELS),
            source=("attr", "consent"),
        ),
        Column(
            "authority_name",
            TEXT,
            "Authority",
            notes="Only for responses published with the authority's name.",
            source=("attr", "authority_name"),
            free_text=True,
        ),
        Column(
            "lau_code",
            TEXT,
            "LAU code",
            notes="Only for responses published with the authority's name.",
            source=("attr", "lau_code"),
        ),
        Column(
            "nuts_code",
            TEXT,
            "NUTS code",
            notes="Only for responses published with the authority's name.",
            source=("attr", "nuts_code"),
        ),
        Column(
            "country",
            CODE,
            "Country (EU code)",
            notes="Empty when too few responses share it (see the codebook's introduction).",
            source=("attr", "country"),
        ),
        Column(
            "nuts2",
            CODE,
            "NUTS 2 region",
            notes="Empty when too few responses share it.",
            source=("attr", "nuts2"),
        ),
        Column(
            "level",
            CODE,
            "Level of authority",
            codes=pairs(LEVELS),
            notes="Empty when too few responses share it.",
            source=("attr", "level"),
        ),
        Column(
            "size_class",
            CODE,
            "Population size class",
            codes=pairs(SIZE_CLASSES),
            notes="Empty when too few responses share it.",
            source=("attr", "size_class"),
        ),
        Column(
            "urbanisation",
            CODE,
            "Degree of urbanisation",
            codes=pairs(URBANISATIONS),
            notes="Empty when too few responses share it.",
            source=("attr", "urbanisation"),
        ),
    ]


ATTRIBUTE_COLUMNS = tuple(_attribute_columns())


def question_columns(question: Question, language: str, default: str) -> list[Column]:
    """The columns of one question (none for notes)."""
    kind = QuestionType(question.type)
    label = label_text(question.label, language, default)
    options = [o for o in question.options if o.role == OptionRole.OPTION]
    rows = [o for o in question.options if o.role == OptionRole.ROW]
    settings = question.settings or {}
    base = {"question": question.code, "question_type": kind.value}

    def text(o) -> str:
        return label_text(o.label, language, default)

    def other_column() -> list[Column]:
        if not any(o.is_other for o in options):
            return []
        return [
            Column(
                f"{question.code}_other",
                TEXT,
                f"{label} – other, please specify",
                notes="Withheld when the response is not for publication.",
                source=("other", question.id),
                free_text=True,
                **base,
            )
        ]

    def points() -> tuple:
        return tuple(
            (str(p), label_text(point_label(settings, p), language, default))
            for p in scale_points(settings)
        )

    if kind == QuestionType.SINGLE_CHOICE:
        codes = tuple((o.code, text(o)) for o in options)
        value = Column(
            question.code, CODE, label, codes=codes, source=("value", question.id), **base
        )
        return [value, *other_column()]
    if kind == QuestionType.MULTIPLE_CHOICE:
        flags = [
            Column(
                f"{question.code}__{o.code}",
                FLAG,
                f"{label} – {text(o)}",
                codes=(("1", "selected"), ("0", "not selected")),
                source=("flag", question.id, o.id),
                **base,
            )
            for o in options
        ]
        return [*flags, *other_column()]
    if kind == QuestionType.YES_NO:
        codes = (("1", "yes"), ("0", "no"))
        return [
            Column(question.code, FLAG, label, codes=codes, source=("value", question.id), **base)
        ]
    if kind in (QuestionType.SCALE, QuestionType.MATRIX):
        items = [(question.code, label, None)] if kind == QuestionType.SCALE else []
        items += [(f"{question.code}__{r.code}", f"{label} – {text(r)}", r.id) for r in rows]
        columns = []
        for name, item_label, row_id in items:
            columns.append(
                Column(
                    name,
                    INTEGER,
                    item_label,
                    codes=points(),
                    source=("point", question.id, row_id),
                    **base,
                )
            )
            if settings.get("dont_know"):
                columns.append(
                    Column(
                        f"{name}_dk",
                        FLAG,
                        f"{item_label} – don't know",
                        codes=(("1", "don't know"), ("0", "a point was given")),
                        source=("dk", question.id, row_id),
                        **base,
                    )
                )
        return columns
    if kind == QuestionType.RANKING:
        return [
            Column(
                f"{question.code}__{o.code}",
                INTEGER,
                f"{label} – {text(o)}",
                notes="Rank given (1 = first); empty when not ranked.",
                source=("rank", question.id, o.id),
                **base,
            )
            for o in options
        ]
    if kind == QuestionType.NUMBER:
        kind_ = INTEGER if settings.get("integer") else DECIMAL
        return [Column(question.code, kind_, label, source=("value", question.id), **base)]
    if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
        return [
            Column(
                question.code,
                TEXT,
                label,
                notes="Withheld when the response is not for publication.",
                source=("value", question.id),
                free_text=True,
                **base,
            )
        ]
    if kind == QuestionType.DATE:
        return [Column(question.code, DATE, label, source=("value", question.id), **base)]
    return []


def columns_for(questions, language: str, default: str) -> tuple[Column, ...]:
    """Every column of the export, for `questions` in questionnaire order."""
    out = list(ATTRIBUTE_COLUMNS)
    for question in questions:
        out += question_columns(question, language, default)
    return tuple(out)


CODEBOOK_HEADER = (
    "column",
    "question",
    "question_type",
    "value_type",
    "label",
    "code",
    "code_label",
    "notes",
)


def codebook_rows(columns) -> list[tuple[str, ...]]:
    """One row per column, followed by one row per code of that column."""
    rows = []
    for column in columns:
        rows.append(
            (
                column.name,
                column.question,
                column.question_type,
                column.kind,
                column.label,
                "",
                "",
                column.notes,
            )
        )
        for code, code_label in column.codes:
            rows.append((column.name, column.question, "", "", "", code, code_label, ""))
    return rows
