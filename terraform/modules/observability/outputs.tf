output "sns_topic_arns" {
  description = "Map of tier (page, ticket) to SNS topic ARN."
  value       = { for tier, t in aws_sns_topic.this : tier => t.arn }
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the topics."
  value       = aws_kms_key.this.arn
}

output "slo_metric_alarm_names" {
  description = "Names of the generated SLO child metric alarms deployed."
  value       = sort(keys(aws_cloudwatch_metric_alarm.slo))
}

output "slo_composite_alarm_arns" {
  description = "Map of generated composite alarm name to ARN."
  value       = { for name, a in aws_cloudwatch_composite_alarm.slo : name => a.arn }
}

output "dashboard_names" {
  description = "Names of the generated dashboards deployed."
  value       = sort([for d in aws_cloudwatch_dashboard.slo : d.dashboard_name])
}

output "classic_alarm_names" {
  description = "Names of the classic resource alarms (ALB, pods, RDS, Batch, Step Functions)."
  value       = sort([for a in aws_cloudwatch_metric_alarm.classic : a.alarm_name])
}
