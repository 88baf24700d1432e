output "sns_topic_arns" {
  description = "Map of tier (page, ticket) to SNS topic ARN."
  value       = { for tier, t in aws_sns_topic.this : tier => t.arn }
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topics."
  value       = aws_kms_key.this.arn
}

output "slo_metric_alarm_names" {
  description = "Names of the generated SLO metric alarms deployed (composite children and the notifying metrics-absent alarms)."
  value       = sort(concat(keys(aws_cloudwatch_metric_alarm.slo), keys(aws_cloudwatch_metric_alarm.slo_notifying)))
}

output "slo_composite_alarm_arns" {
  description = "Map of generated composite alarm name to ARN."
  value       = { for name, a in merge(aws_cloudwatch_composite_alarm.slo, aws_cloudwatch_composite_alarm.slo_any, aws_cloudwatch_composite_alarm.slo_suppressed) : name => a.arn }
}

output "dashboard_names" {
  description = "Names of the generated dashboards deployed."
  value       = sort([for d in aws_cloudwatch_dashboard.slo : d.dashboard_name])
}

output "classic_alarm_names" {
  description = "Names of the classic resource alarms (ALB, pods, RDS, Batch, Step Functions)."
  value       = sort([for a in aws_cloudwatch_metric_alarm.classic : a.alarm_name])
}

output "slo_metric_alarm_dimensions" {
  description = "Map of generated SLO metric alarm name to the list of dimension maps it watches (as deployed, placeholders filled)."
  value = {
    for name, a in merge(aws_cloudwatch_metric_alarm.slo, aws_cloudwatch_metric_alarm.slo_notifying) :
    name => concat(
      a.dimensions == null ? [] : [a.dimensions],
      flatten([for q in a.metric_query : [for m in q.metric : m.dimensions]]),
    )
  }
}

output "slo_composite_levels" {
  description = "Creation levels of the generated composites: `pairs` over metric alarms, `any` over pairs, `suppressed` naming an `any` (each level depends_on the one below)."
  value = {
    pairs      = sort(keys(aws_cloudwatch_composite_alarm.slo))
    any        = sort(keys(aws_cloudwatch_composite_alarm.slo_any))
    suppressed = sort(keys(aws_cloudwatch_composite_alarm.slo_suppressed))
  }
}

output "slo_composite_references" {
  description = "Map of composite alarm name to the alarm names its rule and actions suppressor reference."
  value       = { for name, refs in local.composite_references : name => sort(refs) }
}

output "slo_notifying_metric_alarm_actions" {
  description = "Map of generated metric alarm that notifies by itself (`<slo>-metrics-absent`) to its alarm actions (topic ARNs)."
  value       = { for name, a in aws_cloudwatch_metric_alarm.slo_notifying : name => a.alarm_actions }
}

output "amp_workspace_id" {
  description = "ID of the AMP workspace (`sre prometheus ... --amp-workspace`, `aws amp update-workspace-configuration`)."
  value       = aws_prometheus_workspace.this.id
}

output "amp_workspace_arn" {
  description = "ARN of the AMP workspace."
  value       = aws_prometheus_workspace.this.arn
}

output "amp_query_url" {
  description = "Prometheus HTTP API base of the workspace for `sre slo report --backend prometheus --prometheus-url` (SigV4, service aps)."
  value       = trimsuffix(aws_prometheus_workspace.this.prometheus_endpoint, "/")
}

output "amp_rule_namespace_data" {
  description = "Map of AMP rule groups namespace (service) to its data, as deployed (the generated rule file)."
  value       = { for name, ns in aws_prometheus_rule_group_namespace.slo : name => ns.data }
}

output "amp_alertmanager_definition" {
  description = "The AMP Alertmanager definition as deployed (generated template filled with this environment's values and topics)."
  value       = aws_prometheus_alert_manager_definition.this.definition
}

output "amp_scrape_configuration" {
  description = "Scrape configuration (YAML) of the AMP managed scraper of the EKS cluster."
  value       = aws_prometheus_scraper.eks.scrape_configuration
}

output "amp_out_of_order_window_seconds" {
  description = "Out-of-order window the workspace needs for YACE's back-dated samples (its longest look-back); the AWS provider cannot set it yet, the terraform workflow does after apply."
  value       = local.amp_out_of_order_window_seconds
}

output "yace_role_arn" {
  description = "Pod Identity role of YACE (read-only CloudWatch); associated with its service account here."
  value       = aws_iam_role.yace.arn
}

output "slo_report_role_arn" {
  description = "Role allowed to query the workspace (aps:QueryMetrics, GetSeries, GetLabels, GetMetricMetadata) for `sre slo report`."
  value       = aws_iam_role.slo_report.arn
}

output "slo_alarm_scope_tags" {
  description = "The `sre:scope` tag of every generated alarm as deployed: `<spec set>/<environment>`, what `sre cloudwatch prune` scopes by."
  value = merge(
    { for name, alarm in aws_cloudwatch_metric_alarm.slo : name => lookup(alarm.tags, "sre:scope", null) },
    { for name, alarm in aws_cloudwatch_metric_alarm.slo_notifying : name => lookup(alarm.tags, "sre:scope", null) },
    { for name, alarm in aws_cloudwatch_composite_alarm.slo : name => lookup(alarm.tags, "sre:scope", null) },
    { for name, alarm in aws_cloudwatch_composite_alarm.slo_any : name => lookup(alarm.tags, "sre:scope", null) },
    { for name, alarm in aws_cloudwatch_composite_alarm.slo_suppressed : name => lookup(alarm.tags, "sre:scope", null) },
  )
}
