variable "name" {
  description = "Name of the EKS cluster and prefix of its IAM roles."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane and node groups."
  type        = string
  default     = "1.31"

  validation {
    condition     = can(regex("^1\\.(2[89]|3[0-9])$", var.kubernetes_version))
    error_message = "kubernetes_version must be a supported minor version such as 1.31."
  }
}

variable "vpc_id" {
  description = "ID of the VPC hosting the cluster."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "subnet_ids" {
  description = "Private subnet IDs for the control-plane ENIs and the nodes (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets."
  }
}

variable "endpoint_public_access" {
  description = "Expose the API server endpoint publicly as well (the private endpoint is always on)."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when it is enabled; never 0.0.0.0/0."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "public_access_cidrs must be valid IPv4 CIDRs and must not be 0.0.0.0/0."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key for envelope encryption of Kubernetes secrets."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the control-plane log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "cluster_log_types" {
  description = "Control-plane log types shipped to CloudWatch Logs."
  type        = list(string)
  default     = ["api", "audit", "authenticator", "controllerManager", "scheduler"]

  validation {
    condition     = alltrue([for t in var.cluster_log_types : contains(["api", "audit", "authenticator", "controllerManager", "scheduler"], t)])
    error_message = "cluster_log_types entries must be api, audit, authenticator, controllerManager or scheduler."
  }
}

variable "log_retention_days" {
  description = "Retention of the control-plane log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "node_groups" {
  description = "Managed node groups keyed by name, with their autoscaling bounds."
  type = map(object({
    instance_types = list(string)
    capacity_type  = optional(string, "ON_DEMAND")
    min_size       = number
    max_size       = number
    desired_size   = number
    disk_size      = optional(number, 50)
    labels         = optional(map(string), {})
  }))

  validation {
    condition     = length(var.node_groups) > 0
    error_message = "node_groups must define at least one node group."
  }

  validation {
    condition     = alltrue([for k, g in var.node_groups : contains(["ON_DEMAND", "SPOT"], g.capacity_type)])
    error_message = "node_groups[*].capacity_type must be ON_DEMAND or SPOT."
  }

  validation {
    condition     = alltrue([for k, g in var.node_groups : g.min_size >= 1 && g.min_size <= g.desired_size && g.desired_size <= g.max_size])
    error_message = "node_groups[*] must satisfy 1 <= min_size <= desired_size <= max_size."
  }

  validation {
    condition     = alltrue([for k, g in var.node_groups : can(regex("^[a-z][a-z0-9-]{0,30}$", k))])
    error_message = "node_groups keys must be short lowercase names."
  }
}

variable "api_service_account" {
  description = "Kubernetes namespace and service account of the API pods, trusted by the API IRSA role."
  type = object({
    namespace = string
    name      = string
  })
  default = {
    namespace = "api"
    name      = "api"
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.api_service_account.namespace)) && can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.api_service_account.name))
    error_message = "api_service_account namespace and name must be valid Kubernetes names."
  }
}

variable "state_machine_arn" {
  description = "ARN of the Step Functions state machine the API starts executions of."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:.+$", var.state_machine_arn))
    error_message = "state_machine_arn must be a Step Functions state machine ARN."
  }
}

variable "batch_job_queue_arn" {
  description = "ARN of the Batch job queue the API submits jobs to."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-queue/.+$", var.batch_job_queue_arn))
    error_message = "batch_job_queue_arn must be a Batch job queue ARN."
  }
}

variable "batch_job_definition_arn_prefix" {
  description = "ARN of the Batch job definition without its revision (`...:job-definition/<name>`); every revision is allowed."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:batch:[a-z0-9-]+:[0-9]{12}:job-definition/[A-Za-z0-9_-]+$", var.batch_job_definition_arn_prefix))
    error_message = "batch_job_definition_arn_prefix must be a Batch job definition ARN without the :revision suffix."
  }
}

variable "bucket_arns" {
  description = "ARNs of the buckets the API reads and writes (uploads and results)."
  type        = list(string)

  validation {
    condition     = length(var.bucket_arns) > 0 && alltrue([for b in var.bucket_arns : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9.-]+$", b))])
    error_message = "bucket_arns must hold S3 bucket ARNs."
  }
}

variable "bucket_kms_key_arn" {
  description = "ARN of the KMS key encrypting those buckets (SSE-KMS needs kms:Decrypt/GenerateDataKey)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.bucket_kms_key_arn))
    error_message = "bucket_kms_key_arn must be a KMS key ARN."
  }
}

variable "api_secret_arn" {
  description = "ARN of the Secrets Manager secret the API reads: its own database connection details, never the master secret."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.api_secret_arn))
    error_message = "api_secret_arn must be a Secrets Manager secret ARN."
  }
}

variable "api_db_user_arn" {
  description = "`rds-db:connect` resource of the API's database user (IAM database authentication)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:rds-db:[a-z0-9-]+:[0-9]{12}:dbuser:[A-Za-z0-9-]+/[a-z][a-z0-9_]*$", var.api_db_user_arn))
    error_message = "api_db_user_arn must look like arn:aws:rds-db:<region>:<account>:dbuser:<cluster-resource-id>/<user>."
  }
}

variable "deploy_role_arn" {
  description = "IAM role of the app pipeline (Helm deploy and rollback); it gets an EKS access entry."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.deploy_role_arn))
    error_message = "deploy_role_arn must be an IAM role ARN."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
