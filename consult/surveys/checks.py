"""Checks of a whole questionnaire, over its one-document form (see `schemas`).

The same checks serve the authoring services (refusing changes that add a "structure" problem),
`replace_questionnaire` (refusing documents with any) and `validate_questionnaire` (listing every
problem before a consultation opens).
"""

from __future__ import annotations

import re
from collections import Counter

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from consult.surveys import conditions
from consult.surveys.errors import Problem
from consult.surveys.settings import count_problems, scale_points, settings_problems
from consult.surveys.texts import missing_texts

CODE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
# Option codes may start with a digit (XLSForm choice names are often 1, 2, 99…).
OPTION_CODE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")

OPTION_TYPES = frozenset({"single_choice", "multiple_choice", "ranking"})
OTHER_TYPES = frozenset({"single_choice", "multiple_choice"})
MIN_OPTIONS = {"single_choice": 2, "multiple_choice": 1, "ranking": 2}


def question_info(question: dict) -> conditions.QuestionInfo:
    """What conditions may know of a question of the document."""
    settings = question.get("settings") or {}
    scale = question["type"] == "scale"
    return conditions.QuestionInfo(
        code=question["code"],
        type=question["type"],
        options=tuple(o["code"] for o in question.get("options", [])),
        dont_know=bool(scale and settings.get("dont_know")),
        points=tuple(scale_points(settings)) if scale else (),
    )


def questions_in_order(document: dict) -> list[tuple[int, dict]]:
    """(section number, question) in questionnaire order."""
    return [
        (number, question)
        for number, section in enumerate(document.get("sections", []), start=1)
        for question in section.get("questions", [])
    ]


def check_relevant(document: dict, code: str, expression: str) -> conditions.CheckResult:
    """Check one condition of question `code` against the questions before it."""
    ordered = [q for _, q in questions_in_order(document)]
    index = next((i for i, q in enumerate(ordered) if q["code"] == code), len(ordered))
    before = {q["code"]: question_info(q) for q in ordered[:index]}
    later = {q["code"] for q in ordered[index + 1 :]}
    return conditions.check(expression, before=before, later=later, self_code=code)


def structure_problems(document: dict) -> list[Problem]:
    """Problems that make a questionnaire impossible to save: codes, options, settings,
    conditions."""
    problems: list[Problem] = []
    ordered = questions_in_order(document)
    counts = Counter(q["code"] for _, q in ordered)
    before: dict[str, conditions.QuestionInfo] = {}
    all_codes = set(counts)
    seen: set[str] = set()
    for number, question in ordered:
        code, qtype = question["code"], question["type"]

        def add(message, *, field=None, option=None, _n=number, _code=code):
            problems.append(
                Problem(str(message), section=_n, question=_code, field=field, option=option)
            )

        if not CODE_RE.match(code or ""):
            add(_code_message(code), field="code")
        if counts[code] > 1 and code not in seen:
            add(
                _l("The code %(code)s is used by %(n)s questions.", code=code, n=counts[code]),
                field="code",
            )
        seen.add(code)
        for key, message in settings_problems(qtype, question.get("settings")):
            add(message, field=f"settings.{key}")
        if qtype == "note" and question.get("required"):
            add(_l("A note is not answered, so it cannot be required."), field="required")
        _option_problems(question, add)
        relevant = question.get("relevant")
        if relevant:
            later = all_codes - set(before) - {code}
            result = conditions.check(relevant, before=before, later=later, self_code=code)
            for problem in result.problems:
                add(problem.message, field="relevant")
        before.setdefault(code, question_info(question))
    return problems


def _code_message(code) -> str:
    return str(
        _l(
            "%(code)s is not a valid code: use letters, digits and _, start with a letter or _, "
            "at most 64 characters.",
            code=repr(code),
        )
    )


def _option_problems(question: dict, add) -> None:
    qtype = question["type"]
    options, rows = question.get("options", []), question.get("rows", [])
    if options and qtype not in OPTION_TYPES:
        add(_l("A %(type)s question has no options.", type=qtype), field="options")
    if rows and qtype != "matrix":
        add(_l("Only a matrix question has rows."), field="rows")
    for kind, items in (("options", options), ("rows", rows)):
        codes = Counter(item["code"] for item in items)
        for item in items:
            if not OPTION_CODE_RE.match(item["code"] or ""):
                add(
                    _l(
                        "%(code)s is not a valid option code: use letters, digits, _, . and -, "
                        "at most 64 characters.",
                        code=repr(item["code"]),
                    ),
                    field=kind,
                    option=item["code"],
                )
        for item_code, n in codes.items():
            if n > 1:
                add(
                    _l("The code %(code)s is used %(n)s times.", code=item_code, n=n),
                    field=kind,
                    option=item_code,
                )
    others = [o for o in options if o.get("is_other")]
    if others and qtype not in OTHER_TYPES:
        add(
            _l('Only choice questions can have an "other, please specify" option.'),
            field="options",
            option=others[0]["code"],
        )
    elif len(others) > 1:
        add(
            _l('Only one option can be "other, please specify".'),
            field="options",
            option=others[1]["code"],
        )


def completeness_problems(
    document: dict,
    *,
    languages: list[str],
    default_language: str,
    accepted_fallbacks: list[str] = (),
    consultation: dict | None = None,
) -> list[Problem]:
    """Problems that do not prevent saving a draft but prevent opening it."""
    problems: list[Problem] = []
    ordered = questions_in_order(document)
    if not any(q["type"] != "note" for _, q in ordered):
        problems.append(Problem(str(_l("The questionnaire has no questions.")), "completeness"))
    for number, section in enumerate(document.get("sections", []), start=1):
        if not section.get("questions"):
            problems.append(
                Problem(str(_l("This section has no questions.")), "completeness", section=number)
            )
    for number, question in ordered:
        qtype, code = question["type"], question["code"]
        n_options = len(question.get("options", []))
        if qtype in MIN_OPTIONS and n_options < MIN_OPTIONS[qtype]:
            problems.append(
                Problem(
                    str(
                        lazy_ngettext(
                            "A %(type)s question needs at least %(num)d option.",
                            "A %(type)s question needs at least %(num)d options.",
                            MIN_OPTIONS[qtype],
                            type=qtype,
                        )
                    ),
                    "completeness",
                    section=number,
                    question=code,
                    field="options",
                )
            )
        if qtype == "matrix" and not question.get("rows"):
            problems.append(
                Problem(
                    str(_l("A matrix question needs at least one row.")),
                    "completeness",
                    section=number,
                    question=code,
                    field="rows",
                )
            )
        for key, message in count_problems(qtype, question.get("settings") or {}, n_options):
            problems.append(Problem(message, "completeness", number, code, field=f"settings.{key}"))
    for key, language in missing_texts(
        document,
        languages=languages,
        default_language=default_language,
        consultation=consultation,
    ):
        if language != default_language and language in accepted_fallbacks:
            continue
        problems.append(
            Problem(
                str(_l("The text is missing in %(language)s.", language=language)),
                "completeness",
                section=key.section,
                question=key.question,
                option=key.option,
                field=key.field if key.kind != "consultation" else f"consultation {key.field}",
                language=language,
            )
        )
    return problems
