"""What an import did with each source object: per field exact, approximated or not mapped, and why.

One shape for all importers, so `sre import` prints every peer the same way and its exit code
(0 all exact, 1 something approximated or dropped, 2 unreadable input) comes from one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sre_cli.slospec.errors import SpecError
from sre_cli.slospec.yamlpos import YamlDocument

Status = Literal["exact", "approximated", "not mapped"]
EXIT_EXACT = 0
EXIT_LOSSY = 1
EXIT_UNREADABLE = 2


@dataclass(frozen=True)
class Finding:
    status: Status
    line: int
    field: str
    why: str = ""


@dataclass
class SourceObject:
    """One peer object (a Sloth SLO, a Pyrra CR, an OpenSLO SLO objective) and what became of it."""

    file: str
    doc: YamlDocument
    base: tuple[str | int, ...]  # path of the object inside its document
    title: str
    findings: list[Finding] = field(default_factory=list)
    imported_as: str | None = None  # the sre SLO name; None when nothing was imported

    def line(self, *path: str | int) -> int:
        return self.doc.position_of((*self.base, *path)).line

    def _line(self, path: tuple[str | int, ...], absolute: bool) -> int:
        return self.doc.position_of(path).line if absolute else self.line(*path)

    def exact(self, path: tuple[str | int, ...], name: str, why: str = "", *, absolute: bool = False) -> None:
        """`path` is inside the object, or inside its document when `absolute` (a file-level field)."""
        self.findings.append(Finding("exact", self._line(path, absolute), name, why))

    def approximated(self, path: tuple[str | int, ...], name: str, why: str, *, absolute: bool = False) -> None:
        self.findings.append(Finding("approximated", self._line(path, absolute), name, why))

    def not_mapped(self, path: tuple[str | int, ...], name: str, why: str, *, absolute: bool = False) -> None:
        self.findings.append(Finding("not mapped", self._line(path, absolute), name, why))

    @property
    def lossy(self) -> bool:
        return self.imported_as is None or any(f.status != "exact" for f in self.findings)


@dataclass
class ImportedSlo:
    """An `sre.dev/v1` document an import produced, with the comments written above it."""

    service: str
    name: str
    document: dict[str, Any]
    comments: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    slos: list[ImportedSlo] = field(default_factory=list)
    objects: list[SourceObject] = field(default_factory=list)
    # name -> {alertmanagerReceiver, snsTopicArn}, for defaults.yaml when the target has none
    notification_targets: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)  # unreadable input: nothing is written

    def add(self, obj: SourceObject, imported: ImportedSlo | None, comments: list[str]) -> None:
        """One source object read, and the spec it gave (None: it gave none), with the comments above that spec."""
        self.objects.append(obj)
        if imported is not None:
            imported.comments = comments
            self.slos.append(imported)

    def extend(self, other: ImportResult) -> None:
        self.slos += other.slos
        self.objects += other.objects
        self.notification_targets.update(other.notification_targets)
        self.errors += other.errors

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_UNREADABLE
        return EXIT_LOSSY if any(o.lossy for o in self.objects) else EXIT_EXACT


def render(result: ImportResult) -> list[str]:
    """The per-object report `sre import` prints: a heading per object, then one line per field."""
    lines: list[str] = []
    for obj in result.objects:
        start = obj.doc.position_of(obj.base).line
        target = f"-> SLO {obj.imported_as}" if obj.imported_as else "-> not imported"
        lines.append(f"{obj.file}:{start}: {obj.title} {target}")
        for f in obj.findings:
            why = f": {f.why}" if f.why else ""
            lines.append(f"  {f.status:<12} {obj.file}:{f.line}: {f.field}{why}")
    counts = {s: sum(f.status == s for o in result.objects for f in o.findings) for s in ("exact", "approximated")}
    dropped = sum(f.status == "not mapped" for o in result.objects for f in o.findings)
    lines.append(
        f"{len(result.slos)} SLO(s) from {len(result.objects)} source object(s): {counts['exact']} exact, "
        f"{counts['approximated']} approximated, {dropped} not mapped"
    )
    return lines
