"""The runbook environment is strict: a misspelt name is an error, never a blank in a runbook."""

from __future__ import annotations

import jinja2
import pytest

from sre_cli.runbooks import render


def test_a_missing_key_is_still_an_error() -> None:
    with pytest.raises(jinja2.UndefinedError):
        render.environment().from_string("{{ a.missing }}").render(a={"b": 1})
