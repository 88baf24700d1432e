variable "name" {
  description = "Cluster identifier and name prefix of the related resources."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,50}[a-z0-9]$", var.name))
    error_message = "name must be 3-52 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment; deletion protection and final snapshots are forced on in prod."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be one of: dev, prod."
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
  description = "Database subnet IDs, one per AZ (at least two AZs for multi-AZ)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 2
    error_message = "subnet_ids must list at least two subnets in different AZs."
  }
}

variable "allowed_security_group_ids" {
  description = "Security groups admitted on the PostgreSQL port: the EKS node/pod security group (and nothing else)."
  type        = list(string)

  validation {
    condition     = length(var.allowed_security_group_ids) > 0 && alltrue([for s in var.allowed_security_group_ids : can(regex("^sg-[0-9a-f]+$", s))])
    error_message = "allowed_security_group_ids must hold at least one security group ID (sg-...)."
  }
}

variable "kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting storage, the master secret and Performance Insights."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "engine_version" {
  description = "Aurora PostgreSQL engine version."
  type        = string
  default     = "16.4"

  validation {
    condition     = can(regex("^1[3-9]\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be an Aurora PostgreSQL version such as 16.4."
  }
}

variable "instance_class" {
  description = "Instance class of the writer and readers."
  type        = string
  default     = "db.r6g.large"

  validation {
    condition     = can(regex("^db\\.[a-z0-9]+\\.[a-z0-9]+$", var.instance_class))
    error_message = "instance_class must look like db.r6g.large."
  }
}

variable "instance_count" {
  description = "Number of instances: one writer plus readers in other AZs (2 or more for multi-AZ failover)."
  type        = number
  default     = 2

  validation {
    condition     = var.instance_count >= 2 && var.instance_count <= 16
    error_message = "instance_count must be between 2 (writer + reader) and 16."
  }
}

variable "database_name" {
  description = "Name of the initial database."
  type        = string
  default     = "app"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.database_name))
    error_message = "database_name must start with a letter and hold only lowercase letters, digits and underscores."
  }
}

variable "master_username" {
  description = "Master user name; its password is generated and rotated by RDS in Secrets Manager."
  type        = string
  default     = "app_admin"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.master_username)) && !contains(["postgres", "admin", "rdsadmin"], var.master_username)
    error_message = "master_username must be a valid, non-reserved PostgreSQL role name."
  }
}

variable "app_db_username" {
  description = "Database user of the application, authenticated with IAM (`rds-db:connect`); created once by the DB owner."
  type        = string
  default     = "api"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.app_db_username)) && var.app_db_username != var.master_username
    error_message = "app_db_username must be a lowercase PostgreSQL identifier other than the master user."
  }
}

variable "backup_retention_period" {
  description = "Days automated backups are kept."
  type        = number
  default     = 14

  validation {
    condition     = var.backup_retention_period >= 7 && var.backup_retention_period <= 35
    error_message = "backup_retention_period must be between 7 and 35 days."
  }
}

variable "preferred_backup_window" {
  description = "Daily UTC backup window (hh24:mi-hh24:mi)."
  type        = string
  default     = "03:00-04:00"

  validation {
    condition     = can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$", var.preferred_backup_window))
    error_message = "preferred_backup_window must look like 03:00-04:00."
  }
}

variable "preferred_maintenance_window" {
  description = "Weekly UTC maintenance window (ddd:hh24:mi-ddd:hh24:mi), outside the backup window."
  type        = string
  default     = "sun:05:00-sun:06:00"

  validation {
    condition     = can(regex("^(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):[0-2][0-9]:[0-5][0-9]$", var.preferred_maintenance_window))
    error_message = "preferred_maintenance_window must look like sun:05:00-sun:06:00."
  }
}

variable "deletion_protection" {
  description = "Deletion protection outside prod (prod always has it on, whatever this says)."
  type        = bool
  default     = true
}

variable "monitoring_interval" {
  description = "Enhanced Monitoring interval in seconds."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 5, 10, 15, 30, 60], var.monitoring_interval)
    error_message = "monitoring_interval must be one of 1, 5, 10, 15, 30, 60 (Enhanced Monitoring stays on)."
  }
}

variable "performance_insights_retention_period" {
  description = "Performance Insights retention in days (7 is free; 31 to 731 in months)."
  type        = number
  default     = 7

  validation {
    condition     = var.performance_insights_retention_period == 7 || (var.performance_insights_retention_period >= 31 && var.performance_insights_retention_period <= 731 && var.performance_insights_retention_period % 31 == 0) || var.performance_insights_retention_period == 731
    error_message = "performance_insights_retention_period must be 7, a multiple of 31 up to 713, or 731."
  }
}

variable "log_min_duration_statement_ms" {
  description = "Statements slower than this (ms) are logged; -1 disables slow-query logging."
  type        = number
  default     = 1000

  validation {
    condition     = var.log_min_duration_statement_ms >= -1
    error_message = "log_min_duration_statement_ms must be -1 or more."
  }
}

variable "log_retention_days" {
  description = "Retention of the exported PostgreSQL log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "logs_kms_key_arn" {
  description = "ARN of the KMS key encrypting the exported PostgreSQL log group."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
