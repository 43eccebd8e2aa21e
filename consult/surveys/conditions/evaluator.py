"""Evaluate a condition's AST over a response's answers (the server's authoritative copy; the
browser runs the same rules in JavaScript).

Semantics, following XLSForm where it is sensible and stated here exactly:

- A missing answer (absent, None, "", empty list) is the empty string.
- `=` is true when both sides are equal; an empty answer equals only ''.
- `!=` is false whenever a side is an empty *answer* (so `${q} != 'yes'` is false until `q` is
  answered); otherwise true when the sides differ. `${q} != ''` therefore means "answered".
- `<`, `<=`, `>`, `>=` are false when either side is empty.
- When either side is a number (a number literal, a number or scale answer, count-selected(),
  string-length()) both sides are compared as numbers; a side that is not a number makes `=`
  false and `!=` true (and orderings false). Otherwise both sides are compared as text, except
  orderings of two texts, which compare ISO dates ('YYYY-MM-DD') as dates, numbers as numbers,
  and are false otherwise.
- A multiple choice or ranking answer (a list) compares as its codes joined by spaces, as in
  XForms; `selected(${q}, 'x')` is true when 'x' is among them (or is the single answer, for a
  single choice, yes/no or scale answer); `count-selected()` counts them.
- `string-length()` is the number of characters of a text answer (0 when missing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAX_EVAL_DEPTH = 200
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def evaluate(node: dict, answers: Mapping[str, Any]) -> bool:
    """Whether the condition holds for `answers` ({question_code: value})."""
    return _bool(node, answers, 0)


def _bool(node: dict, answers: Mapping[str, Any], depth: int) -> bool:
    if depth > MAX_EVAL_DEPTH:
        raise ValueError("condition nested too deeply")
    kind = node["type"]
    if kind == "and":
        return all(_bool(a, answers, depth + 1) for a in node["args"])
    if kind == "or":
        return any(_bool(a, answers, depth + 1) for a in node["args"])
    if kind == "not":
        return not _bool(node["arg"], answers, depth + 1)
    if kind == "selected":
        return node["option"] in _selection(answers.get(node["code"]))
    if kind == "cmp":
        return _compare(node["op"], _value(node["left"], answers), _value(node["right"], answers))
    raise ValueError(f"not a condition node: {kind!r}")


class _Empty:
    """An empty answer."""


EMPTY = _Empty()


def _selection(answer: Any) -> list[str]:
    if answer is None or isinstance(answer, dict | bool):
        return []
    if isinstance(answer, list | tuple):
        return [str(a) for a in answer if a is not None]
    text = str(answer)
    return [text] if text != "" else []


def _value(node: dict, answers: Mapping[str, Any]) -> Any:
    kind = node["type"]
    if kind in ("str", "num"):
        return node["value"]
    if kind == "count_selected":
        return len(_selection(answers.get(node["code"])))
    if kind == "string_length":
        answer = answers.get(node["code"])
        return len(answer) if isinstance(answer, str) else 0
    if kind == "ref":
        answer = answers.get(node["code"])
        if answer is None or answer == "" or isinstance(answer, dict | bool):
            return EMPTY
        if isinstance(answer, list | tuple):
            return " ".join(str(a) for a in answer) if answer else EMPTY
        if isinstance(answer, int | float):
            return answer
        return str(answer)
    raise ValueError(f"not a value node: {kind!r}")


def _number(value: Any) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    try:
        number = float(value.strip()) if len(value) < 100 else None
    except ValueError:
        return None
    return number if number is not None and number == number else None


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is EMPTY or right is EMPTY:
        if op == "=":
            return left in (EMPTY, "") and right in (EMPTY, "")
        return False
    if isinstance(left, int | float) or isinstance(right, int | float):
        a, b = _number(left), _number(right)
        if a is None or b is None:
            return op == "!="
    elif op in ("=", "!=") or (_ISO_DATE.match(left) and _ISO_DATE.match(right)):
        a, b = left, right
    else:
        a, b = _number(left), _number(right)
        if a is None or b is None:
            return False
    return {
        "=": a == b,
        "!=": a != b,
        "<": a < b,
        "<=": a <= b,
        ">": a > b,
        ">=": a >= b,
    }[op]
