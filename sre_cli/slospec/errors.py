"""Spec problems as `file:line:col: field: message`, the one shape every check reports in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class SpecError:
    file: str
    line: int
    col: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"{self.file}:{self.line}:{self.col}: {where}{self.message}"


class SpecLoadError(Exception):
    """Raised by `load_or_raise` when specs have errors; str() lists them all."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def field_path(path: tuple[str | int, ...]) -> str:
    """A location in a document as its author writes it: `spec.alerting.page.windows[0].long`."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
