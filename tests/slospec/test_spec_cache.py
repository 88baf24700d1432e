"""The validated-spec cache (sre_cli/slospec/cache.py): used only when current, never a failure or a
different answer, and read back without pydantic."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sre_cli.slospec import cache
from sre_cli.slospec.load import load
from sre_cli.slospec.model import SpecSet
from sre_cli.slospec.snapshot import Snapshot

REPO = Path(__file__).resolve().parents[2]
GROUPED_BY_POD = """
apiVersion: sre.dev/v1
kind: SLO
metadata: {name: by-pod, service: api}
spec:
  description: d
  objective: 99.9
  indicator:
    groupBy: [pod]
    ratio:
      prometheus:
        bad: x_total{code="5xx"}
        total: x_total
"""


@pytest.fixture
def specs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the stack's specs plus one SLO with a warning, and a cache of this test's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SRE_NO_CACHE", raising=False)
    shutil.copytree(REPO / "slo", tmp_path / "slo")
    (tmp_path / "slo" / "grouped.yaml").write_text(GROUPED_BY_POD)
    return tmp_path / "slo"


def from_cache(specs: SpecSet) -> bool:
    return all(isinstance(s.document, Snapshot) for s in specs.slos)


def only_entry(specs_dir: Path) -> Path:
    (entry,) = (specs_dir.parent / "cache" / "sre" / "specs").iterdir()
    return entry


def test_second_load_comes_from_the_cache_and_says_the_same(specs_dir: Path) -> None:
    first = cache.load([specs_dir])
    second = cache.load([specs_dir])
    assert not from_cache(first) and from_cache(second)
    assert second.warnings == first.warnings != []
    assert (second.root, second.errors) == (first.root, [])
    assert [s.name for s in second.slos] == [s.name for s in first.slos]
    for cold, warm in zip(first.slos, second.slos, strict=True):
        for f in dataclasses.fields(cold):
            a, b = getattr(cold, f.name), getattr(warm, f.name)
            if isinstance(b, Snapshot):
                # The model rebuilt from the snapshot equals the validated one, field for field.
                assert b.real() == a, f.name
            else:
                assert b == a, f.name
        # What readers ask the documents: properties and literal-argument methods, answered from the snapshot.
        assert warm.indicator.kind == cold.indicator.kind
        assert warm.indicator.body.real() == cold.indicator.body
        if cold.indicator.ratio and cold.indicator.ratio.prometheus:
            for key in ("good", "bad", "total"):
                assert warm.indicator.ratio.prometheus.selectors(key) == cold.indicator.ratio.prometheus.selectors(key)
        if cold.indicator.latency:
            assert warm.indicator.latency.threshold_seconds == cold.indicator.latency.threshold_seconds
        for w_tier, c_tier in zip(warm.alerting.page.windows or [], cold.alerting.page.windows or [], strict=True):
            assert w_tier.to_math() == c_tier.to_math()
        # Anything else goes to the real model.
        assert warm.document.model_dump() == cold.document.model_dump()


def test_reading_the_cache_imports_neither_pydantic_nor_boto3(specs_dir: Path) -> None:
    cache.load([specs_dir])
    code = (
        "import sys; from sre_cli.slospec import cache; "
        f"s = cache.load([{str(specs_dir)!r}]); "
        "assert s.slos and not s.errors; "
        "print(type(s.slos[0].document).__name__, sorted(m for m in ('pydantic', 'boto3', 'yaml') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert out.stdout.split() == ["Snapshot", "[]"]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b.split(b"\n", 1)[0] + b"\n" + os.urandom(4000), id="garbage-after-a-good-header"),
        pytest.param(lambda b: os.urandom(len(b)), id="garbage"),
        pytest.param(lambda b: b"", id="empty"),
        # Same length, one payload byte changed: the checksum, not the unpickler, must notice.
        pytest.param(lambda b: b[:-20] + bytes([b[-20] ^ 1]) + b[-19:], id="one-byte-flipped"),
    ],
)
def test_a_damaged_entry_means_a_full_load_and_a_new_entry(specs_dir: Path, damage) -> None:
    expected = cache.load([specs_dir])
    entry = only_entry(specs_dir)
    entry.write_bytes(damage(entry.read_bytes()))
    again = cache.load([specs_dir])
    assert not from_cache(again)
    assert [s.name for s in again.slos] == [s.name for s in expected.slos]
    assert from_cache(cache.load([specs_dir]))  # rewritten


def test_an_entry_from_another_version_is_not_trusted(specs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version = cache.__version__
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    cache.load([specs_dir])
    monkeypatch.setattr(cache, "__version__", version)
    assert not from_cache(cache.load([specs_dir]))
    assert from_cache(cache.load([specs_dir]))


def test_an_edited_spec_is_validated_again_with_file_and_line(specs_dir: Path) -> None:
    assert not from_cache(cache.load([specs_dir]))
    api = specs_dir / "api.yaml"
    api.write_text(api.read_text().replace("objective: 99.9\n", "objective: 120\n", 1))
    broken = cache.load([specs_dir])
    assert broken.errors, "the edit must be an error"
    assert all(e.file == str(api) and e.line > 1 for e in broken.errors)
    assert "spec.objective" in str(broken.errors[0])
    # Errors are never cached: the next run reports them again.
    assert cache.load([specs_dir]).errors == broken.errors


def test_a_new_or_removed_spec_file_is_another_key(specs_dir: Path) -> None:
    cache.load([specs_dir])
    (specs_dir / "grouped.yaml").unlink()
    fewer = cache.load([specs_dir])
    assert not from_cache(fewer) and "by-pod" not in {s.name for s in fewer.slos}


def test_a_removed_hand_written_runbook_is_reported_again(specs_dir: Path) -> None:
    hand = specs_dir.parent / "runbooks" / "custom" / "hand.md"
    hand.parent.mkdir(parents=True)
    hand.write_text("# hand\n")
    text = GROUPED_BY_POD.replace("name: by-pod", "name: with-runbook").replace("groupBy: [pod]", "groupBy: []")
    (specs_dir / "runbook.yaml").write_text(text + "  alerting:\n    runbook: runbooks/custom/hand.md\n")
    assert not cache.load([specs_dir]).errors
    assert from_cache(cache.load([specs_dir]))
    hand.unlink()
    errors = cache.load([specs_dir]).errors
    assert [e.field for e in errors] == ["spec.alerting.runbook"]


def test_no_cache_environment_bypasses_it(specs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load([specs_dir])
    monkeypatch.setenv("SRE_NO_CACHE", "1")
    assert not from_cache(cache.load([specs_dir]))
    assert not from_cache(cache.load([specs_dir], use_cache=False))


@pytest.mark.parametrize("mode", [0o777, 0o775, 0o757])
def test_an_entry_others_may_write_is_ignored(specs_dir: Path, mode: int) -> None:
    cache.load([specs_dir])
    entry = only_entry(specs_dir)
    entry.parent.chmod(mode)
    assert not from_cache(cache.load([specs_dir]))
    entry.parent.chmod(0o700)
    entry.chmod(0o666)
    assert not from_cache(cache.load([specs_dir]))


def test_a_symlinked_entry_is_not_followed(specs_dir: Path) -> None:
    cache.load([specs_dir])
    entry = only_entry(specs_dir)
    elsewhere = specs_dir.parent / "elsewhere.pickle"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    assert not from_cache(cache.load([specs_dir]))


def test_an_unwritable_cache_directory_still_loads(specs_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = specs_dir.parent / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    first, second = cache.load([specs_dir]), cache.load([specs_dir])
    assert not first.errors and not from_cache(second)


def test_cached_and_uncached_loads_agree_on_errors_for_a_missing_path(specs_dir: Path) -> None:
    missing = specs_dir.parent / "nope"
    assert cache.load([missing]).errors == load([missing]).errors
