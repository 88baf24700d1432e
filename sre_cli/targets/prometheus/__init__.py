"""Prometheus-stack outputs: rule files, PrometheusRule manifests, Alertmanager routing, Grafana.

`naming` fixes the recorded series names every other module (and the report) reads; `sli` builds
the PromQL of each indicator kind; `rules` assembles the rule groups the other outputs reuse.
"""
