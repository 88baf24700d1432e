variable "project" {
  description = "Project name, first part of every resource name."
  type        = string
  default     = "sre"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,10}$", var.project))
    error_message = "project must be 2-11 lowercase letters and digits."
  }
}

variable "environment" {
  description = "Environment of this root module."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "account_id" {
  description = "AWS account this environment lives in; the provider refuses any other."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be 12 digits."
  }
}

variable "region" {
  description = "Home region of the stack."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
  }
}

variable "azs" {
  description = "The three availability zones used by the network."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3
    error_message = "azs must list exactly three availability zones."
  }
}

variable "vpc_cidr" {
  description = "CIDR of the VPC; the nine subnets are carved out of it."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR."
  }
}

variable "eks" {
  description = "EKS settings: Kubernetes version, public endpoint and its allow-list, managed node groups."
  type = object({
    kubernetes_version     = string
    endpoint_public_access = bool
    public_access_cidrs    = list(string)
    node_groups = map(object({
      instance_types = list(string)
      capacity_type  = optional(string, "ON_DEMAND")
      min_size       = number
      max_size       = number
      desired_size   = number
      disk_size      = optional(number, 50)
      labels         = optional(map(string), {})
    }))
  })
}

variable "rds" {
  description = "Aurora settings: instance class and count, backup retention, deletion protection."
  type = object({
    instance_class          = string
    instance_count          = number
    backup_retention_period = number
    deletion_protection     = bool
  })
}

variable "batch" {
  description = "Batch settings: image tag of the job (git SHA), Fargate Spot and on-demand vCPU bounds."
  type = object({
    image_tag           = string
    spot_max_vcpus      = number
    on_demand_max_vcpus = number
  })

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]{1,128}$", var.batch.image_tag)) && var.batch.image_tag != "latest"
    error_message = "batch.image_tag must be an immutable tag (a git SHA), not latest."
  }
}

variable "edge" {
  description = "CloudFront settings: domain names, us-east-1 certificate, WAF rate limit (the origin is the stack's own internal ALB)."
  type = object({
    aliases                  = list(string)
    acm_certificate_arn      = string
    rate_limit_per_5_minutes = number
  })
}

variable "alerting" {
  description = "Alert routing: SNS subscriptions per tier, RDS connections threshold (the watched resources come from this stack)."
  type = object({
    subscriptions = map(list(object({
      protocol = string
      endpoint = string
    })))
    rds_connections_threshold = number
  })
}

variable "deploy_role_arn" {
  description = "IAM role of the app pipeline in this account (Helm deploy/rollback): gets an EKS access entry."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.deploy_role_arn))
    error_message = "deploy_role_arn must be an IAM role ARN."
  }
}

variable "ecr_pull_principal_arns" {
  description = "Principals of other accounts allowed to pull from this environment's ECR (dev: the prod deploy role, which promotes images)."
  type        = list(string)
  default     = []
}

variable "queue_age_zip_path" {
  description = "Queue-age Lambda zip, built by terraform/modules/batch_sfn/lambda/build_zip.py before the plan (CI ships it with the plan)."
  type        = string
  default     = ".build/queue_age.zip"
}

variable "tags" {
  description = "Extra tags for every resource (Project/Environment/ManagedBy come from the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "slo_report" {
  description = "Who may query the AMP workspace for `sre slo report`: a service account (Pod Identity) and IAM principals allowed to assume the query role."
  type = object({
    namespace       = string
    service_account = string
    principal_arns  = optional(list(string), [])
  })
  default = {
    namespace       = "monitoring"
    service_account = "sre-slo-report"
  }
}
