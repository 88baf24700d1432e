"""Runbooks: one generated page per SLO (templates + hand-written parts) and the link checker.

`runbooks/<slo>.md` is rendered by `sre generate` from `templates/slo.md.j2` and the spec; the
hand-written knowledge of the stack lives in `runbooks/_hand/<slo>.md` (merged in, never
overwritten) and in `runbooks/incidents/*.md`. `sre runbooks check` proves every alert link lands
on an existing heading.
"""
