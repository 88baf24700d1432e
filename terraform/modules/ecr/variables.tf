variable "name" {
  description = "Prefix of the repository names (`<name>/<repository>`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "repositories" {
  description = "Repositories to create (one per image: API, front end, batch job)."
  type        = set(string)
  default     = ["api", "front", "batch-job"]

  validation {
    condition     = length(var.repositories) > 0 && alltrue([for r in var.repositories : can(regex("^[a-z0-9]+(?:[._-][a-z0-9]+)*$", r))])
    error_message = "repositories must be non-empty and hold valid ECR repository name components."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting the images."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "max_tagged_images" {
  description = "How many SHA-tagged images to keep per repository (older ones are expired; rollback targets must be within this window)."
  type        = number
  default     = 50

  validation {
    condition     = var.max_tagged_images >= 10
    error_message = "max_tagged_images must be at least 10 so recent rollbacks stay possible."
  }
}

variable "untagged_image_expiration_days" {
  description = "Days after which untagged images (e.g. failed pushes, build cache layers) are expired."
  type        = number
  default     = 7

  validation {
    condition     = var.untagged_image_expiration_days >= 1
    error_message = "untagged_image_expiration_days must be at least 1."
  }
}

variable "pull_principal_arns" {
  description = "Extra IAM principals (e.g. another account's node role) allowed to pull; same-account principals rely on IAM policies."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.pull_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:", a))])
    error_message = "pull_principal_arns must be IAM ARNs."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
