"""User text as data in the formats it lands in: Go templates (alert rules) and Markdown (runbooks).

Spec authors write descriptions, label values, owners and URLs; generators place them into text
another program interprets. Each function here returns text that the target renders as exactly
the input, whatever it holds (template delimiters, Markdown syntax, backticks, newlines, unicode).
Pure string functions, one per format, so every generator escapes at the same boundary.
"""

from __future__ import annotations

import re

# Go text/template (Prometheus expands alert labels and annotations with it) starts an action at
# `{{` and at nothing else. A trailing `{` would join a `{{` that the generator writes next.
_GO_ACTION_START = re.compile(r"\{\{|\{\Z")


def go_template_literal(text: str) -> str:
    """`text` as a Go template that renders as exactly `text`.

    Every `{{` becomes the action `{{ "{{" }}`, whose output is `{{`, and a final `{` becomes
    `{{ "{" }}`. Nothing else starts an action, so `}}`, backticks, quotes, newlines and unicode
    stay as they are and the text stays readable in the rule file.
    """
    return _GO_ACTION_START.sub(lambda m: '{{ "' + m.group(0) + '" }}', text)


# CommonMark lets a backslash escape any ASCII punctuation. Escaped wherever they occur: what
# opens code, emphasis, links, strikethrough, GitHub's math and table cells. Escaped only where
# they mean something, so ordinary prose stays as written: `<` before a tag or autolink, `&`
# before an entity, `_` unless between letters or digits (where it cannot open emphasis).
_MARKDOWN_INLINE = re.compile(r"[\\`*\[\]|~$]|<(?=[A-Za-z/!?])|&(?=[A-Za-z#])|(?<![^\W_])_|_(?![^\W_])")
# At the start of a line: headings, block quotes, list items (`-`, `+`, `1.`, `1)` before a blank
# or the line end), setext underlines and thematic breaks (a line of only `-`, `=` and blanks).
_MARKDOWN_LINE_START = re.compile(r"^(?:[#>]|[-+](?=[ \t]|$)|[-=](?=[-= \t]*$)|\d{1,9}[.)](?=[ \t]|$))")


def markdown_text(text: str) -> str:
    """`text` as Markdown prose that renders as the text itself; line breaks stay line breaks.

    Leading blanks of each line are dropped: four of them would start a code block, and Markdown
    does not show them in prose anyway.
    """
    lines = []
    for line in text.split("\n"):
        line = _MARKDOWN_INLINE.sub(lambda m: "\\" + m.group(0), line.strip(" \t\r\f\v"))
        lines.append(_keep_edge_spaces(_MARKDOWN_LINE_START.sub(_escape_line_start, line)))
    return "\n".join(lines)


def _keep_edge_spaces(line: str) -> str:
    """Other Unicode spaces (no-break, em...) at a line's edges as character references: renderers
    trim a paragraph's Unicode whitespace, but a reference is decoded after trimming."""
    if line and line[0].isspace():
        line = f"&#{ord(line[0])};{line[1:]}"
    if len(line) > 1 and line[-1].isspace():
        line = f"{line[:-1]}&#{ord(line[-1])};"
    return line


def _escape_line_start(match: re.Match[str]) -> str:
    marker = match.group(0)
    # A list number keeps its digits; the `.` or `)` after it is what makes it a list.
    return marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker


def markdown_cell(text: str) -> str:
    """`text` as one GFM table cell: prose escaping, on one line (a newline would end the row)."""
    return " ".join(line for line in markdown_text(text).split("\n") if line)


def markdown_code(text: str, *, in_table: bool = False) -> str:
    """`text` as an inline code span showing it verbatim.

    The fence is one backtick longer than the longest run inside, with a space on both sides when
    the text starts or ends with a backtick (CommonMark strips one such space). A code span holds no
    line break: newlines show as spaces, as Markdown renders them. In a GFM table a `|` ends the
    cell even inside code, so there it is written `\\|`, which the table turns back into `|`.
    """
    if not text:
        return ""
    body = text.replace("\r\n", "\n").replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`") or (body.startswith(" ") and body.endswith(" ") and body.strip()):
        body = f" {body} "
    if in_table:
        body = body.replace("|", "\\|")
    return f"{fence}{body}{fence}"


_PLAIN_LINK_TARGET = re.compile(r"[^\s()<>\\|`]*")


def markdown_link_target(url: str, *, in_table: bool = False) -> str:
    """A link destination that holds any URL: as is when plain, else `<...>` with `<`, `>`, `\\` escaped."""
    if _PLAIN_LINK_TARGET.fullmatch(url):
        return url
    escaped = re.sub(r"([\\<>])", r"\\\1", url.replace("\n", "%0A").replace("\r", "%0D"))
    return f"<{escaped.replace('|', '%7C') if in_table else escaped}>"
