"""Safe YAML loading that remembers where every value came from.

PyYAML's safe loader drops node positions and silently keeps the last of duplicate keys; both
matter for a spec language whose errors must name file:line:col. We compose the node graph with
the safe composer and build plain Python values ourselves, recording the position of every path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

Path = tuple[str | int, ...]

# Tags the safe constructor builds into plain data; anything else (!!python/object, custom
# tags) is refused rather than silently turned into a string.
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


_STR = "tag:yaml.org,2002:str"

# libyaml's parser is ~10x faster than PyYAML's pure-Python one (1,000 specs in well under a
# second instead of seven) and keeps the same node marks; fall back when it is not compiled in.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class Position(NamedTuple):
    # A tuple, not a dataclass: one is built per node (~90 per spec), and a frozen dataclass's
    # construction was a tenth of a fleet's load.
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class YamlDocument:
    data: Any
    positions: dict[Path, Position]
    key_positions: dict[Path, Position]  # where the key of a mapping entry stands
    start: Position

    def position_of(self, path: Path, *, key: bool = False) -> Position:
        """Closest known position for a path: the node itself, or its nearest ancestor."""
        table = self.key_positions if key else self.positions
        p = tuple(path)
        if p in table:
            return table[p]
        while p:
            p = p[:-1]
            if p in self.positions:
                return self.positions[p]
        return self.start


@dataclass
class YamlError(Exception):
    message: str
    position: Position = field(default_factory=lambda: Position(1, 1))

    def __str__(self) -> str:
        return self.message


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


# Every node built counts against these limits, including each re-expansion of an alias and each
# mapping merged with `<<` (merges of empty mappings build nothing, yet nest x20 per level).
MAX_NODES = 200_000
MAX_DEPTH = 64


class _Builder:
    def __init__(self) -> None:
        self.positions: dict[Path, Position] = {}
        self.key_positions: dict[Path, Position] = {}
        self._scalars = yaml.SafeLoader("")
        self._depth = 0
        self._built = 0

    def _enter(self, node: yaml.Node) -> None:
        """Count one node against the size and depth limits (`_depth` is decremented by the caller)."""
        self._depth += 1
        self._built += 1
        if self._built > MAX_NODES:
            raise YamlError(
                "YAML document too large (alias expansion?): "
                f"over {MAX_NODES:,} nodes once aliases and merge keys (<<) are expanded",
                _pos(node),
            )
        if self._depth > MAX_DEPTH:
            raise YamlError("YAML nested too deeply (or a recursive alias)", _pos(node))

    def build(self, node: yaml.Node, path: Path) -> Any:
        self.positions[path] = _pos(node)
        if node.tag not in _PLAIN_TAGS:
            raise YamlError(f"YAML tag {node.tag!r} is not allowed in a spec", _pos(node))
        try:
            self._enter(node)
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if node.tag == _STR:
                return node.value  # what the safe constructor returns for a str scalar, without its dispatch
            try:
                return self._scalars.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError) as exc:
                raise YamlError(f"bad scalar: {exc}", _pos(node)) from None
        finally:
            self._depth -= 1

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[str, Any]:
        # Merge keys first, so explicit keys override them and keep their own positions.
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    if not isinstance(source, yaml.MappingNode):
                        raise YamlError("a merge key (<<) needs a mapping or a list of mappings", _pos(source))
                    try:
                        self._enter(source)
                        for k, v in self._mapping(source, path).items():
                            merged.setdefault(k, v)
                    finally:
                        self._depth -= 1
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("mapping keys must be plain strings", _pos(key_node))
            # Keys are the text as written: `on:`/`yes:` would otherwise become booleans and vanish
            # from error messages (and a str key's constructed value is its text anyway).
            key = key_node.value
            if key in out:
                first = self.key_positions[(*path, key)]
                raise YamlError(f"duplicate key {key!r} (first defined at line {first.line})", _pos(key_node))
            self.key_positions[(*path, key)] = _pos(key_node)
            out[key] = self.build(value_node, (*path, key))
        return {**merged, **out}


def load_documents(text: str) -> list[YamlDocument]:
    """All documents of a YAML stream, each with its position tables. Raises YamlError."""
    docs: list[YamlDocument] = []
    try:
        for node in yaml.compose_all(text, Loader=_COMPOSER):
            if node is None:
                continue
            builder = _Builder()
            data = builder.build(node, ())
            docs.append(YamlDocument(data, builder.positions, builder.key_positions, _pos(node)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.problem and exc.context and exc.context_mark and exc.context_mark is not mark:
            # "expected ',' or '}'" alone does not say which bracket is unclosed.
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise YamlError(f"YAML syntax error: {problem}", pos) from None
    except yaml.YAMLError as exc:  # reader errors (control characters) carry a position too
        pos = Position(1, 1)
        if isinstance(exc, yaml.reader.ReaderError):
            line = text.count("\n", 0, exc.position) + 1
            col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
            pos = Position(line, col)
        raise YamlError(f"YAML error: {exc}", pos) from None
    except RecursionError:
        raise YamlError("YAML nested too deeply") from None
    return docs
