"""`sre runbooks check`: every alert generate produces links to a runbook heading that exists.

Alert links are found generically in what the generators render (Prometheus rule files, plain or
PrometheusRule; CloudWatch composite alarm payloads), so a new generator is checked without
changes here. Runbooks are read from the rendered output first, then from disk.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import yaml

from sre_cli.runbooks import handwritten, markdown
from sre_cli.runbooks.render import INCIDENT_DIR, INDEX_PATH
from sre_cli.slospec.model import SpecSet

PROMETHEUS_RULES = ("alarms/prometheus/*.yaml", "alarms/prometheus/**/*.yaml")
CLOUDWATCH_ALARMS = ("alarms/cloudwatch/*.json",)
REQUIRED_SECTIONS: tuple[str, ...] = handwritten.SECTIONS
# Leftovers of templates or drafts that must never reach an on-call engineer.
PLACEHOLDER_RE = re.compile(r"\{\{|\{%|\bTODO\b|\bTBD\b|\bFIXME\b|<fill|<insert|<replace")
# libyaml parses rule files ~20x faster than PyYAML's pure-Python loader (2,000 SLOs: minutes otherwise).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass(frozen=True)
class AlertLink:
    """Where an alert is defined and the runbook URL it carries (None: it has none)."""

    file: str
    alert: str
    url: str | None


# ---- extracting alert links ----------------------------------------------------------------


def _rule_groups(doc: Any) -> list[Any]:
    if not isinstance(doc, dict):
        return []
    if doc.get("kind") == "PrometheusRule":
        doc = doc.get("spec") or {}
    groups = doc.get("groups") if isinstance(doc, dict) else None
    return groups if isinstance(groups, list) else []


def prometheus_links(file: str, text: str) -> Iterator[AlertLink]:
    for doc in yaml.load_all(text, Loader=_LOADER):
        for group in _rule_groups(doc):
            rules = group.get("rules") if isinstance(group, dict) else None
            for rule in rules if isinstance(rules, list) else []:
                if not isinstance(rule, dict) or "alert" not in rule:
                    continue
                annotations = rule.get("annotations") or {}
                url = annotations.get("runbook_url") if isinstance(annotations, dict) else None
                name = f"{group.get('name', '?')}/{rule['alert']}"
                yield AlertLink(file, name, url if isinstance(url, str) and url else None)


def cloudwatch_links(file: str, text: str, base_url: str) -> Iterator[AlertLink]:
    data = json.loads(text)
    composites = data.get("composite_alarms", []) if isinstance(data, dict) else []
    # A list of PutCompositeAlarm payloads, or a map name -> payload (Terraform for_each style).
    named = sorted(composites.items()) if isinstance(composites, dict) else [(None, a) for a in composites]
    # Metric alarms that notify on their own (metrics-absent) link a runbook too.
    metric = data.get("metric_alarms", {}) if isinstance(data, dict) else {}
    named += [
        (key, a)
        for key, a in sorted(metric.items() if isinstance(metric, dict) else [])
        if isinstance(a, dict) and a.get("AlarmActions")
    ]
    url_re = re.compile(re.escape(base_url) + r"[^\s\"'<>)\]]+")
    for key, alarm in named:
        name = str(alarm.get("AlarmName", key or "?")) if isinstance(alarm, dict) else str(key or "?")
        description = alarm.get("AlarmDescription", "") if isinstance(alarm, dict) else ""
        match = url_re.search(description) if isinstance(description, str) else None
        yield AlertLink(file, name, match.group(0) if match else None)


def alert_links(outputs: dict[str, str], base_url: str) -> tuple[list[AlertLink], list[Problem]]:
    found: list[AlertLink] = []
    problems: list[Problem] = []
    for path, text in outputs.items():
        try:
            if any(fnmatch(path, p) for p in PROMETHEUS_RULES):
                found.extend(prometheus_links(path, text))
            elif any(fnmatch(path, p) for p in CLOUDWATCH_ALARMS):
                found.extend(cloudwatch_links(path, text, base_url))
        except (yaml.YAMLError, json.JSONDecodeError) as exc:
            problems.append(Problem(path, f"cannot parse generated alerts: {exc}"))
    return found, problems


# ---- resolving links -----------------------------------------------------------------------


def url_to_path(url: str, base_url: str) -> str | None:
    """The repository path a runbook URL points to (the reverse of how specs build the URL)."""
    if not url.startswith(base_url):
        return None
    rest = url[len(base_url) :].split("#", 1)[0]
    # Mirrors spec.load.resolve: a base ending in runbooks/ is followed by the name inside it.
    if base_url.rstrip("/").endswith("runbooks") and not rest.startswith("runbooks/"):
        rest = f"runbooks/{rest}"
    return rest


class Documents:
    """Runbook text by repository path: the rendered output wins over the file on disk."""

    def __init__(self, outputs: dict[str, str], root: Path):
        self.outputs = outputs
        self.root = root
        self._read: dict[str, str | None] = {}
        self._anchors: dict[str, set[str]] = {}

    def text(self, path: str) -> str | None:
        if path in self.outputs:
            return self.outputs[path]
        if path not in self._read:
            self._read[path] = self._from_disk(path)
        return self._read[path]

    def _from_disk(self, path: str) -> str | None:
        file = self.root / path
        if not file.is_file():
            return None
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def anchors(self, path: str, text: str) -> set[str]:
        """Heading anchors of a runbook, computed once however many alerts link to it."""
        if path not in self._anchors:
            self._anchors[path] = markdown.anchors(text)
        return self._anchors[path]


def check_alert_link(link: AlertLink, base_url: str, docs: Documents) -> list[Problem]:
    where = f"alert {link.alert}"
    if link.url is None:
        return [Problem(link.file, f"{where} has no runbook link (expected a URL under {base_url})")]
    path = url_to_path(link.url, base_url)
    if path is None:
        return [Problem(link.file, f"{where} links {link.url}, which is not under runbook_base_url {base_url}")]
    text = docs.text(path)
    if text is None:
        return [Problem(link.file, f"{where} links {link.url}: runbook file {path} does not exist")]
    if "#" not in link.url:
        return [Problem(link.file, f"{where} links {link.url} without an #anchor")]
    anchor = link.url.split("#", 1)[1]
    found = docs.anchors(path, text)
    if anchor not in found:
        return [
            Problem(
                link.file,
                f"{where} links {link.url}: no heading with anchor #{anchor} in {path} "
                f"(anchors: {', '.join(sorted(found)) or 'none'})",
            )
        ]
    return check_anchor_unique(link, path, anchor, text)


def check_anchor_unique(link: AlertLink, path: str, anchor: str, text: str) -> list[Problem]:
    """One heading per linked anchor: GitHub sends #page to the first `Page` heading, whoever wrote it."""
    lines = [h.line for h in markdown.headings(text) if markdown.github_slug(h.text) == anchor]
    if len(lines) < 2:
        return []
    where = ", ".join(map(str, lines))
    return [
        Problem(
            link.file,
            f"alert {link.alert} links {link.url}: {len(lines)} headings of {path} claim #{anchor} "
            f"(lines {where}); the link lands on the first",
        )
    ]


