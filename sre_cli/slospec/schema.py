"""JSON Schema of the spec, generated from the model so editors validate while typing."""

from __future__ import annotations

import json
from typing import Any

from sre_cli.generate import Target
from sre_cli.slospec import document
from sre_cli.slospec.model import SpecSet

SCHEMA_PATH = "slo/schema.json"
DEFAULTS_SCHEMA_PATH = "slo/defaults.schema.json"


def _schema(cls: type[document.BaseModel], title: str) -> dict[str, Any]:
    schema = cls.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    return schema


def spec_schema() -> dict[str, Any]:
    return _schema(document.SloDocument, "sre SLO spec (sre.dev/v1)")


def defaults_schema() -> dict[str, Any]:
    return _schema(document.Defaults, "sre defaults.yaml")


def render(specs: SpecSet) -> dict[str, str]:
    return {
        SCHEMA_PATH: json.dumps(spec_schema(), indent=2, sort_keys=True),
        DEFAULTS_SCHEMA_PATH: json.dumps(defaults_schema(), indent=2, sort_keys=True),
    }


TARGET = Target("schema", (SCHEMA_PATH, DEFAULTS_SCHEMA_PATH), render)
