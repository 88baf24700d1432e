"""Check (or fix) the `=` alignment that `terraform fmt` enforces, without a terraform binary.

It reproduces hclwrite's rule (format.go, formatCells): consecutive lines holding a complete
single-line attribute (`key = value` with balanced brackets) form a chain, and each chain's `=`
signs line up one space after its longest key. A line opening a multi-line value, a blank line,
a comment-only line or a block header ends the chain. `terraform fmt -check` in CI stays the
authority; this only catches misalignment where no terraform binary is available.

    .venv/bin/python tools/terraform-check/hcl_align.py --check terraform
    .venv/bin/python tools/terraform-check/hcl_align.py terraform      # rewrite in place
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _assignment(line: str) -> tuple[int | None, int]:
    """Index of the attribute's `=` and the bracket balance after it (strings/comments skipped)."""
    equals: int | None = None
    net = 0
    in_string = False
    interpolations: list[int] = []
    i = 0
    while i < len(line):
        char = line[i]
        if in_string:
            if char == "\\":
                i += 2
                continue
            if line.startswith("${", i):
                in_string = False
                interpolations.append(1)
                i += 2
                continue
            if char == '"':
                in_string = False
            i += 1
            continue
        if char == '"':
            in_string = True
        elif char == "#" or line.startswith("//", i):
            break
        elif char in "{[(":
            if interpolations:
                interpolations[-1] += 1
            elif equals is not None:
                net += 1
        elif char in "}])":
            if interpolations:
                interpolations[-1] -= 1
                if interpolations[-1] == 0:
                    interpolations.pop()
                    in_string = True
            elif equals is not None:
                net -= 1
        elif char == "=" and equals is None and not interpolations:
            before = line[i - 1] if i else ""
            after = line[i + 1] if i + 1 < len(line) else ""
            if before not in "=!<>" and after not in "=>":
                equals = i
        i += 1
    return equals, net


def align(text: str) -> str:
    lines = text.split("\n")
    leads: list[str | None] = []
    for line in lines:
        equals, net = _assignment(line)
        complete = equals is not None and net == 0 and line[:equals].strip()
        leads.append(line[:equals].rstrip() if complete else None)
    out = list(lines)
    start = 0
    while start < len(lines):
        if leads[start] is None:
            start += 1
            continue
        end = start
        while end < len(lines) and leads[end] is not None:
            end += 1
        width = max(len(lead) for lead in leads[start:end] if lead is not None)
        for k in range(start, end):
            lead = leads[k]
            assert lead is not None
            equals, _ = _assignment(lines[k])
            assert equals is not None
            out[k] = lead + " " * (width - len(lead) + 1) + lines[k][equals:]
        start = end
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="files or directories (*.tf, *.tfvars)")
    parser.add_argument("--check", action="store_true", help="report instead of rewriting")
    args = parser.parse_args()
    files: list[Path] = []
    for path in args.paths:
        files += sorted(p for p in path.rglob("*") if p.suffix in {".tf", ".tfvars"}) if path.is_dir() else [path]
    misaligned = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        fixed = align(text)
        if fixed != text:
            misaligned.append(path)
            if not args.check:
                path.write_text(fixed, encoding="utf-8")
    for path in misaligned:
        print(f"{'misaligned' if args.check else 'aligned'}: {path}")
    return 1 if args.check and misaligned else 0


if __name__ == "__main__":
    sys.exit(main())