# ---- checking runbooks ---------------------------------------------------------------------


def check_runbook(path: str, text: str, docs: Documents) -> list[Problem]:
    problems: list[Problem] = []
    found = markdown.sections(text)
    for name in REQUIRED_SECTIONS:
        section = found.get(name)
        if section is None:
            problems.append(Problem(path, f"missing section ## {name}"))
        elif not section.has_content:
            problems.append(Problem(path, f"section ## {name} (line {section.heading.line}) is empty"))
    problems += check_placeholders(path, text)
    problems += check_local_links(path, text, docs)
    return problems


def check_placeholders(path: str, text: str) -> list[Problem]:
    return [
        Problem(path, f"line {number}: template placeholder {m.group(0)!r} left in the runbook")
        for number, line in enumerate(text.splitlines(), start=1)
        for m in [PLACEHOLDER_RE.search(line)]
        if m
    ]


def check_local_links(path: str, text: str, docs: Documents) -> list[Problem]:
    """Links between runbooks (e.g. to an incident runbook) must land on a file and heading."""
    problems: list[Problem] = []
    for link in markdown.links(text):
        target = link.target
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("//"):
            continue  # external URL (dashboards, consoles): not ours to check offline
        file_part, _, anchor = target.partition("#")
        target_path = _join(path, file_part) if file_part else path
        target_text = text if not file_part else docs.text(target_path)
        if target_text is None:
            problems.append(Problem(path, f"line {link.line}: link {target}: file {target_path} does not exist"))
        elif anchor and anchor not in docs.anchors(target_path, target_text):
            problems.append(Problem(path, f"line {link.line}: link {target}: no heading #{anchor} in {target_path}"))
    return problems


def _join(base_file: str, relative: str) -> str:
    parts = [p for p in base_file.split("/")[:-1] if p]
    for piece in relative.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def runbook_paths(specs: SpecSet, outputs: dict[str, str], root: Path) -> list[str]:
    """Every runbook to check: rendered ones, each SLO's own, and the incident runbooks on disk."""
    paths = {p for p in outputs if fnmatch(p, "runbooks/*.md") and p != INDEX_PATH}
    paths |= {slo.runbook for slo in specs.slos}
    incidents = root / INCIDENT_DIR
    if incidents.is_dir():
        paths |= {f"{INCIDENT_DIR}/{p.name}" for p in incidents.glob("*.md")}
    return sorted(paths)


@dataclass(frozen=True)
class Checked:
    problems: list[Problem]  # sorted; empty when every alert lands on a complete runbook
    links: int  # alert links found in the generated alerts
    runbooks: int  # runbooks checked


def check_all(specs: SpecSet, outputs: dict[str, str], root: Path | None = None) -> Checked:
    """Problems and what was checked, each rule file parsed once."""
    root = root or specs.root
    base_url = specs.defaults.runbook_base_url
    docs = Documents(outputs, root)
    links_found, problems = alert_links(outputs, base_url)
    for link in links_found:
        problems += check_alert_link(link, base_url, docs)
    paths = runbook_paths(specs, outputs, root)
    for path in paths:
        text = docs.text(path)
        if text is None:
            owner = next((s.file for s in specs.slos if s.runbook == path), path)
            problems.append(Problem(owner, f"runbook {path} does not exist"))
            continue
        problems += check_runbook(path, text, docs)
    if INDEX_PATH in outputs:
        problems += check_local_links(INDEX_PATH, outputs[INDEX_PATH], docs)
    return Checked(sorted(set(problems)), len(links_found), len(paths))


def check(specs: SpecSet, outputs: dict[str, str], root: Path | None = None) -> list[Problem]:
    """All problems, sorted; an empty list means every alert lands on a complete runbook."""
    return check_all(specs, outputs, root).problems
