"""The SLO spec: model, loading with positions, validation, JSON Schema."""

from sre_cli.spec.load import AlertTier, Slo, SpecError, SpecLoadError, SpecSet, load, load_or_raise

__all__ = ["AlertTier", "Slo", "SpecError", "SpecLoadError", "SpecSet", "load", "load_or_raise"]
