"""Spec text in runbooks is data (issue 17 item 12): it renders as itself and never becomes structure.

A multi-line description holding `## Page` stole the `#page` anchor the page alert links to (and
`sre runbooks check` said ok); a `|` in the owner split the table. markdown-it (CommonMark plus
GFM tables and strikethrough) renders the escaped text and proves both: no heading, list, table,
code or HTML comes out of user text, and the text shown is exactly the text written.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from sre_cli.cli import cli
from sre_cli.runbooks import markdown
from sre_cli.textsafe import markdown_cell, markdown_code, markdown_text

from .test_check import BASE, GOOD_RUNBOOK, alert, base_outputs, problems_of, rule_file, synthetic  # noqa: F401

GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])

# Every construct Markdown has, as it would appear at the start of a line and inside one.
HOSTILE = (
    "## Page\n"
    "Page\n----\n"
    "Ticket\n===\n"
    "# Metrics absent\n"
    "- item\n+ item\n* item\n1. one\n2) two\n"
    "> quote\n"
    "    indented code\n"
    "```\nfenced\n```\n"
    "~~~\n"
    "| a | b |\n|---|---|\n"
    "<script>alert(1)</script> <!-- c --> <b>bold</b> &amp; &#35;\n"
    "[link](https://x.example) ![img](i.png) <https://auto.example> [ref]: /u\n"
    "*em* **strong** _em_ __strong__ ~~strike~~ `code` ``co`de`` $math$ \\escaped\\\n"
    "***\n___\n- - -\n"
    "trailing hard break  \n"
    "snake_case_name 99.9% p95 <= 300 ms a|b"
)


def _inline_text(children: list[Token]) -> str:
    out = []
    for tok in children:
        if tok.type in ("text", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        else:
            raise AssertionError(f"user text became {tok.type}: {tok}")
    return "".join(out)


def _paragraphs(source: str) -> list[str]:
    """The text of each paragraph markdown-it renders; anything but paragraphs fails."""
    found = []
    for tok in GFM.parse(source):
        if tok.type == "inline":
            found.append(_inline_text(tok.children or []))
        elif tok.type not in ("paragraph_open", "paragraph_close"):
            raise AssertionError(f"user text became a {tok.type} block")
    return found


def _expected_paragraphs(text: str) -> list[str]:
    """Paragraphs as written: lines without edge blanks, separated by blank lines."""
    paragraphs: list[list[str]] = [[]]
    for line in re.split(r"\r\n|\r|\n", text):
        line = line.strip(" \t")
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return ["\n".join(p) for p in paragraphs if p]


def test_hostile_description_renders_as_its_text() -> None:
    assert _paragraphs(markdown_text(HOSTILE)) == _expected_paragraphs(HOSTILE)


MARKERS = ["## ", "1. ", "- ", "---", "===", "```", "<b>", "&amp;", "[a](b)", "    ", "|---|", "a_b"]
_PIECE = st.one_of(
    st.sampled_from([*"#>-+=*_`~|[]()!<>&$\\:.0123456789 \t\n", *MARKERS]),
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
)
_TEXT = st.lists(_PIECE, max_size=25).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
@example("\xa0")  # found by hypothesis: renderers trim Unicode spaces at a paragraph's edges
@example("a\u2003\nb\u3000")
def test_any_text_renders_as_itself(text: str) -> None:
    assert _paragraphs(markdown_text(text)) == _expected_paragraphs(text)


@settings(max_examples=200, deadline=None)
@given(_TEXT, _TEXT)
def test_table_cells_stay_one_cell(owner: str, code: str) -> None:
    table = f"| a | b | c |\n|---|---|---|\n| x | {markdown_cell(owner)} | {markdown_code(code, in_table=True)} |\n"
    tokens = GFM.parse(table)
    cells = [t for t in tokens if t.type == "inline"][3:]
    assert len(cells) == 3
    shown_owner = _inline_text(cells[1].children or [])
    assert shown_owner == " ".join(line.strip(" \t") for line in owner.split("\n") if line.strip(" \t"))
    if code:
        assert _inline_text(cells[2].children or []) == code.replace("\n", " ")


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_code_spans_show_their_text(code: str) -> None:
    if not code:
        return
    (paragraph,) = _paragraphs(f"x {markdown_code(code)} y")
    assert paragraph == f"x {code.replace(chr(10), ' ')} y"


# ---- through `sre generate` and `sre runbooks check` ---------------------------------------


def _write_specs(root: Path, description: str, owner: str) -> None:
    spec = {
        "apiVersion": "sre.dev/v1",
        "kind": "SLO",
        "metadata": {"name": "inj", "service": "api", "owner": owner},
        "spec": {
            "description": description,
            "objective": 99.9,
            "indicator": {"ratio": {"prometheus": {"bad": 'e_total{job="a|`b`"}', "total": "r_total"}}},
        },
    }
    (root / "slo").mkdir()
    (root / "slo" / "api.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    defaults = {
        "notificationTargets": {
            "page": {"alertmanagerReceiver": "pager | `night`"},
            "ticket": {"alertmanagerReceiver": "<b>queue</b>"},
        },
        "dashboardBaseUrl": "https://grafana.example/d/(slo) x|",
    }
    (root / "slo" / "defaults.yaml").write_text(yaml.safe_dump(defaults))


def test_generated_runbook_keeps_its_structure(tmp_path: Path) -> None:
    _write_specs(tmp_path, HOSTILE, "team | ops `x`")
    runner = CliRunner()
    result = runner.invoke(cli, ["generate", "--specs", str(tmp_path / "slo")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "runbooks" / "inj.md").read_text()
    titles = [(h.level, h.text, h.anchor) for h in markdown.headings(text)]
    assert titles == [
        (1, "inj SLO runbook", "inj-slo-runbook"),
        (2, "Meaning", "meaning"),
        (3, "Page", "page"),
        (3, "Ticket", "ticket"),
        (3, "Metrics absent", "metrics-absent"),
        (2, "Impact", "impact"),
        (2, "Diagnosis", "diagnosis"),
        (3, "Prometheus queries", "prometheus-queries"),
        (2, "Mitigation", "mitigation"),
    ]
    tokens = GFM.parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings == [t[1] for t in titles]
    # Every table row has as many cells as its header.
    widths: list[int] = []
    for tok in tokens:
        if tok.type == "tr_open":
            widths.append(0)
        elif tok.type in ("th_open", "td_open"):
            widths[-1] += 1
    assert widths[:7] == [2] * 7
    assert set(widths[7:]) == {7}
    owner_row = next(t for t in tokens if t.type == "inline" and t.content.startswith("team"))
    assert _inline_text(owner_row.children or []) == "team | ops `x`"
    # The description's first paragraph is shown as written.
    first = [t for t in tokens if t.type == "inline"][1]
    assert _inline_text(first.children or []) == _expected_paragraphs(HOSTILE)[0]
    checked = runner.invoke(cli, ["runbooks", "check", "--specs", str(tmp_path / "slo")])
    assert checked.exit_code == 0, checked.output


def test_check_reports_an_anchor_two_headings_claim(synthetic) -> None:  # noqa: F811
    specs, root = synthetic
    outputs = base_outputs(specs)
    stolen = GOOD_RUNBOOK.replace("## Meaning\n", "## Meaning\nText.\n## Page\nNot the tier.\n", 1)
    outputs["runbooks/stolen.md"] = stolen
    outputs["alarms/prometheus/x.rules.yaml"] = rule_file(alert("XBurn", f"{BASE}runbooks/stolen.md#page"))
    assert problems_of(specs, outputs, root) == [
        f"alarms/prometheus/x.rules.yaml: alert slo-x/XBurn links {BASE}runbooks/stolen.md#page: 2 headings of "
        "runbooks/stolen.md claim #page (lines 4, 7); the link lands on the first"
    ]
