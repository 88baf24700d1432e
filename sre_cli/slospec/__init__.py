"""The SLO spec language: the document as written (`document`), resolved (`model`), loaded from YAML
with positions (`load`, `yamlpos`), checked across fields (`validate`), and its JSON Schema (`schema`).

Import from the module that holds a name; this package imports nothing, so reading the model never
pulls in the loader.
"""
