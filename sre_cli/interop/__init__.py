"""Moving SLOs between `sre.dev/v1` and the peers' formats: Sloth, Pyrra and OpenSLO.

Importers read a peer's documents and map each object onto `sre.dev/v1` documents (plain
dicts, written as YAML), recording per field what mapped exactly, what was approximated and
what could not be mapped (`report`). `export` writes OpenSLO v1 from loaded specs.
"""
