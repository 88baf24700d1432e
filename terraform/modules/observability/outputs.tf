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
