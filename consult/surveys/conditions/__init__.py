"""Conditions (`relevant`): the XLSForm expression subset, parsed into a small JSON AST.

The AST is what is stored (`Question.relevant_ast`) and what the browser evaluates; every node
is a JSON object with a `type`:

    {"type": "or",  "args": [node, node, ...]}        two or more conditions, any true
    {"type": "and", "args": [node, node, ...]}        two or more conditions, all true
    {"type": "not", "arg": node}
    {"type": "cmp", "op": "=|!=|<|<=|>|>=", "left": value, "right": value}
    {"type": "selected", "code": "q1", "option": "opt"}   selected(${q1}, 'opt')

where a value is one of

    {"type": "ref", "code": "q1"}                     ${q1}, the answer to question q1
    {"type": "str", "value": "text"}                  'text' or "text"
    {"type": "num", "value": 12}                      12, -3, 4.5 (int or float)
    {"type": "count_selected", "code": "q1"}          count-selected(${q1})
    {"type": "string_length", "code": "q1"}           string-length(${q1})

`render(parse(text))` is the canonical text of a condition and `parse(render(ast)) == ast`.
Evaluation semantics are in `evaluator`'s docstring; the checker in `checker`.
"""

from consult.surveys.conditions.checker import (
    CheckResult,
    ConditionProblem,
    QuestionInfo,
    answer_values,
    check,
)
from consult.surveys.conditions.evaluator import evaluate
from consult.surveys.conditions.syntax import (
    MAX_DEPTH,
    MAX_LENGTH,
    ConditionSyntaxError,
    parse,
    references,
    rename,
    render,
    tokenize,
    walk,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "CheckResult",
    "ConditionProblem",
    "ConditionSyntaxError",
    "QuestionInfo",
    "answer_values",
    "check",
    "evaluate",
    "parse",
    "references",
    "rename",
    "render",
    "tokenize",
    "walk",
]
