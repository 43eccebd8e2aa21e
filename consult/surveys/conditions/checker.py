"""Authoring-time checks of a condition against the questions that come before it."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from consult.surveys.conditions.syntax import (
    ConditionSyntaxError,
    parse_with_positions,
    strip_positions,
    walk,
)

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice", "yes_no", "scale", "ranking"})
MULTI_TYPES = frozenset({"multiple_choice", "ranking"})
NUMERIC_TYPES = frozenset({"number", "scale"})
TEXT_TYPES = frozenset({"short_text", "long_text"})
UNREFERENCEABLE = frozenset({"matrix", "note"})


@dataclass(frozen=True)
class QuestionInfo:
    """What the checker needs to know of a question that a condition may refer to."""

    code: str
    type: str
    options: tuple[str, ...] = ()  # option codes (choices, items to rank)
    dont_know: bool = False  # scale: "dont_know" is a possible answer
    points: tuple[int, ...] = ()  # scale: the possible points


@dataclass(frozen=True)
class ConditionProblem:
    message: str
    position: int | None = None


@dataclass
class CheckResult:
    ast: dict | None
    problems: list[ConditionProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def answer_values(info: QuestionInfo) -> set[str]:
    """The option codes `selected()` and `=` may name for a choice-like question."""
    if info.type == "yes_no":
        return {"yes", "no"}
    if info.type == "scale":
        return {str(p) for p in info.points} | ({"dont_know"} if info.dont_know else set())
    return set(info.options)


def check(
    expression: str,
    *,
    before: Mapping[str, QuestionInfo],
    later: Collection[str] = (),
    self_code: str | None = None,
) -> CheckResult:
    """Parse `expression` and report every problem: syntax (with position), unknown codes,
    references to the question itself or to later questions, and type mismatches."""
    try:
        tree = parse_with_positions(expression)
    except ConditionSyntaxError as error:
        return CheckResult(None, [ConditionProblem(error.message, error.position)])
    problems: list[ConditionProblem] = []
    checker = _Checker(before, set(later), self_code, problems)
    for node in walk(tree):
        if node["type"] == "cmp":
            checker.comparison(node)
        elif node["type"] in ("selected", "count_selected", "string_length"):
            checker.function(node)
    problems.sort(key=lambda p: p.position or 0)
    return CheckResult(strip_positions(tree), problems)


class _Checker:
    def __init__(self, before, later, self_code, problems):
        self.before = before
        self.later = later
        self.self_code = self_code
        self.problems = problems

    def add(self, message, position) -> None:
        self.problems.append(ConditionProblem(str(message), position))

    def resolve(self, code: str, position: int) -> QuestionInfo | None:
        ref = "${" + code + "}"
        if code in self.before:
            return self.before[code]
        if self.self_code is not None and code == self.self_code:
            self.add(
                _l(
                    "The condition refers to its own question %(ref)s at position %(pos)s.",
                    ref=ref,
                    pos=position,
                ),
                position,
            )
        elif code in self.later:
            self.add(
                _l(
                    "%(ref)s at position %(pos)s comes after this question: a condition may "
                    "only refer to earlier questions.",
                    ref=ref,
                    pos=position,
                ),
                position,
            )
        else:
            self.add(
                _l("Unknown question code %(ref)s at position %(pos)s.", ref=ref, pos=position),
                position,
            )
        return None

    def function(self, node: dict) -> None:
        info = self.resolve(node["code"], node["code_pos"])
        if info is None:
            return
        ref, pos, qtype = "${" + info.code + "}", node["pos"], _type_name(info.type)
        if info.type in UNREFERENCEABLE:
            self.unreferenceable(info, node["code_pos"])
        elif node["type"] == "selected":
            if info.type not in CHOICE_TYPES:
                self.add(
                    _l(
                        "selected() at position %(pos)s needs a choice question, but %(ref)s "
                        "is a %(type)s question.",
                        pos=pos,
                        ref=ref,
                        type=qtype,
                    ),
                    pos,
                )
            elif node["option"] not in answer_values(info):
                self.unknown_option(info, node["option"], node["option_pos"])
        elif node["type"] == "count_selected" and info.type not in MULTI_TYPES:
            self.add(
                _l(
                    "count-selected() at position %(pos)s counts the choices of a multiple "
                    "choice or ranking question, but %(ref)s is a %(type)s question.",
                    pos=pos,
                    ref=ref,
                    type=qtype,
                ),
                pos,
            )
        elif node["type"] == "string_length" and info.type not in TEXT_TYPES:
            self.add(
                _l(
                    "string-length() at position %(pos)s needs a text question, but %(ref)s "
                    "is a %(type)s question.",
                    pos=pos,
                    ref=ref,
                    type=qtype,
                ),
                pos,
            )

    def unreferenceable(self, info: QuestionInfo, position: int) -> None:
        self.add(
            _l(
                "%(ref)s at position %(pos)s is a %(type)s question, which conditions cannot use.",
                ref="${" + info.code + "}",
                pos=position,
                type=_type_name(info.type),
            ),
            position,
        )

    def unknown_option(self, info: QuestionInfo, option: str, position: int) -> None:
        known = ", ".join(sorted(answer_values(info))) or "—"
        self.add(
            _l(
                "Option '%(option)s' at position %(pos)s does not exist in %(ref)s (options: "
                "%(known)s).",
                option=option,
                pos=position,
                ref="${" + info.code + "}",
                known=known,
            ),
            position,
        )

    def comparison(self, node: dict) -> None:
        left, right, op = node["left"], node["right"], node["op"]
        if left["type"] in ("str", "num") and right["type"] in ("str", "num"):
            self.add(
                _l(
                    "The comparison at position %(pos)s does not refer to any question.",
                    pos=node["pos"],
                ),
                node["pos"],
            )
            return
        for side, other in ((left, right), (right, left)):
            if side["type"] != "ref":
                continue
            info = self.resolve(side["code"], side["pos"])
            if info is not None:
                self.operand(info, side, other, op)

    def operand(self, info: QuestionInfo, side: dict, other: dict, op: str) -> None:
        ref, pos, qtype = "${" + info.code + "}", side["pos"], _type_name(info.type)
        empty_test = other["type"] == "str" and other["value"] == "" and op in ("=", "!=")
        if info.type in UNREFERENCEABLE:
            self.unreferenceable(info, pos)
            return
        if empty_test:
            return
        literal = other["value"] if other["type"] in ("str", "num") else None
        if info.type in MULTI_TYPES:
            self.add(
                _l(
                    "%(ref)s at position %(pos)s has several answers: use selected(%(ref)s, "
                    "'code') or count-selected(%(ref)s) instead of %(op)s.",
                    ref=ref,
                    pos=pos,
                    op=op,
                ),
                pos,
            )
        elif info.type in ("single_choice", "yes_no"):
            if op not in ("=", "!="):
                self.add(
                    _l(
                        "%(ref)s at position %(pos)s is a %(type)s question: compare it with "
                        "= or !=, not %(op)s.",
                        ref=ref,
                        pos=pos,
                        type=qtype,
                        op=op,
                    ),
                    pos,
                )
            elif literal is not None and str(literal) not in answer_values(info):
                self.unknown_option(info, str(literal), other["pos"])
        elif info.type in NUMERIC_TYPES:
            if other["type"] == "str" and not _is_number(other["value"]):
                if not (info.type == "scale" and info.dont_know and other["value"] == "dont_know"):
                    self.mismatch(ref, pos, qtype, other)
            elif other["type"] == "string_length" or other["type"] == "ref":
                self.compatible_refs(info, other, pos)
        elif info.type == "date":
            if other["type"] == "num" or (
                other["type"] == "str" and not ISO_DATE.match(other["value"])
            ):
                self.add(
                    _l(
                        "%(ref)s at position %(pos)s is a date question: compare it with a date "
                        "written 'YYYY-MM-DD'.",
                        ref=ref,
                        pos=pos,
                    ),
                    pos,
                )
            elif other["type"] == "ref":
                self.compatible_refs(info, other, pos)

    def mismatch(self, ref: str, pos: int, qtype: str, other: dict) -> None:
        self.add(
            _l(
                "%(ref)s at position %(pos)s is a %(type)s question, but it is compared with "
                "the text '%(value)s', which is not a number.",
                ref=ref,
                pos=pos,
                type=qtype,
                value=other["value"],
            ),
            pos,
        )

    def compatible_refs(self, info: QuestionInfo, other: dict, pos: int) -> None:
        other_info = self.before.get(other["code"]) if other["type"] == "ref" else None
        if other_info is None:
            return
        group = {**dict.fromkeys(NUMERIC_TYPES, "n"), "date": "d"}
        if group.get(info.type) != group.get(other_info.type):
            self.add(
                _l(
                    "The comparison at position %(pos)s compares a %(a)s question with a %(b)s "
                    "question.",
                    pos=pos,
                    a=_type_name(info.type),
                    b=_type_name(other_info.type),
                ),
                pos,
            )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() != "" and text.strip().lower() not in ("nan", "inf", "-inf", "infinity")


_TYPE_NAMES = {
    "single_choice": _l("single choice"),
    "multiple_choice": _l("multiple choice"),
    "yes_no": _l("yes/no"),
    "scale": _l("scale"),
    "matrix": _l("matrix"),
    "ranking": _l("ranking"),
    "number": _l("number"),
    "short_text": _l("short text"),
    "long_text": _l("long text"),
    "date": _l("date"),
    "note": _l("note"),
}


def _type_name(qtype: str) -> str:
    return str(_TYPE_NAMES.get(qtype, qtype))
