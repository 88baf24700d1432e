"""A parser for CloudWatch metric-math expressions and composite-alarm rules.

The strict validator parses every generated expression to find the functions and ids it names
(so the grammar accepts any function call), and reads which alarms each composite AlarmRule names;
deploy orders composites by the alarms their rules name. Nothing here evaluates: what CloudWatch
would compute from these expressions is the tests' oracle (tests/support/cloudwatch_eval.py).

The grammar follows the CloudWatch metric-math documentation: numbers, 'strings', ids, function
calls, arrays `[a, b]`, unary - + NOT/!, and the binary operators loosest first: OR/||, AND/&&,
comparisons, + -, * /, ^ (right-associative).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class MathError(ValueError):
    """An expression that does not parse or cannot be evaluated."""


# ---- syntax ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: float | str  # a number, or the text of a 'string'


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Array:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Operation:
    op: str
    operands: tuple[Node, ...]  # one for - + NOT, two for the binary operators


Node = Literal | Ref | Call | Array | Operation

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)"
    r"|(?P<str>'[^']*'|\"[^\"]*\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|[-+*/^<>(),\[\]!]))"
)
_WORD_OPS = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_SYMBOL_OPS = {"&&": "AND", "||": "OR", "!": "NOT"}
# Binding power of binary operators, loosest first (CloudWatch: logical < comparison < + - < * / < ^).
_BINARY = {
    "OR": 1,
    "AND": 2,
    "==": 3,
    "!=": 3,
    "<": 3,
    "<=": 3,
    ">": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "^": 7,
}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise MathError(f"unexpected character {text[pos:].strip()[:1]!r} at position {pos + 1}")
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "name" and value.upper() in _WORD_OPS:
            kind, value = "op", _WORD_OPS[value.upper()]
        elif kind == "op" and value in _SYMBOL_OPS:
            value = _SYMBOL_OPS[value]
        out.append((kind, value))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise MathError(f"expression ends early{f', expected {value!r}' if value else ''}")
        if value is not None and tok[1] != value:
            raise MathError(f"expected {value!r}, got {tok[1]!r}")
        self.i += 1
        return tok

    def expression(self, min_power: int = 0) -> Node:
        left = self.prefix()
        while (tok := self.peek()) is not None and tok[0] == "op" and tok[1] in _BINARY:
            power = _BINARY[tok[1]]
            if power <= min_power:
                break
            self.take()
            # ^ is right-associative; everything else binds left.
            right = self.expression(power - 1 if tok[1] == "^" else power)
            left = Operation(tok[1], (left, right))
        return left

    def prefix(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Literal(float(value))
        if kind == "str":
            return Literal(value[1:-1])
        if kind == "name":
            if (tok := self.peek()) is not None and tok[1] == "(":
                self.take("(")
                return Call(value.upper(), self.items(")"))
            return Ref(value)
        if value == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if value == "[":
            return Array(self.items("]"))
        if value in ("-", "+"):
            return Operation(value, (self.expression(6),))
        if value == "NOT":
            return Operation("NOT", (self.expression(2),))
        raise MathError(f"unexpected {value!r}")

    def items(self, closing: str) -> tuple[Node, ...]:
        args: list[Node] = []
        if (tok := self.peek()) is not None and tok[1] == closing:
            self.take()
            return ()
        while True:
            args.append(self.expression())
            _, value = self.take()
            if value == closing:
                return tuple(args)
            if value != ",":
                raise MathError(f"expected ',' or {closing!r}, got {value!r}")


def parse(text: str) -> Node:
    """Parse one metric-math expression; raises MathError with the reason."""
    if not text or not text.strip():
        raise MathError("empty expression")
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek() is not None:
        raise MathError(f"unexpected {parser.peek()[1]!r} after the end of the expression")  # type: ignore[index]
    return node


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents first."""
    out: list[Node] = [node]
    children: tuple[Node, ...] = ()
    if isinstance(node, Call):
        children = node.args
    elif isinstance(node, Array):
        children = node.items
    elif isinstance(node, Operation):
        children = node.operands
    for child in children:
        out.extend(walk(child))
    return out


def functions(node: Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Call)}


def references(node: Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Ref)}


# ---- composite alarm rules -------------------------------------------------------------------

_RULE_TOKEN = re.compile(r'\s*(?:(ALARM|OK|INSUFFICIENT_DATA)\(\s*"([^"]+)"\s*\)|(AND|OR|NOT|TRUE|FALSE)|([()]))')


def rule_tokens(rule: str) -> list[tuple[str, str]]:
    """The tokens of a composite AlarmRule: (state, alarm name) for ALARM/OK/INSUFFICIENT_DATA("name"),
    (word, "") for AND/OR/NOT/TRUE/FALSE and (paren, "") for parentheses; raises MathError where
    the rule holds anything else."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    end = len(rule.rstrip())
    while pos < end:
        m = _RULE_TOKEN.match(rule, pos)
        if not m:
            raise MathError(f"AlarmRule does not parse at position {pos + 1}: {rule[pos : pos + 20]!r}")
        state, name, word, paren = m.groups()
        tokens.append((state, name) if state else (word or paren, ""))
        pos = m.end()
    return tokens


def rule_alarms(rule: str) -> list[tuple[str, str]]:
    """(state, alarm name) pairs a composite AlarmRule names; raises MathError if it does not parse."""
    names: list[tuple[str, str]] = []
    depth = 0
    expect_operand = True
    for token, name in rule_tokens(rule):
        if name:
            if not expect_operand:
                raise MathError(f"AlarmRule: missing AND/OR before {token}(...)")
            names.append((token, name))
            expect_operand = False
        elif token in ("TRUE", "FALSE"):
            expect_operand = False
        elif token == "NOT":
            if not expect_operand:
                raise MathError("AlarmRule: NOT in operator position")
        elif token in ("AND", "OR"):
            if expect_operand:
                raise MathError(f"AlarmRule: {token} without a left operand")
            expect_operand = True
        elif token == "(":
            depth += 1
        else:
            depth -= 1
            if depth < 0 or expect_operand:
                raise MathError("AlarmRule: unbalanced parentheses")
    if depth != 0 or expect_operand:
        raise MathError("AlarmRule: incomplete rule")
    return names
