"""Conditions: tokenizer, parser, renderer, checker, evaluator and hostile input (no app)."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.surveys.conditions import (
    MAX_DEPTH,
    MAX_LENGTH,
    ConditionSyntaxError,
    QuestionInfo,
    check,
    evaluate,
    parse,
    references,
    rename,
    render,
    tokenize,
)

# --- tokenizer


def test_tokenizer_kinds_and_positions():
    tokens = tokenize("${a}>=1 and selected(${b}, 'x y')")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("ref", "a", 0),
        ("op", ">=", 4),
        ("num", "1", 6),
        ("name", "and", 8),
        ("name", "selected", 12),
        ("(", "(", 20),
        ("ref", "b", 21),
        (",", ",", 25),
        ("str", "x y", 27),
        (")", ")", 32),
        ("end", "", 33),
    ]


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("${a = 1", 1, "Unclosed ${"),
        ("${a} = 'yes", 8, "Unclosed text"),
        ("${a} # 1", 6, "Unexpected character #"),
    ],
)
def test_tokenizer_errors_name_the_position(text, position, fragment):
    with pytest.raises(ConditionSyntaxError) as error:
        tokenize(text)
    assert error.value.position == position
    assert fragment in error.value.message


# --- parser


def test_parse_shapes():
    assert parse("${a} = 'x'") == {
        "type": "cmp",
        "op": "=",
        "left": {"type": "ref", "code": "a"},
        "right": {"type": "str", "value": "x"},
    }
    assert parse('selected(${q}, "o1")') == {"type": "selected", "code": "q", "option": "o1"}
    assert parse("count-selected(${q}) > 2")["left"] == {"type": "count_selected", "code": "q"}
    assert parse("string-length(${q}) <= 10")["left"] == {"type": "string_length", "code": "q"}
    assert parse("${n} > -1.5")["right"] == {"type": "num", "value": -1.5}
    assert parse("not(${a} = 1)") == {"type": "not", "arg": parse("${a} = 1")}


def test_and_binds_tighter_than_or_and_chains_are_flat():
    tree = parse("${a} = 1 or ${b} = 2 and ${c} = 3 or ${d} = 4")
    assert tree["type"] == "or"
    assert [n["type"] for n in tree["args"]] == ["cmp", "and", "cmp"]
    assert len(parse("${a}=1 and ${b}=2 and ${c}=3")["args"]) == 3


def test_parentheses_keep_their_grouping():
    tree = parse("(${a} = 1 or ${b} = 2) and ${c} = 3")
    assert tree["type"] == "and" and tree["args"][0]["type"] == "or"
    assert render(tree) == "(${a} = 1 or ${b} = 2) and ${c} = 3"


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("", 1, "empty"),
        ("${a}", 1, "A comparison is expected"),
        ("${a} = ", 8, "ends too early"),
        ("${a} = 1 = 2", 10, "cannot be chained"),
        ("${a} + 1 = 2", 6, "Arithmetic"),
        ("today() > '2020-01-01'", 1, "today() at position 1 is not supported"),
        ("${a} = yes", 8, "Unexpected word yes"),
        ("selected(${a})", 14, "Expected ,"),
        ("selected(${a}, ${b})", 16, "option code"),
        ("(${a} = 1", 10, "Expected )"),
        ("${a} = 1)", 9, "Unexpected )"),
        ("not ${a} = 1", 5, "Expected ("),
    ],
)
def test_syntax_errors_point_at_the_problem(text, position, fragment):
    with pytest.raises(ConditionSyntaxError) as error:
        parse(text)
    assert error.value.position == position, error.value.message
    assert fragment in error.value.message


def test_ast_is_json():
    tree = parse("not(${a} = 'x' or count-selected(${b}) >= 2) and selected(${c}, '1')")
    assert json.loads(json.dumps(tree)) == tree


def test_rename_and_references():
    tree = parse("${a} = 1 and selected(${b}, 'x') and not(${a} = ${b})")
    assert references(tree) == {"a", "b"}
    assert render(rename(tree, "a", "z")) == "${z} = 1 and selected(${b}, 'x') and not(${z} = ${b})"
    renamed = rename(tree, "b", "", option=("x", "y"))
    assert render(renamed) == "${a} = 1 and selected(${b}, 'y') and not(${a} = ${b})"


# --- round trip: parse(render(ast)) == ast

codes = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
texts = st.text(st.characters(blacklist_characters="'\"", blacklist_categories=("Cs",)), max_size=8)
numbers = st.integers(-(10**9), 10**9) | st.floats(-1e6, 1e6, allow_nan=False).filter(
    lambda f: "e" not in repr(f)
)
values = st.one_of(
    st.builds(lambda c: {"type": "ref", "code": c}, codes),
    st.builds(lambda s: {"type": "str", "value": s}, texts),
    st.builds(lambda n: {"type": "num", "value": n}, numbers),
    st.builds(lambda c: {"type": "count_selected", "code": c}, codes),
    st.builds(lambda c: {"type": "string_length", "code": c}, codes),
)
leaves = st.one_of(
    st.builds(
        lambda op, left, right: {"type": "cmp", "op": op, "left": left, "right": right},
        st.sampled_from(["=", "!=", "<", "<=", ">", ">="]),
        values,
        values,
    ),
    st.builds(lambda c, o: {"type": "selected", "code": c, "option": o}, codes, texts),
)
conditions = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda a: {"type": "not", "arg": a}, children),
        st.builds(
            lambda k, args: {"type": k, "args": args},
            st.sampled_from(["and", "or"]),
            st.lists(children, min_size=2, max_size=4),
        ),
    ),
    max_leaves=12,
)


@given(conditions)
@settings(max_examples=300, deadline=None)
def test_parse_of_render_is_identity(tree):
    text = render(tree)
    if len(text) <= MAX_LENGTH:
        assert parse(text) == tree


@given(st.text(max_size=200))
@settings(max_examples=500, deadline=None)
def test_arbitrary_text_parses_or_fails_cleanly(text):
    try:
        tree = parse(text)
    except ConditionSyntaxError as error:
        assert 1 <= error.position <= max(len(text), MAX_LENGTH) + 1
    else:
        assert parse(render(tree)) == tree


@given(st.text(alphabet="${}()'\" =!<>andorsetlc-,0123456789", max_size=120))
@settings(max_examples=500, deadline=None)
def test_grammar_soup_parses_or_fails_cleanly(text):
    with contextlib.suppress(ConditionSyntaxError):
        parse(text)


# --- hostile input


def test_too_long_is_refused_before_any_work():
    huge = "${a} = '" + "x" * 10_000_000 + "'"
    started = time.perf_counter()
    with pytest.raises(ConditionSyntaxError, match="too long") as error:
        parse(huge)
    assert time.perf_counter() - started < 0.5
    assert error.value.position == MAX_LENGTH + 1


def test_nesting_is_limited():
    ok = "(" * MAX_DEPTH + "${a} = 1" + ")" * MAX_DEPTH
    assert parse(ok)["type"] == "cmp"
    deep = "(" * (MAX_DEPTH + 1) + "${a} = 1" + ")" * (MAX_DEPTH + 1)
    with pytest.raises(ConditionSyntaxError, match="nested too deeply"):
        parse(deep)
    nots = "not(" * 400 + "${a} = 1" + ")" * 400
    with pytest.raises(ConditionSyntaxError, match="nested too deeply"):
        parse(nots[:MAX_LENGTH])


def test_long_flat_chains_do_not_recurse():
    text = " or ".join(["${a}=1"] * 200)
    tree = parse(text)
    assert tree["type"] == "or" and len(tree["args"]) == 200
    assert evaluate(tree, {"a": 1}) is True


def test_long_number_is_refused():
    with pytest.raises(ConditionSyntaxError, match="number"):
        parse("${a} = " + "9" * 100)


def test_control_characters_are_refused_with_position():
    with pytest.raises(ConditionSyntaxError) as error:
        parse("${a} = 1 \x00")
    assert error.value.position == 10


# --- checker

BEFORE = {
    "housing": QuestionInfo("housing", "single_choice", ("own", "rent", "other")),
    "services": QuestionInfo("services", "multiple_choice", ("health", "school")),
    "agree": QuestionInfo("agree", "yes_no"),
    "satisfaction": QuestionInfo("satisfaction", "scale", points=(1, 2, 3, 4, 5), dont_know=True),
    "grid": QuestionInfo("grid", "matrix"),
    "priorities": QuestionInfo("priorities", "ranking", ("a", "b")),
    "staff": QuestionInfo("staff", "number"),
    "name": QuestionInfo("name", "short_text"),
    "since": QuestionInfo("since", "date"),
    "intro": QuestionInfo("intro", "note"),
}


def messages(expression, **kwargs):
    kwargs.setdefault("before", BEFORE)
    return [p.message for p in check(expression, **kwargs).problems]


@pytest.mark.parametrize(
    "expression",
    [
        "${housing} = 'rent'",
        "${housing} != ''",
        "selected(${housing}, 'own') or selected(${services}, 'health')",
        "count-selected(${services}) >= 2",
        "count-selected(${priorities}) = 2 and selected(${priorities}, 'a')",
        "${agree} = 'yes'",
        "selected(${agree}, 'no')",
        "${satisfaction} >= 4 or ${satisfaction} = 'dont_know'",
        "selected(${satisfaction}, '5')",
        "${staff} > 10 and ${staff} <= '100'",
        "string-length(${name}) > 3",
        "${name} = 'Lyon'",
        "${since} >= '2020-01-01'",
        "not(${staff} = ${satisfaction})",
    ],
)
def test_valid_conditions_have_no_problems(expression):
    result = check(expression, before=BEFORE)
    assert result.problems == []
    assert result.ast == parse(expression)


def test_unknown_code_message():
    assert messages("${houzing} = 'own'") == ["Unknown question code ${houzing} at position 1."]
    assert messages("${staff} > 1 and ${houzing} = 'x'") == [
        "Unknown question code ${houzing} at position 18."
    ]


def test_self_and_forward_references():
    assert messages("${q9} = 1", self_code="q9") == [
        "The condition refers to its own question ${q9} at position 1."
    ]
    assert "comes after this question" in messages("${q10} = 1", later={"q10"})[0]


@pytest.mark.parametrize(
    ("expression", "fragment"),
    [
        ("selected(${staff}, '1')", "selected() at position 1 needs a choice question"),
        ("selected(${housing}, 'flat')", "Option 'flat' at position 22 does not exist"),
        ("${housing} = 'flat'", "Option 'flat' at position 14 does not exist"),
        ("${housing} > 'own'", "compare it with = or !="),
        ("count-selected(${housing}) > 1", "count-selected() at position 1 counts the choices"),
        ("string-length(${staff}) > 1", "needs a text question"),
        ("${staff} = 'many'", "which is not a number"),
        ("${satisfaction} = 'dont know'", "which is not a number"),
        ("${services} = 'health'", "has several answers"),
        ("${agree} = 'maybe'", "Option 'maybe'"),
        ("${since} > 2020", "date question"),
        ("${since} > 'last year'", "date question"),
        ("${grid} = 1", "conditions cannot use"),
        ("${intro} != ''", "conditions cannot use"),
        ("'a' = 'a'", "does not refer to any question"),
        ("${since} = ${staff}", "compares a date question with a number question"),
    ],
)
def test_type_mismatches(expression, fragment):
    found = messages(expression)
    assert any(fragment in m for m in found), found


def test_syntax_problem_is_reported_by_check():
    result = check("${a} = ", before={})
    assert result.ast is None
    assert result.problems[0].position == 8


def test_answered_test_is_allowed_on_every_answerable_type():
    for code in ("services", "priorities", "staff", "since", "agree"):
        assert messages(f"${{{code}}} != ''") == []


# --- evaluator


@pytest.mark.parametrize(
    ("expression", "answers", "expected"),
    [
        ("${a} = 'x'", {"a": "x"}, True),
        ("${a} = 'x'", {}, False),
        ("${a} = ''", {}, True),
        ("${a} = ''", {"a": None}, True),
        ("${a} != ''", {}, False),
        ("${a} != ''", {"a": "x"}, True),
        ("${a} != 'x'", {}, False),
        ("${a} != 'x'", {"a": "y"}, True),
        ("${n} > 3", {}, False),
        ("${n} < 3", {}, False),
        ("${n} != 3", {}, False),
        ("${n} > 3", {"n": 4}, True),
        ("${n} > '3'", {"n": 4}, True),
        ("${n} = 4", {"n": 4.0}, True),
        ("${s} >= 4", {"s": "dont_know"}, False),
        ("${s} = 'dont_know'", {"s": "dont_know"}, True),
        ("${s} = '3'", {"s": 3}, True),
        ("${s} != 3", {"s": "dont_know"}, True),
        ("selected(${m}, 'a')", {"m": ["a", "b"]}, True),
        ("selected(${m}, 'c')", {"m": ["a", "b"]}, False),
        ("selected(${m}, 'a')", {}, False),
        ("selected(${c}, 'a')", {"c": "a"}, True),
        ("selected(${s}, '4')", {"s": 4}, True),
        ("count-selected(${m}) = 2", {"m": ["a", "b"]}, True),
        ("count-selected(${m}) = 0", {}, True),
        ("count-selected(${c}) = 1", {"c": "a"}, True),
        ("${m} = 'a b'", {"m": ["a", "b"]}, True),
        ("${m} = ''", {"m": []}, True),
        ("string-length(${t}) > 3", {"t": "abcd"}, True),
        ("string-length(${t}) = 0", {}, True),
        ("${d} >= '2020-01-01'", {"d": "2021-05-01"}, True),
        ("${d} < '2020-01-01'", {"d": "2021-05-01"}, False),
        ("${t} < 'b'", {"t": "a"}, False),
        ("${t} < '10'", {"t": "9"}, True),
        ("not(${a} = 'x')", {}, True),
        ("${a} = 'x' or ${b} = 'y'", {"b": "y"}, True),
        ("${a} = 'x' and ${b} = 'y'", {"b": "y"}, False),
        ("${g} = ''", {"g": {"row": 1}}, True),
        ("${n} = 'abc'", {"n": 5}, False),
        ("${n} != 'abc'", {"n": 5}, True),
    ],
)
def test_evaluate(expression, answers, expected):
    assert evaluate(parse(expression), answers) is expected


def test_evaluate_huge_answers():
    tree = parse("string-length(${t}) > 1000000 and ${t} != ''")
    assert evaluate(tree, {"t": "x" * 2_000_000}) is True
    assert evaluate(parse("${t} > 1"), {"t": "9" * 10_000}) is False


def test_evaluate_refuses_forged_deep_ast():
    node = parse("${a} = 1")
    for _ in range(500):
        node = {"type": "not", "arg": node}
    with pytest.raises(ValueError, match="too deeply"):
        evaluate(node, {})


@given(conditions, st.dictionaries(codes, st.one_of(st.none(), texts, numbers, st.lists(texts))))
@settings(max_examples=300, deadline=None)
def test_evaluate_never_crashes(tree, answers):
    assert evaluate(tree, answers) in (True, False)
