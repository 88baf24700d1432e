"""Alias and merge-key bombs: every expansion counts against the node limit and fails fast at file:line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sre_cli.cli import cli
from sre_cli.slospec.yamlpos import YamlError, load_documents

# Seconds, generous for a loaded 2-core machine (the bombs stop at the limit in 0.2-2 s when idle);
# unbounded, the 6-level merge bomb took 23 s and the 7-level one would take ~8 minutes.
FAST = 15.0


def merge_of_empty_mappings(levels: int = 6, fan: int = 20) -> str:
    """The 706-byte bomb: each level merges the previous (empty) mapping `fan` times."""
    lines = ["a0: &a0 {}"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * fan)}]}}")
    return "\n".join(lines) + "\n"


def merge_block_style(levels: int = 7, fan: int = 10) -> str:
    """Block-style merges, each a single alias (`<<: *x`) repeated under many keys of the next level."""
    lines = ["l0: &l0 {}"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i}")
        lines += [f"  k{j}: {{<<: *l{i - 1}}}" for j in range(fan)]
    return "\n".join(lines) + "\n"


def nested_merge_keys(levels: int = 7, fan: int = 10) -> str:
    """Merges of mappings that themselves only merge: nothing is ever built but the merges."""
    lines = ["m0: &m0 {}"]
    for i in range(1, levels + 1):
        inner = ", ".join(f"{{<<: *m{i - 1}}}" for _ in range(fan))
        lines.append(f"m{i}: &m{i} {{<<: [{inner}]}}")
    return "\n".join(lines) + "\n"


def sequence_aliases(levels: int = 9, fan: int = 10) -> str:
    """Billion laughs with sequences."""
    lines = ['s0: &s0 ["lol"]']
    for i in range(1, levels + 1):
        lines.append(f"s{i}: &s{i} [{', '.join([f'*s{i - 1}'] * fan)}]")
    return "\n".join(lines) + "\n"


def mapping_aliases(levels: int = 9, fan: int = 10) -> str:
    lines = ["p0: &p0 {x: 1}"]
    for i in range(1, levels + 1):
        lines.append(f"p{i}: &p{i} {{{', '.join(f'k{j}: *p{i - 1}' for j in range(fan))}}}")
    return "\n".join(lines) + "\n"


BOMBS = {
    "merge of empty mappings (flow list of aliases)": merge_of_empty_mappings(),
    "merge of empty mappings, 7 levels": merge_of_empty_mappings(levels=7),
    "merge of empty mappings, block style": merge_block_style(),
    "merge keys nested in merged mappings": nested_merge_keys(),
    "aliases of sequences": sequence_aliases(),
    "aliases of mappings": mapping_aliases(),
    "mixed: sequences of merged mappings": "e: &e {}\n"
    + "f: &f ["
    + ", ".join(["{<<: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}"] * 10)
    + "]\n"
    + "".join(f"g{i}: &g{i} [{', '.join([f'*g{i - 1}' if i > 1 else '*f'] * 10)}]\n" for i in range(1, 6)),
}


def test_the_issue_bomb_is_under_a_kilobyte() -> None:
    assert len(merge_of_empty_mappings()) < 720


@pytest.mark.parametrize("text", list(BOMBS.values()), ids=list(BOMBS))
def test_bomb_fails_fast_with_a_position(text: str) -> None:
    started = time.monotonic()
    with pytest.raises(YamlError, match="too large") as err:
        load_documents(text)
    assert time.monotonic() - started < FAST
    # The position is a real line of the document (the node whose expansion crossed the limit).
    assert 1 <= err.value.position.line <= text.count("\n")


def test_recursive_merge_is_refused_with_a_position() -> None:
    # A mapping merging itself through an alias: a cycle PyYAML composes without complaint.
    text = "a: 1\nb: &b\n  c: 2\n  d: {<<: *b}\n"
    with pytest.raises(YamlError, match=r"nested too deeply|too large") as err:
        load_documents(text)
    assert err.value.position.line >= 2


def test_merges_within_the_limit_still_work() -> None:
    text = "base: &base {a: 1, b: 2}\nother: &other {c: 3}\nx:\n  <<: [*base, *other]\n  b: 5\n"
    (doc,) = load_documents(text)
    assert doc.data["x"] == {"a": 1, "b": 5, "c": 3}


def test_validate_names_file_and_line_and_exits_2(tmp_path: Path) -> None:
    spec = tmp_path / "bomb.yaml"
    spec.write_text(merge_of_empty_mappings())
    started = time.monotonic()
    r = CliRunner().invoke(cli, ["validate", str(spec)])
    assert time.monotonic() - started < FAST
    assert r.exit_code == 2
    assert f"{spec}:1:5: YAML document too large" in r.output  # the merged mapping, where it is defined
    assert "Traceback" not in r.output
