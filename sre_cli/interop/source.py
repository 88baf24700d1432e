"""Reading peer files with positions, and the small checks every importer makes on names and labels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sre_cli.slospec import document
from sre_cli.slospec.errors import SpecError
from sre_cli.slospec.load import read_documents, spec_files
from sre_cli.slospec.yamlpos import YamlDocument

_DNS_LABEL = re.compile(document.DNS_LABEL)
_LABEL_NAME = re.compile(document.LABEL_NAME)


@dataclass
class SourceFile:
    path: str
    documents: list[YamlDocument]
    lines: list[str]

    def comments_above(self, line: int) -> list[str]:
        """The comment lines written directly above `line` (1-based), without their `#`."""
        found: list[str] = []
        i = line - 2
        while i >= 0 and self.lines[i].lstrip().startswith("#"):
            text = self.lines[i].lstrip()[1:].strip()
            if not text.startswith("yaml-language-server:"):
                found.append(text)
            i -= 1
        return list(reversed(found))

    def import_comments(self, tool: str, line: int) -> list[str]:
        """What an imported spec says above itself: where it came from, then the source's own comments."""
        return [f"Imported by `sre import {tool}` from {self.path}:{line}.", *self.comments_above(line)]


def read_sources(paths: list[str]) -> tuple[list[SourceFile], list[SpecError]]:
    """Every YAML file under `paths` as documents with positions; unreadable files as errors."""
    files, errors = spec_files([Path(p) for p in paths])
    sources: list[SourceFile] = []
    for f in files:
        docs, file_errors = read_documents(f)
        errors += file_errors
        if not file_errors:
            sources.append(SourceFile(str(f), docs, f.read_text(encoding="utf-8").splitlines()))
    return sources, errors


def is_dns_label(text: object) -> bool:
    return isinstance(text, str) and bool(_DNS_LABEL.match(text))


def dns_label(text: str) -> str:
    """The closest DNS label to a name: lowercase, other characters as '-', at most 63 long."""
    label = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")[:63].strip("-")
    return label or "imported"


def is_label_name(text: object) -> bool:
    return isinstance(text, str) and bool(_LABEL_NAME.match(text))
