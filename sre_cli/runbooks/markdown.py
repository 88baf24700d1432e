"""Just enough Markdown for runbooks: headings with their GitHub anchors, sections and links.

Anchors must match what GitHub renders, because alerts link to `<file>#<anchor>` on the web.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE_RE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")
# The destination bare, or in `<...>` (how escaped spec URLs with blanks or brackets are written).
_INLINE_LINK_RE = re.compile(r"!?\[([^\]]*)\]\((?:<([^<>\n]*)>|([^)\s]*))(?:\s+\"[^\"]*\")?\)")
_INLINE_CODE_RE = re.compile(r"`+([^`]*)`+")
_EMPHASIS_RE = re.compile(r"(\*{1,3})(\S(?:.*?\S)?)\1")
_HTML_TAG_RE = re.compile(r"<[^>]+>")
_HTML_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
# A backslash-escaped ASCII punctuation character is literal text (escaped spec text, `\[`).
_ESCAPED_RE = re.compile(r"\\[!-/:-@\[-`{-~]")
# github-slugger drops every character that is not a letter, number, mark, connector, '-' or ' '.
_NOT_SLUG_RE = re.compile(r"[^\w\- ]", re.UNICODE)


def heading_text(raw: str) -> str:
    """The text GitHub renders for a heading's Markdown (links, code and emphasis unwrapped)."""
    text = _INLINE_LINK_RE.sub(lambda m: m.group(1), raw)
    text = _INLINE_CODE_RE.sub(lambda m: m.group(1), text)
    text = _EMPHASIS_RE.sub(lambda m: m.group(2), text)
    return _HTML_TAG_RE.sub("", text)


def github_slug(text: str) -> str:
    """GitHub's anchor for a heading text (github-slugger without the duplicate counter)."""
    return _NOT_SLUG_RE.sub("", heading_text(text).lower()).replace(" ", "-")


class Slugger:
    """Anchors of one document: repeated headings get -1, -2... like on GitHub."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def slug(self, text: str) -> str:
        base = github_slug(text)
        result = base
        while result in self._seen:
            self._seen[base] += 1
            result = f"{base}-{self._seen[base]}"
        self._seen[result] = 0
        return result


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int  # 1-based
    anchor: str


@dataclass(frozen=True)
class Section:
    """A level-2 section: its heading and the lines up to the next heading of level <= 2."""

    heading: Heading
    body: tuple[str, ...]

    @property
    def has_content(self) -> bool:
        """True when the section says something besides sub-headings and comments."""
        text = _HTML_COMMENT_RE.sub("", "\n".join(self.body))
        return any(line.strip() and not _HEADING_RE.match(line) for line in text.splitlines())


@dataclass(frozen=True)
class Link:
    target: str
    line: int


def _prose_lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """(line number, line, inside a fenced code block) for every line."""
    fence: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FENCE_RE.match(line)
        if fence is None and match:
            fence = match.group(1)[0] * 3
            yield number, line, True
        elif fence is not None and line.strip().startswith(fence):
            fence = None
            yield number, line, True
        else:
            yield number, line, fence is not None


def headings(text: str) -> list[Heading]:
    slugger = Slugger()
    found: list[Heading] = []
    for number, line, in_code in _prose_lines(text):
        match = None if in_code else _HEADING_RE.match(line)
        if match:
            title = match.group(2).strip()
            found.append(Heading(len(match.group(1)), title, number, slugger.slug(title)))
    return found


def anchors(text: str) -> set[str]:
    explicit = set(re.findall(r"<a\s+(?:id|name)=\"([^\"]+)\"", text))
    return {h.anchor for h in headings(text)} | explicit


def sections(text: str) -> dict[str, Section]:
    """Level-2 sections by title; the first one wins when a title repeats."""
    lines = text.splitlines()
    hs = headings(text)
    result: dict[str, Section] = {}
    for i, h in enumerate(hs):
        if h.level != 2:
            continue
        end = next((n.line - 1 for n in hs[i + 1 :] if n.level <= 2), len(lines))
        result.setdefault(h.text, Section(h, tuple(lines[h.line : end])))
    return result


def links(text: str) -> list[Link]:
    """Inline links outside code (spans and blocks): the targets a reader can click."""
    found: list[Link] = []
    for number, line, in_code in _prose_lines(text):
        if in_code:
            continue
        prose = _INLINE_CODE_RE.sub("", _ESCAPED_RE.sub("\ufffc", line))
        found.extend(Link(m.group(2) or m.group(3), number) for m in _INLINE_LINK_RE.finditer(prose))
    return found
