"""Environment placeholders: `${name}` where an environment's identity goes, filled per environment.

The specs are environment-free: a CloudWatch dimension value or an SNS topic ARN may be, or
contain, `${name}` (name: `[a-z][a-z0-9_]*`). The generated CloudWatch files keep them verbatim,
so each file is a Terraform template: the observability module reads it with
`jsondecode(templatefile(path, sre_values))`, and `sre cloudwatch diff|apply|prune --values FILE`
fills it the same way (`fill`) from `terraform output -json sre_values`.

For that, a generated file may hold no other template sequence: a literal `${` or `%{` of user
text (a description, a runbook URL) is written JSON-escaped as `$\\u007b` / `%\\u007b`, which
Terraform leaves alone and JSON decodes back to the user's text. Which strings may carry
placeholders is known where they are built, not from their text (a description may well say
`${x}`), so generators wrap those strings in `Identity`; `template_json` escapes every other one.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sre_cli.slospec.model import Slo

NAME = r"[a-z][a-z0-9_]*"
PLACEHOLDER = re.compile(r"\$\{(" + NAME + r")\}")
_TEMPLATE_START = re.compile(r"[$%]\{")

# The dashboards' alarm ARNs and metric regions need the account and region of the topics. When
# the topic ARN is itself a placeholder they cannot be read from it, so they are placeholders too.
REGION = "aws_region"
ACCOUNT = "aws_account_id"


class Identity(str):
    """A string that may carry `${name}` placeholders: kept verbatim in the generated files."""

    __slots__ = ()


class Text(str):
    """User text where identities otherwise go (a grouped SLO's dimension value): never a placeholder.

    `metric_stat` keeps it as it is instead of making it an `Identity`, so `template_json` escapes
    a `${` in it like in any other user text.
    """

    __slots__ = ()


class MissingValues(ValueError):
    """Placeholders without a value (or a values file that cannot be used): exit code 2."""


# ---- the spec side -----------------------------------------------------------------------------


def syntax_problem(text: str) -> str | None:
    """Why `text` is not a valid identity (every `${` must open a `${name}`; no `%{`), or None."""
    for opening in _TEMPLATE_START.finditer(text):
        column = opening.start() + 1
        if opening.group() == "%{":
            return f"column {column}: `%{{` is a template directive; identities may only hold ${{name}} placeholders"
        close = text.find("}", opening.end())
        if close == -1:
            return f"column {column}: unclosed placeholder `${{` (write ${{name}})"
        name = text[opening.end() : close]
        if not re.fullmatch(NAME, name):
            return f"column {column}: bad placeholder name {name!r} (lowercase letters, digits and _, letter first)"
    return None


def names_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def has_placeholders(text: str) -> bool:
    return "${" in text


# ---- the file boundary -------------------------------------------------------------------------


def _escape_literal(encoded: str) -> str:
    """A JSON string literal whose `${`/`%{` Terraform must not read as template syntax."""
    return encoded.replace("${", "$\\u007b").replace("%{", "%\\u007b")


def template_json(document: Any, dumps: Callable[[Any], str]) -> str:
    """`dumps(document)`, with every `${`/`%{` outside an `Identity` written `$\\u007b`/`%\\u007b`.

    Strings needing it are swapped for unique tokens before `dumps` (so any writer, C encoder
    included, can be used) and their escaped encoding is put in place of the tokens after.
    Dict keys are names the generators build from DNS labels and are not rewritten.
    """
    literals: list[str] = []
    prefix = f"\x00sre-literal-{secrets.token_hex(8)}-"

    def hide(value: Any) -> Any:
        if isinstance(value, str):
            if isinstance(value, Identity) or not _TEMPLATE_START.search(value):
                return value
            literals.append(value)
            return f"{prefix}{len(literals) - 1}"
        if isinstance(value, dict):
            return {k: hide(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [hide(v) for v in value]
        return value

    hidden = hide(document)
    text = dumps(hidden)
    if not literals:
        return text
    token = re.compile(re.escape(json.dumps(prefix)[:-1]) + r'(\d+)"')
    if len(token.findall(text)) != len(literals):  # the prefix occurs elsewhere: astronomically unlikely
        return template_json(document, dumps)
    return token.sub(lambda m: _escape_literal(json.dumps(literals[int(m.group(1))])), text)


# ---- filling -----------------------------------------------------------------------------------


def fill(text: str, values: Mapping[str, str], source: str = "") -> str:
    """Terraform's `templatefile` on our files: every `${name}` replaced, an unknown name an error."""
    missing = sorted({n for n in PLACEHOLDER.findall(text) if n not in values})
    if missing:
        where = f" in {source}" if source else ""
        raise MissingValues(f"no value for placeholder(s){where}: {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def missing_message(names: Iterable[str], values_file: str | Path | None) -> str:
    listed = ", ".join(sorted(set(names)))
    if values_file is None:
        return (
            f"the CloudWatch requests carry environment placeholders ({listed}) and no --values file was given; "
            "pass one (`terraform output -json sre_values > values.json`, then --values values.json) so nothing "
            "is sent to AWS with ${...} in it"
        )
    return f"{values_file}: no value for placeholder(s) {listed}"


# A value lands inside JSON strings (Terraform substitutes into the raw file text), so it may not
# hold what would end or escape one.
_UNSAFE_VALUE = re.compile(r'["\\\x00-\x1f]')


def load_values(path: str | Path) -> dict[str, str]:
    """A values file: `{name: value}` (`terraform output -json sre_values`), or the full
    `terraform output -json` form `{"sre_values": {"value": {...}}}`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise MissingValues(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MissingValues(f"{path}: not JSON: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("sre_values"), dict) and "value" in data["sre_values"]:
        data = data["sre_values"]["value"]
    if not isinstance(data, dict):
        raise MissingValues(f"{path}: expected a JSON object of strings (terraform output -json sre_values)")
    problems = [
        f"{key!r} is not a placeholder name" if not re.fullmatch(NAME, str(key)) else f"{key}: not a string"
        for key, value in data.items()
        if not re.fullmatch(NAME, str(key)) or not isinstance(value, str)
    ]
    problems += [
        f"{key}: the value holds a quote, backslash or control character"
        for key, value in data.items()
        if isinstance(value, str) and _UNSAFE_VALUE.search(value)
    ]
    if problems:
        raise MissingValues(f"{path}: expected a JSON object of strings: " + "; ".join(problems))
    return dict(data)


def slo_placeholders(slo: Any) -> set[str]:
    """Placeholder names in an SLO's CloudWatch dimension values."""
    body = slo.indicator.body.cloudwatch
    text = body.model_dump_json() if body is not None else ""
    return set(names_in(text))


def fill_slo(slo: Slo, values: Mapping[str, str], source: str = "") -> Slo:
    """The SLO with its CloudWatch dimension values filled (what the report backend queries)."""
    import dataclasses

    data = slo.indicator.model_dump(by_alias=True, exclude_none=True)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "dimensions" and isinstance(value, dict):
                    node[key] = {k: fill(v, values, source) for k, v in value.items()}
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    indicator = type(slo.indicator).model_validate(data)
    body = slo.document.spec.model_copy(update={"indicator": indicator})
    return dataclasses.replace(slo, indicator=indicator, document=slo.document.model_copy(update={"spec": body}))
