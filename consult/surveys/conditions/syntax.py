"""Tokenizer, recursive-descent parser and renderer for the XLSForm `relevant` subset.

Grammar (whitespace is free between tokens; keywords are lower case, as in XPath)::

    condition  := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := unary ("and" unary)*
    unary      := "not" "(" condition ")" | comparison | "(" condition ")"
                | "selected" "(" ref "," literal ")"
    comparison := value ("=" | "!=" | "<" | "<=" | ">" | ">=") value
    value      := ref | string | number | "-" number
                | "count-selected" "(" ref ")" | "string-length" "(" ref ")"
    ref        := "${" code "}"

A bare value is not a condition (`${q}` alone is always true in XPath, which surprises authors):
write `${q} != ''`. Comparisons do not chain, and there is no arithmetic.

The parser never evaluates anything and refuses input longer than MAX_LENGTH characters or
nested deeper than MAX_DEPTH parentheses, so hostile input costs at most linear time and bounded
recursion. Positions in messages are 1-based character positions in the expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l

MAX_LENGTH = 2000
MAX_DEPTH = 50
MAX_NUMBER_LENGTH = 30

COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
VALUE_NODES = frozenset({"ref", "str", "num", "count_selected", "string_length"})
FUNCTIONS = {"selected": "selected", "count-selected": "count_selected"}
FUNCTIONS["string-length"] = "string_length"


class ConditionSyntaxError(ValueError):
    """The expression cannot be read; `position` is 1-based."""

    def __init__(self, message, position: int):
        super().__init__(str(message))
        self.message = str(message)
        self.position = position


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # ref, str, num, name, op, "(", ")", ",", "-", bad_op, end
    text: str
    pos: int  # 0-based


_CODE_IN_REF = re.compile(r"\$\{([^}]*)\}")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_DIGITS = frozenset("0123456789")
_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")
_UNSUPPORTED_OPERATORS = {"+", "*", "|", "/"}


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an `end` token."""
    if len(text) > MAX_LENGTH:
        raise ConditionSyntaxError(
            _l(
                "The condition is too long (%(length)s characters; at most %(max)s).",
                length=len(text),
                max=MAX_LENGTH,
            ),
            MAX_LENGTH + 1,
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif text.startswith("${", i):
            match = _CODE_IN_REF.match(text, i)
            if match is None:
                raise ConditionSyntaxError(_l("Unclosed ${ at position %(pos)s.", pos=i + 1), i + 1)
            tokens.append(Token("ref", match.group(1), i))
            i = match.end()
        elif ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise ConditionSyntaxError(
                    _l("Unclosed text starting at position %(pos)s.", pos=i + 1), i + 1
                )
            tokens.append(Token("str", text[i + 1 : end], i))
            i = end + 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            match = _NUMBER.match(text, i)
            if len(match.group()) > MAX_NUMBER_LENGTH:
                raise ConditionSyntaxError(
                    _l("The number at position %(pos)s is too long.", pos=i + 1), i + 1
                )
            tokens.append(Token("num", match.group(), i))
            i = match.end()
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _NAME.match(text, i)
            tokens.append(Token("name", match.group(), i))
            i = match.end()
        elif ch in "(),-":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif op := next((o for o in _OPERATORS if text.startswith(o, i)), None):
            tokens.append(Token("op", op, i))
            i += len(op)
        elif ch in _UNSUPPORTED_OPERATORS:
            tokens.append(Token("bad_op", ch, i))
            i += 1
        else:
            shown = ch if ch.isprintable() else repr(ch)
            raise ConditionSyntaxError(
                _l("Unexpected character %(char)s at position %(pos)s.", char=shown, pos=i + 1),
                i + 1,
            )
    tokens.append(Token("end", "", n))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def advance(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def error(self, message, token: Token | None = None) -> ConditionSyntaxError:
        token = token or self.token
        return ConditionSyntaxError(message, token.pos + 1)

    def expect(self, kind: str, what) -> Token:
        if self.token.kind != kind:
            raise self.error(
                _l(
                    "Expected %(what)s at position %(pos)s, found %(found)s.",
                    what=what,
                    pos=self.token.pos + 1,
                    found=_describe(self.token),
                )
            )
        return self.advance()

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                _l(
                    "The condition is nested too deeply at position %(pos)s (at most %(max)s "
                    "levels).",
                    pos=token.pos + 1,
                    max=MAX_DEPTH,
                ),
                token,
            )

    def parse(self) -> dict:
        if self.token.kind == "end":
            raise self.error(_l("The condition is empty."))
        node = self.condition()
        if self.token.kind != "end":
            raise self.unexpected()
        return node

    def unexpected(self) -> ConditionSyntaxError:
        token = self.token
        if token.kind == "bad_op" or token.kind == "-" or token.text in ("div", "mod"):
            return self.error(
                _l(
                    "Arithmetic (%(op)s at position %(pos)s) is not supported in conditions.",
                    op=token.text,
                    pos=token.pos + 1,
                )
            )
        if token.kind == "op":
            return self.error(
                _l(
                    "Comparisons cannot be chained (%(op)s at position %(pos)s): combine them "
                    "with and/or.",
                    op=token.text,
                    pos=token.pos + 1,
                )
            )
        return self.error(
            _l(
                "Unexpected %(found)s at position %(pos)s.",
                found=_describe(token),
                pos=token.pos + 1,
            )
        )

    def condition(self) -> dict:
        return self.chain("or", self.and_expr)

    def and_expr(self) -> dict:
        return self.chain("and", self.unary)

    def chain(self, keyword: str, operand) -> dict:
        args = [operand()]
        while self.token.kind == "name" and self.token.text == keyword:
            self.advance()
            args.append(operand())
        return args[0] if len(args) == 1 else {"type": keyword, "args": args, "pos": args[0]["pos"]}

    def unary(self) -> dict:
        token = self.token
        if token.kind == "name" and token.text == "not":
            self.advance()
            self.expect("(", "(")
            self.enter(token)
            arg = self.condition()
            self.expect(")", ")")
            self.depth -= 1
            return {"type": "not", "arg": arg, "pos": token.pos + 1}
        if token.kind == "name" and token.text == "selected":
            self.advance()
            self.expect("(", "(")
            ref = self.ref()
            self.expect(",", ",")
            option = self.token
            if option.kind not in ("str", "num"):
                raise self.error(
                    _l(
                        "Expected an option code in quotes at position %(pos)s.",
                        pos=option.pos + 1,
                    )
                )
            self.advance()
            self.expect(")", ")")
            return {
                "type": "selected",
                "code": ref["code"],
                "option": option.text,
                "pos": token.pos + 1,
                "code_pos": ref["pos"],
                "option_pos": option.pos + 1,
            }
        if token.kind == "(":
            self.advance()
            self.enter(token)
            node = self.condition()
            self.expect(")", ")")
            self.depth -= 1
            return node
        return self.comparison(self.value())

    def comparison(self, left: dict) -> dict:
        if self.token.kind in ("bad_op", "-") or self.token.text in ("div", "mod"):
            raise self.unexpected()
        if self.token.kind != "op":
            if left["type"] in VALUE_NODES:
                raise ConditionSyntaxError(
                    _l(
                        "A comparison is expected after the value at position %(pos)s, e.g. "
                        "${q} != ''.",
                        pos=left["pos"],
                    ),
                    left["pos"],
                )
            return left
        op = self.advance()
        right = self.value()
        return {"type": "cmp", "op": op.text, "left": left, "right": right, "pos": left["pos"]}

    def value(self) -> dict:
        token = self.token
        if token.kind == "ref":
            return self.ref()
        if token.kind == "str":
            self.advance()
            return {"type": "str", "value": token.text, "pos": token.pos + 1}
        if token.kind == "num" or (token.kind == "-" and self.tokens[self.i + 1].kind == "num"):
            sign = -1 if token.kind == "-" else 1
            if token.kind == "-":
                self.advance()
            text = self.advance().text
            number = float(text) if "." in text else int(text)
            return {"type": "num", "value": sign * number, "pos": token.pos + 1}
        if token.kind == "name" and token.text in ("count-selected", "string-length"):
            self.advance()
            self.expect("(", "(")
            ref = self.ref()
            self.expect(")", ")")
            kind = FUNCTIONS[token.text]
            return {"type": kind, "code": ref["code"], "pos": token.pos + 1, "code_pos": ref["pos"]}
        if token.kind == "name" and self.tokens[self.i + 1].kind == "(":
            raise self.error(
                _l(
                    "The function %(name)s() at position %(pos)s is not supported in conditions.",
                    name=token.text,
                    pos=token.pos + 1,
                )
            )
        if token.kind == "name" and token.text not in ("and", "or"):
            raise self.error(
                _l(
                    "Unexpected word %(word)s at position %(pos)s: refer to questions as "
                    "${code} and put text in quotes.",
                    word=token.text,
                    pos=token.pos + 1,
                )
            )
        if token.kind == "end":
            raise self.error(_l("The condition ends too early: a value is missing."))
        raise self.error(
            _l(
                "Expected a value at position %(pos)s, found %(found)s.",
                pos=token.pos + 1,
                found=_describe(token),
            )
        )

    def ref(self) -> dict:
        token = self.expect("ref", _l("a question reference ${code}"))
        return {"type": "ref", "code": token.text, "pos": token.pos + 1}


def _describe(token: Token) -> str:
    if token.kind == "end":
        return str(_l("the end of the condition"))
    if token.kind == "ref":
        return "${" + token.text + "}"
    if token.kind == "str":
        return repr(token.text)
    return token.text


def parse_with_positions(text: str) -> dict:
    """The AST of `text` with `pos` (and `code_pos`, `option_pos`) keys, for the checker."""
    return _Parser(text).parse()


def strip_positions(node: dict) -> dict:
    """The AST without position keys: the form stored and sent to the browser."""
    out = {k: v for k, v in node.items() if k not in ("pos", "code_pos", "option_pos")}
    if "args" in out:
        out["args"] = [strip_positions(a) for a in out["args"]]
    for key in ("arg", "left", "right"):
        if key in out:
            out[key] = strip_positions(out[key])
    return out


def parse(text: str) -> dict:
    """The JSON-serialisable AST of a condition; raises ConditionSyntaxError."""
    return strip_positions(parse_with_positions(text))


_PRECEDENCE = {"or": 1, "and": 2}


def render(node: dict) -> str:
    """The canonical expression text of an AST (parse(render(ast)) == ast)."""
    kind = node["type"]
    if kind in ("and", "or"):
        parts = []
        for arg in node["args"]:
            text = render(arg)
            if arg["type"] in _PRECEDENCE and _PRECEDENCE[arg["type"]] <= _PRECEDENCE[kind]:
                text = f"({text})"
            parts.append(text)
        return f" {kind} ".join(parts)
    if kind == "not":
        return f"not({render(node['arg'])})"
    if kind == "cmp":
        return f"{render(node['left'])} {node['op']} {render(node['right'])}"
    if kind == "ref":
        return "${" + node["code"] + "}"
    if kind == "str":
        return quote(node["value"])
    if kind == "num":
        return _number(node["value"])
    if kind == "selected":
        return f"selected(${{{node['code']}}}, {quote(node['option'])})"
    if kind == "count_selected":
        return f"count-selected(${{{node['code']}}})"
    if kind == "string_length":
        return f"string-length(${{{node['code']}}})"
    raise ValueError(f"unknown node type {kind!r}")


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text if "." in text else text + ".0"


def quote(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    raise ValueError("XPath text cannot contain both kinds of quote")


def walk(node: dict):
    """Every node of an AST, depth first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.get("args", ()))
        for key in ("arg", "left", "right"):
            if key in current:
                stack.append(current[key])


def references(node: dict) -> set[str]:
    """The question codes an AST refers to."""
    return {n["code"] for n in walk(node) if "code" in n}


def rename(node: dict, old: str, new: str, *, option: tuple[str, str] | None = None) -> dict:
    """A copy of an AST with question `old` renamed `new` (or, with option=(old, new), the
    option code compared with question `old`, in selected() or =/!=, renamed)."""
    out = dict(node)
    if option is None and out.get("code") == old:
        out["code"] = new
    if option is not None:
        if out["type"] == "selected" and out["code"] == old and out["option"] == option[0]:
            out["option"] = option[1]
        if out["type"] == "cmp":
            for a, b in (("left", "right"), ("right", "left")):
                side, other = out[a], out[b]
                if (side["type"], side.get("code")) == ("ref", old) and other == {
                    "type": "str",
                    "value": option[0],
                }:
                    out[b] = {**other, "value": option[1]}
            return out
    if "args" in out:
        out["args"] = [rename(a, old, new, option=option) for a in out["args"]]
    for key in ("arg", "left", "right"):
        if key in out:
            out[key] = rename(out[key], old, new, option=option)
    return out
