"""Regenerate the Inputs/Outputs tables of terraform/modules/*/README.md from the HCL.

Like terraform-docs, it rewrites only the text between ``<!-- BEGIN_TF_DOCS -->`` and
``<!-- END_TF_DOCS -->``; the usage part above stays hand-written. Needs python-hcl2.

    .venv/bin/python tools/terraform-check/tf_docs.py          # rewrite
    .venv/bin/python tools/terraform-check/tf_docs.py --check  # exit 1 when stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parents[2]
MODULES = ROOT / "terraform" / "modules"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _expr(value: Any) -> str:
    if isinstance(value, str):
        value = _unquote(value)
        if value.startswith("${") and value.endswith("}"):
            value = value[2:-1]
        return value
    return json.dumps(_clean(value))


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {_unquote(k): _clean(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return _unquote(value)


def _blocks(module: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with (module / f"{'variables' if kind == 'variable' else 'outputs'}.tf").open() as handle:
        parsed = hcl2.load(handle)
    return [(_unquote(name), body) for entry in parsed.get(kind, []) for name, body in entry.items()]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(module: Path) -> str:
    lines = [BEGIN, "## Inputs", "", "| Name | Description | Type | Default | Required |", "|---|---|---|---|:---:|"]
    for name, body in _blocks(module, "variable"):
        default = "n/a" if "default" not in body else f"`{_cell(_expr(body['default']))}`"
        lines.append(
            f"| `{name}` | {_cell(_unquote(body['description']))} | `{_cell(_expr(body['type']))}` "
            f"| {default} | {'no' if 'default' in body else 'yes'} |"
        )
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, body in _blocks(module, "output"):
        lines.append(f"| `{name}` | {_cell(_unquote(body['description']))} |")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail instead of rewriting stale READMEs")
    args = parser.parse_args()
    stale = []
    for module in sorted(p for p in MODULES.iterdir() if p.is_dir()):
        readme = module / "README.md"
        text = readme.read_text(encoding="utf-8")
        if BEGIN not in text or END not in text:
            print(f"{readme}: missing {BEGIN}/{END} markers", file=sys.stderr)
            return 2
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        updated = head + render(module) + tail
        if updated != text:
            stale.append(readme)
            if not args.check:
                readme.write_text(updated, encoding="utf-8")
    for readme in stale:
        print(f"{'stale' if args.check else 'updated'}: {readme.relative_to(ROOT)}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
