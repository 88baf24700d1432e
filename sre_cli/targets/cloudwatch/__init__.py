"""CloudWatch targets: burn-rate alarms, dashboards, their strict validator and a metric-math parser."""
