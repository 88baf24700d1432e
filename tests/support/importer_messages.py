"""The messages `sre import` can report, read from sre_cli/interop's source (the `why` of each not_mapped and
approximated call), and the (status, field, why) findings the table tests of tests/interop assert."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

INTEROP = Path(__file__).resolve().parents[2] / "sre_cli" / "interop"
TABLE_MODULES = (
    "tests.interop.test_import",
    "tests.interop.test_import_grouping",
    "tests.interop.test_import_sloth_alerting",
    "tests.interop.test_import_sloth_queries",
    "tests.interop.test_import_findings",
)
STATUS_OF_CALL = {"not_mapped": "not mapped", "approximated": "approximated"}
HOLE = "\x00"  # where a message has a placeholder


class _Messages:
    """The texts an expression can take in one module, names resolved to the assignment before the use."""

    def __init__(self, module: ast.Module) -> None:
        self.constants = {
            t.id: n.value
            for n in module.body
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name) and t.id.isupper()
        }
        self.functions = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}

    def of(self, node: ast.expr | None, scope: ast.FunctionDef, line: int, depth: int = 0) -> list[str]:
        if node is None or depth > 8:
            return [HOLE]
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.JoinedStr):
            out = [""]
            for part in node.values:
                if isinstance(part, ast.Constant):
                    pieces = [str(part.value)]
                elif isinstance(part.value, ast.Name) and self._is_text(part.value.id, scope, line):
                    pieces = self.of(part.value, scope, line, depth + 1)
                else:
                    pieces = [HOLE]
                out = [o + p for o in out for p in pieces]
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.of(node.left, scope, line, depth + 1), self.of(node.right, scope, line, depth + 1)
            return [a + b for a in left for b in right]
        if isinstance(node, ast.IfExp):
            return self.of(node.body, scope, line, depth + 1) + self.of(node.orelse, scope, line, depth + 1)
        if isinstance(node, ast.Name):
            value = self._assigned(node.id, scope, line)
            if value is not None:
                return self.of(value, scope, value.lineno, depth + 1)
            if node.id in self.constants:
                return self.of(self.constants[node.id], scope, line, depth + 1)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self.functions:
            function = self.functions[node.func.id]
            returns = [r.value for r in ast.walk(function) if isinstance(r, ast.Return) and r.value is not None]
            return [t for r in returns for t in self.of(r, function, r.lineno, depth + 1) if t]
        return [HOLE]

    def _is_text(self, name: str, scope: ast.FunctionDef, line: int) -> bool:
        """Whether `name` holds message text (a constant, or a string built in the function), not a value."""
        value = self._assigned(name, scope, line)
        return name in self.constants or isinstance(value, ast.JoinedStr | ast.BinOp)

    @staticmethod
    def _assigned(name: str, scope: ast.FunctionDef, line: int) -> ast.expr | None:
        """The value last given to `name` before `line` in the function (`+=` as an addition)."""
        last: ast.expr | None = None
        for node in sorted((n for n in ast.walk(scope) if hasattr(n, "lineno")), key=lambda n: n.lineno):
            if node.lineno >= line:
                break
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
                last = node.value
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and node.target.id == name:
                last = ast.BinOp(last, ast.Add(), node.value, lineno=node.lineno) if last else None
        return last


def reported_messages() -> Iterator[tuple[str, str, str]]:
    """(file:line:function, status, message) of every not_mapped/approximated call in sre_cli/interop,
    once per way its `why` can read; placeholders as HOLE."""
    for path in sorted(INTEROP.glob("*.py")):
        module = ast.parse(path.read_text())
        messages = _Messages(module)
        for function in [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef)]:
            for call in ast.walk(function):
                if not (
                    isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Attribute)
                    and call.func.attr in STATUS_OF_CALL
                ):
                    continue
                why = (
                    call.args[2]
                    if len(call.args) > 2
                    else next((k.value for k in call.keywords if k.arg == "why"), None)
                )
                for message in dict.fromkeys(messages.of(why, function, call.lineno)):
                    yield f"{path.name}:{call.lineno}:{function.name}", STATUS_OF_CALL[call.func.attr], message


def literal_prefix(message: str) -> str:
    """What a table row can be matched on: the message's first literal stretch with some words in it."""
    for part in message.split(HOLE):
        part = part.strip(" :;,.'\"(")
        if sum(c.isalnum() for c in part) >= 6:
            return part
    return ""


def asserted_findings() -> list[tuple[str, str]]:
    """(status, why fragment) of every finding a table row of tests/interop asserts."""
    found: list[tuple[str, str]] = []

    def walk(value: object) -> None:
        if isinstance(value, tuple) and len(value) >= 3 and value[0] in ("exact", *STATUS_OF_CALL.values()):
            if isinstance(value[2], str) and value[2]:
                found.append((value[0], value[2]))
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif hasattr(value, "values") and hasattr(value, "id"):  # a pytest.param
            walk(value.values)

    for name in TABLE_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, list):
                walk(value)
    return found


def covered(status: str, prefix: str, findings: list[tuple[str, str]]) -> bool:
    """Whether a row asserts the message: its fragment holds the prefix, or is most of a long prefix."""
    return any(
        s == status and (prefix in why or (len(why) >= min(len(prefix), 24) and why in prefix)) for s, why in findings
    )
