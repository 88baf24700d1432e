"""The broken-spec corpus: cases under tests/slospec/broken/ and what each must report.

A case is a file or a directory directly under broken/. Expectations are `# expect:` lines inside
any file of the case (about that file) and an optional `<case>.expect` sidecar (about the case
path itself, for files that cannot hold a comment: empty, binary). Each expectation reads

    LINE:COL FIELD: MESSAGE-SUBSTRING        (FIELD is `-` when the error names no field)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BROKEN = Path(__file__).parent / "broken"
_EXPECT = re.compile(r"^(\d+):(\d+) (\S+): (.+)$")
# file:line:col: rest -- the file may itself contain ':' only on Windows, which we do not run on.
REPORTED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rest>.*)$")


@dataclass(frozen=True)
class Expected:
    file: Path
    line: int
    col: int
    field: str  # "" for none
    message: str

    def matches(self, reported: Reported) -> bool:
        if (reported.file.resolve(), reported.line, reported.col) != (self.file.resolve(), self.line, self.col):
            return False
        if self.field:
            if not reported.rest.startswith(f"{self.field}: "):
                return False
            message = reported.rest[len(self.field) + 2 :]
        else:
            # No field: the message must not begin with a dotted field path.
            if re.match(r"^[A-Za-z][\w.\[\]]*: ", reported.rest) and not reported.rest.startswith("YAML"):
                return False
            message = reported.rest
        return self.message in message

    def __str__(self) -> str:
        return f"{self.file.name}:{self.line}:{self.col}: {self.field or '-'}: ...{self.message}..."


@dataclass(frozen=True)
class Reported:
    file: Path
    line: int
    col: int
    rest: str


@dataclass(frozen=True)
class Case:
    path: Path
    expected: tuple[Expected, ...]

    @property
    def name(self) -> str:
        return self.path.name


def _parse(line: str, file: Path) -> Expected:
    m = _EXPECT.match(line.strip())
    if not m:
        raise ValueError(f"{file}: bad expectation {line!r}")
    field = "" if m.group(3) == "-" else m.group(3)
    return Expected(file, int(m.group(1)), int(m.group(2)), field, m.group(4))


def _expectations(file: Path) -> list[Expected]:
    text = file.read_bytes().decode("utf-8", errors="replace")
    return [_parse(line.split("# expect:", 1)[1], file) for line in text.splitlines() if line.startswith("# expect:")]


def cases() -> list[Case]:
    out = []
    for path in sorted(BROKEN.iterdir()):
        if path.suffix == ".expect":
            continue
        expected: list[Expected] = []
        files = sorted(f for f in path.rglob("*") if f.is_file()) if path.is_dir() else [path]
        for f in files:
            expected.extend(_expectations(f))
        sidecar = path.with_name(path.name + ".expect")
        if sidecar.is_file():
            expected.extend(_parse(line, path) for line in sidecar.read_text().splitlines() if line.strip())
        out.append(Case(path, tuple(expected)))
    return out


def parse_report(output: str) -> list[Reported]:
    found = []
    for line in output.splitlines():
        m = REPORTED.match(line)
        if m:
            found.append(Reported(Path(m["file"]), int(m["line"]), int(m["col"]), m["rest"]))
    return found


def unmatched(case: Case, output: str) -> tuple[list[Expected], list[Reported]]:
    """Expectations nothing reported, and reported errors nothing expected (both must be empty)."""
    reported = parse_report(output)
    left = list(reported)
    missing = []
    for exp in case.expected:
        hit = next((r for r in left if exp.matches(r)), None)
        if hit is None:
            missing.append(exp)
        else:
            left.remove(hit)
    return missing, left
