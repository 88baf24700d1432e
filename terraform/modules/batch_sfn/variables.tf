variable "name" {
  description = "Name prefix of the compute environments, queue, job definition, state machine and Lambda."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "ID of the VPC the Fargate jobs and the Lambda run in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs for the Fargate jobs and the queue-age Lambda."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets."
  }
}

variable "queue_age_zip_path" {
  description = "Path of the queue-age Lambda zip built by `lambda/build_zip.py` (CI builds it before the plan and ships it with the plan to the apply)."
  type        = string

  validation {
    condition     = endswith(var.queue_age_zip_path, ".zip")
    error_message = "queue_age_zip_path must name a .zip file."
  }
}

variable "batch_job_image" {
  description = "Container image of the batch job, pinned by tag or digest (e.g. `<account>.dkr.ecr.<region>.amazonaws.com/sre/batch-job:<git-sha>`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", var.batch_job_image)) && !endswith(var.batch_job_image, ":latest")
    error_message = "batch_job_image must be a registry/repository reference pinned to a tag other than latest, or to a digest."
  }
}

variable "job_vcpu" {
  description = "vCPUs of one job (a Fargate-supported value)."
  type        = number
  default     = 1

  validation {
    condition     = contains([0.25, 0.5, 1, 2, 4, 8, 16], var.job_vcpu)
    error_message = "job_vcpu must be one of 0.25, 0.5, 1, 2, 4, 8, 16."
  }
}

variable "job_memory_mib" {
  description = "Memory of one job, in MiB (must be a valid Fargate combination with job_vcpu)."
  type        = number
  default     = 2048

  validation {
    condition     = var.job_memory_mib >= 512 && var.job_memory_mib <= 122880
    error_message = "job_memory_mib must be between 512 and 122880."
  }
}

variable "job_timeout_seconds" {
  description = "Per-attempt timeout of a job; Batch terminates attempts running longer."
  type        = number
  default     = 3600

  validation {
    condition     = var.job_timeout_seconds >= 60
    error_message = "job_timeout_seconds must be at least 60."
  }
}

variable "job_attempts" {
  description = "Batch-level attempts per job (covers Spot reclaims); Step Functions retries on top of it."
  type        = number
  default     = 2

  validation {
    condition     = var.job_attempts >= 1 && var.job_attempts <= 10
    error_message = "job_attempts must be between 1 and 10."
  }
}

variable "spot_max_vcpus" {
  description = "Upper bound of the Fargate Spot compute environment, in vCPUs."
  type        = number
  default     = 64

  validation {
    condition     = var.spot_max_vcpus > 0
    error_message = "spot_max_vcpus must be positive."
  }
}

variable "on_demand_max_vcpus" {
  description = "Upper bound of the Fargate on-demand compute environment (fallback when Spot has no capacity), in vCPUs."
  type        = number
  default     = 32

  validation {
    condition     = var.on_demand_max_vcpus > 0
    error_message = "on_demand_max_vcpus must be positive."
  }
}

variable "sfn_task_retries" {
  description = "Step Functions retries of a failed Batch job (States.TaskFailed), with exponential backoff."
  type        = number
  default     = 2

  validation {
    condition     = var.sfn_task_retries >= 0 && var.sfn_task_retries <= 10
    error_message = "sfn_task_retries must be between 0 and 10."
  }
}

variable "sfn_log_level" {
  description = "Step Functions execution log level."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL"], var.sfn_log_level)
    error_message = "sfn_log_level must be ALL, ERROR or FATAL (OFF is not allowed)."
  }
}

variable "uploads_bucket_arn" {
  description = "ARN of the uploads bucket jobs read from."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.uploads_bucket_arn))
    error_message = "uploads_bucket_arn must be an S3 bucket ARN."
  }
}

variable "results_bucket_arn" {
  description = "ARN of the results bucket jobs write to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", var.results_bucket_arn))
    error_message = "results_bucket_arn must be an S3 bucket ARN."
  }
}

variable "bucket_kms_key_arn" {
  description = "ARN of the KMS key of the two buckets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.bucket_kms_key_arn))
    error_message = "bucket_kms_key_arn must be a KMS key ARN."
  }
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the job, state-machine and Lambda log groups."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "lambda_kms_key_arn" {
  description = "ARN of the KMS key encrypting the queue-age Lambda's environment variables."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.lambda_kms_key_arn))
    error_message = "lambda_kms_key_arn must be a KMS key ARN."
  }
}

variable "queue_age_schedule" {
  description = "EventBridge schedule of the queue-age Lambda (its metric resolution)."
  type        = string
  default     = "rate(1 minute)"

  validation {
    condition     = can(regex("^(rate\\([0-9]+ (minute|minutes|hour|hours)\\)|cron\\(.+\\))$", var.queue_age_schedule))
    error_message = "queue_age_schedule must be an EventBridge rate(...) or cron(...) expression."
  }
}

variable "log_retention_days" {
  description = "Retention of the module's log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
