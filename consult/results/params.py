"""The breakdown and filters of a results page, read from its query string (a GET form).

`parse_view(args, questions)` checks every parameter and returns the `ResultSpec` with the
problems found, each tied to the form field it came from, so the page can say what is wrong.
The same parameters travel to the per-question pages and the chart downloads (`view_args`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.accounts.models import AuthorityLevel, SizeClass, Urbanisation
from consult.analysis.spec import AnswerFilter, Dimension, Filters, ResultSpec
from consult.surveys.models import OptionRole, Question, QuestionType

BREAKDOWNS = {
    Dimension.COUNTRY: _l("Country"),
    Dimension.NUTS1: _l("NUTS 1 region"),
    Dimension.NUTS2: _l("NUTS 2 region"),
    Dimension.LEVEL: _l("Level of authority"),
    Dimension.SIZE_CLASS: _l("Size class (population)"),
    Dimension.URBANISATION: _l("Degree of urbanisation"),
    Dimension.ASSOCIATION: _l("Association"),
}
FILTERABLE = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.YES_NO)
MAX_VALUES = 200  # per parameter: a query string cannot ask for more


@dataclass(frozen=True)
class AttributeFilter:
    """A query-string parameter filtering on an authority attribute."""

    param: str  # also the `Filters` field it fills
    label: object
    pattern: re.Pattern | None = None
    allowed: tuple[str, ...] = ()


ATTRIBUTE_FILTERS = (
    AttributeFilter("countries", _l("Country"), re.compile(r"^[A-Z]{2}$")),
    AttributeFilter("nuts1", _l("NUTS 1 region"), re.compile(r"^[A-Z]{2}[0-9A-Z]$")),
    AttributeFilter("nuts2", _l("NUTS 2 region"), re.compile(r"^[A-Z]{2}[0-9A-Z]{2}$")),
    AttributeFilter("levels", _l("Level of authority"), allowed=tuple(AuthorityLevel)),
    AttributeFilter("size_classes", _l("Size class"), allowed=tuple(SizeClass)),
    AttributeFilter("urbanisations", _l("Degree of urbanisation"), allowed=tuple(Urbanisation)),
    AttributeFilter("associations", _l("Association"), re.compile(r"^[1-9][0-9]{0,9}$")),
)


@dataclass
class View:
    """What a results page shows: the spec, and the problems found in its parameters."""

    spec: ResultSpec = field(default_factory=ResultSpec)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)
    unsuppressed: bool = False  # asked for; the view grants it only with the permission

    @property
    def valid(self) -> bool:
        return not self.errors


def filterable_questions(questions) -> list[Question]:
    """The questions whose answers can filter a view: single and multiple choice, yes/no."""
    return [q for q in questions if q.type in FILTERABLE]


def answer_choices(question: Question) -> list[tuple[str, dict | None]]:
    """(value, label) of each answer a filter can ask for (None label: yes/no, translated)."""
    if question.type == QuestionType.YES_NO:
        return [("yes", None), ("no", None)]
    return [(o.code, o.label) for o in question.options if o.role == OptionRole.OPTION]


def parse_view(args, questions, association_ids=None) -> View:
    """Read `by`, the attribute filters, `answer=CODE:VALUE` and `unsuppressed` from `args`
    (a MultiDict). `questions` are the consultation's; `association_ids` the associations that
    may be named (None: any number)."""
    view = View(unsuppressed=args.get("unsuppressed") == "1")
    breakdown = None
    by = args.get("by", "").strip()
    if by:
        try:
            breakdown = Dimension(by)
        except ValueError:
            view.errors.append(("by", _l("There is no breakdown “%(by)s”.", by=by[:40])))
    values = {}
    for attr in ATTRIBUTE_FILTERS:
        given = [v.strip() for v in args.getlist(attr.param) if v.strip()]
        if len(given) > MAX_VALUES:
            view.errors.append((f"filter-{attr.param}", _l("Too many values in one filter.")))
            continue
        bad = [
            v
            for v in given
            if (attr.pattern and not attr.pattern.match(v))
            or (attr.allowed and v not in attr.allowed)
        ]
        if attr.param == "associations" and association_ids is not None:
            bad += [v for v in given if v not in bad and int(v) not in association_ids]
        if bad:
            view.errors.append(
                (
                    f"filter-{attr.param}",
                    _l(
                        "%(filter)s: “%(value)s” is not one of the values offered.",
                        filter=attr.label,
                        value=bad[0][:40],
                    ),
                )
            )
            continue
        values[attr.param] = tuple(int(v) for v in given) if attr.param == "associations" else given
    answers = _answer_filters(args.getlist("answer"), questions, view)
    if view.errors:
        return view
    view.spec = ResultSpec(breakdown, Filters(**values, answers=answers))
    return view


def _answer_filters(given, questions, view: View) -> tuple[AnswerFilter, ...]:
    by_code = {q.code: q for q in filterable_questions(questions)}
    chosen: dict[str, list[str]] = {}
    for raw in given[:MAX_VALUES]:
        code, _, value = raw.partition(":")
        question = by_code.get(code)
        if question is None:
            view.errors.append(
                (
                    "filter-answers",
                    _l(
                        "Answers can filter the results only by a choice or yes/no question; "
                        "there is no such question “%(code)s”.",
                        code=code[:40],
                    ),
                )
            )
            continue
        if value not in {v for v, _ in answer_choices(question)}:
            view.errors.append(
                (
                    "filter-answers",
                    _l(
                        "Question %(code)s has no answer “%(value)s”.",
                        code=code,
                        value=value[:40],
                    ),
                )
            )
            continue
        chosen.setdefault(code, []).append(value)
    return tuple(AnswerFilter(code, tuple(values)) for code, values in chosen.items())


def view_args(spec: ResultSpec, *, unsuppressed: bool = False) -> dict:
    """The query-string parameters of `spec` (lists for repeated ones), for links."""
    args: dict = {}
    if spec.breakdown is not None:
        args["by"] = spec.breakdown.value
    for attr in ATTRIBUTE_FILTERS:
        chosen = getattr(spec.filters, attr.param)
        if chosen:
            args[attr.param] = [str(v) for v in chosen]
    if spec.filters.answers:
        args["answer"] = [f"{f.question}:{v}" for f in spec.filters.answers for v in f.values]
    if unsuppressed:
        args["unsuppressed"] = "1"
    return args
