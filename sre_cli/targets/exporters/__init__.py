"""Exporter configurations generated from the specs."""
