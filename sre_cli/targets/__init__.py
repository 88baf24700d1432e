"""Generators that turn resolved SLOs into files for a monitoring backend, one package per backend.

Each output module exposes `TARGET` (see `sre_cli.generate.Target`) and is registered in
`sre_cli.generate.TARGET_MODULES`.
"""
