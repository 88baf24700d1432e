variable "name" {
  description = "Name prefix of the keys and buckets (e.g. `sre-dev`). Bucket names append the account ID to stay globally unique."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "key_deletion_window_in_days" {
  description = "Waiting period before a scheduled KMS key deletion takes effect."
  type        = number
  default     = 30

  validation {
    condition     = var.key_deletion_window_in_days >= 7 && var.key_deletion_window_in_days <= 30
    error_message = "key_deletion_window_in_days must be between 7 and 30."
  }
}

variable "key_administrator_arns" {
  description = "IAM principals allowed to administer (but not use) the keys. The account root always keeps full access so the keys can never be orphaned."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user|root)", a))])
    error_message = "key_administrator_arns must be IAM role/user ARNs."
  }
}

variable "force_destroy" {
  description = "Allow destroying non-empty buckets. Keep false outside throwaway environments."
  type        = bool
  default     = false
}

variable "results_transition_days" {
  description = "Days after which result objects move to Glacier Instant Retrieval."
  type        = number
  default     = 365

  validation {
    condition     = var.results_transition_days >= 30
    error_message = "results_transition_days must be at least 30 (S3 minimum for infrequent-access classes)."
  }
}

variable "results_expiration_days" {
  description = "Days after which result objects expire (5 years by default)."
  type        = number
  default     = 1825

  validation {
    condition     = var.results_expiration_days > 0
    error_message = "results_expiration_days must be positive."
  }
}

variable "results_transition_storage_class" {
  description = "Storage class results transition to after `results_transition_days`."
  type        = string
  default     = "GLACIER_IR"

  validation {
    condition     = contains(["STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"], var.results_transition_storage_class)
    error_message = "results_transition_storage_class must be an S3 storage class valid for lifecycle transitions."
  }
}

variable "uploads_expiration_days" {
  description = "Days after which raw uploads expire; `null` keeps them forever (results are what must be retained 5 years)."
  type        = number
  default     = null

  validation {
    condition     = var.uploads_expiration_days == null ? true : var.uploads_expiration_days > 0
    error_message = "uploads_expiration_days must be positive or null."
  }
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which non-current object versions are deleted on every bucket."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_expiration_days > 0
    error_message = "noncurrent_version_expiration_days must be positive."
  }
}

variable "access_logs_expiration_days" {
  description = "Days the S3/CloudFront access logs are kept."
  type        = number
  default     = 400

  validation {
    condition     = var.access_logs_expiration_days >= 90
    error_message = "access_logs_expiration_days must be at least 90."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
