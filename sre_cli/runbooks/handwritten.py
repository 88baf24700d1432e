"""Hand-written runbook parts: `runbooks/_hand/<slo>.md`, merged into the generated page.

A hand file holds level-2 sections named like the generated ones (Meaning, Impact, Diagnosis,
Mitigation); each section's text is appended to the generated section of the same name. Links
in it are written relative to `runbooks/<slo>.md`, where they end up. The files are inputs of
`sre generate`, never outputs, so regeneration cannot overwrite them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sre_cli.runbooks import markdown

HAND_DIR = "runbooks/_hand"
SECTIONS: tuple[str, ...] = ("Meaning", "Impact", "Diagnosis", "Mitigation")


class HandError(ValueError):
    """A hand-written file that cannot be merged; the message names file and line."""

    def __init__(self, file: str, line: int, message: str):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line}: {message}")


@dataclass(frozen=True)
class HandParts:
    file: str | None = None
    sections: dict[str, str] = field(default_factory=dict)

    def get(self, section: str) -> str:
        return self.sections.get(section, "")


def parse(text: str, file: str) -> HandParts:
    lines = text.splitlines()
    found: dict[str, str] = {}
    hs = markdown.headings(text)
    level2 = [h for h in hs if h.level <= 2]
    preamble = "\n".join(lines[: level2[0].line - 1] if level2 else lines)
    if markdown.Section(markdown.Heading(2, "", 0, ""), tuple(preamble.splitlines())).has_content:
        first = next((i for i, line in enumerate(lines, start=1) if line.strip() and "<!--" not in line), 1)
        raise HandError(file, first, f"text outside a section; start with one of: {', '.join(SECTIONS)}")
    for h in level2:
        if h.level != 2 or h.text not in SECTIONS:
            raise HandError(
                file,
                h.line,
                f"unknown section {'#' * h.level} {h.text}; "
                f"hand-written sections are level 2: {', '.join('## ' + s for s in SECTIONS)}",
            )
        if h.text in found:
            raise HandError(file, h.line, f"section ## {h.text} appears twice")
        section = markdown.sections(text)[h.text]
        body = "\n".join(section.body).strip("\n")
        if not section.has_content:
            raise HandError(file, h.line, f"section ## {h.text} is empty")
        found[h.text] = body
    return HandParts(file, found)


def load(root: Path, slo_names: list[str]) -> dict[str, HandParts]:
    """Hand parts of every SLO (empty when it has none); a file for an unknown SLO is an error."""
    folder = root / HAND_DIR
    parts = {name: HandParts() for name in slo_names}
    if not folder.is_dir():
        return parts
    for path in sorted(folder.glob("*.md")):
        rel = f"{HAND_DIR}/{path.name}"
        if path.stem not in parts:
            raise HandError(rel, 1, f"no SLO named {path.stem!r} (known: {', '.join(sorted(slo_names))})")
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise HandError(rel, 1, f"cannot read: {exc}") from None
        parts[path.stem] = parse(text, rel)
    return parts
