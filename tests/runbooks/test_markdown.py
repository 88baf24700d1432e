from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sre_cli.links import ANCHORS
from sre_cli.runbooks import markdown


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Page", "page"),
        ("Ticket", "ticket"),
        ("Metrics absent", "metrics-absent"),
        # GitHub drops punctuation but keeps each space as a hyphen: "/" between spaces gives "--".
        ("API 5xx / latency regressions", "api-5xx--latency-regressions"),
        ("1. Which error, since when", "1-which-error-since-when"),
        ("`sre runbooks check`", "sre-runbooks-check"),
        ("Use [the docs](https://example.com) now", "use-the-docs-now"),
        ("**Bold** and *em*", "bold-and-em"),
        ("snake_case stays", "snake_case-stays"),
        ("Ünïcödé Überschrift", "ünïcödé-überschrift"),
        ("C++ & Go: 100%?", "c--go-100"),
        ("already-hyphenated-Heading", "already-hyphenated-heading"),
    ],
)
def test_github_slug(heading: str, slug: str) -> None:
    assert markdown.github_slug(heading) == slug


def test_every_alert_anchor_has_a_human_heading() -> None:
    headings = {"page": "Page", "ticket": "Ticket", "absent": "Metrics absent"}
    for kind, anchor in ANCHORS.items():
        assert markdown.github_slug(headings[kind]) == anchor


@given(st.text(max_size=40))
def test_slug_is_stable_under_reslugging(text: str) -> None:
    slug = markdown.github_slug(text)
    assert markdown.github_slug(slug) == slug
    assert " " not in slug and slug == slug.lower()


def test_duplicate_headings_get_counters_like_github() -> None:
    text = "# T\n## Page\n### Page\n## Page\n"
    assert [h.anchor for h in markdown.headings(text)] == ["t", "page", "page-1", "page-2"]


def test_headings_and_links_inside_code_are_ignored() -> None:
    text = (
        "## Real\n\n```bash\n# not a heading\n[x](nowhere.md)\n```\n\n"
        "~~~\n## Also not\n~~~\nsee `[y](gone.md)` and [z](there.md#a)\n"
    )
    assert [h.text for h in markdown.headings(text)] == ["Real"]
    assert [link.target for link in markdown.links(text)] == ["there.md#a"]


def test_explicit_html_anchors_count() -> None:
    assert "custom" in markdown.anchors('<a id="custom"></a>\n## Other\n')


def test_sections_and_content() -> None:
    text = (
        "# T\n## Meaning\n### Page\n\n## Impact\n<!-- nothing -->\n\n## Diagnosis\nrun this\n### Sub\n## Mitigation\n"
    )
    sections = markdown.sections(text)
    assert list(sections) == ["Meaning", "Impact", "Diagnosis", "Mitigation"]
    assert not sections["Meaning"].has_content  # a sub-heading alone says nothing
    assert not sections["Impact"].has_content  # neither does a comment
    assert sections["Diagnosis"].has_content
    assert not sections["Mitigation"].has_content
