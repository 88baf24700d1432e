variable "name" {
  description = "Name prefix of the trail, recorder, buckets and keys."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "access_logs_bucket_name" {
  description = "Bucket receiving the server access logs of the audit bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs_bucket_name))
    error_message = "access_logs_bucket_name must be a valid bucket name."
  }
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the CloudTrail CloudWatch log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "audit_log_retention_days" {
  description = "Days CloudTrail and Config objects are kept in the audit bucket."
  type        = number
  default     = 2557

  validation {
    condition     = var.audit_log_retention_days >= 365
    error_message = "audit_log_retention_days must be at least 365."
  }
}

variable "cloudwatch_log_retention_days" {
  description = "Retention of the CloudTrail CloudWatch log group (for metric filters and queries), in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.cloudwatch_log_retention_days)
    error_message = "cloudwatch_log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "enable_config" {
  description = "Create the AWS Config recorder (only one recorder may exist per account and region)."
  type        = bool
  default     = true
}

variable "enable_guardduty" {
  description = "Create the GuardDuty detector (only one detector may exist per account and region)."
  type        = bool
  default     = true
}

variable "guardduty_finding_publishing_frequency" {
  description = "How often GuardDuty publishes updated findings."
  type        = string
  default     = "FIFTEEN_MINUTES"

  validation {
    condition     = contains(["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"], var.guardduty_finding_publishing_frequency)
    error_message = "guardduty_finding_publishing_frequency must be FIFTEEN_MINUTES, ONE_HOUR or SIX_HOURS."
  }
}

variable "force_destroy" {
  description = "Allow destroying the audit bucket while it holds objects. Keep false; the bucket policy denies object deletion anyway (only lifecycle expiration removes audit logs)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
