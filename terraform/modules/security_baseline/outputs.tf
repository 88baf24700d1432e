output "cloudtrail_arn" {
  description = "ARN of the multi-region trail."
  value       = aws_cloudtrail.this.arn
}

output "cloudtrail_log_group_name" {
  description = "CloudWatch Logs group receiving a copy of the trail (for metric filters)."
  value       = aws_cloudwatch_log_group.cloudtrail.name
}

output "audit_bucket_name" {
  description = "Name of the bucket holding CloudTrail logs and Config snapshots."
  value       = aws_s3_bucket.this.id
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting the audit data."
  value       = aws_kms_key.this.arn
}

output "config_recorder_name" {
  description = "Name of the AWS Config recorder, or null when disabled."
  value       = one(aws_config_configuration_recorder.this[*].name)
}

output "guardduty_detector_id" {
  description = "ID of the GuardDuty detector, or null when disabled."
  value       = one(aws_guardduty_detector.this[*].id)
}
