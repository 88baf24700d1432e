variable "name" {
  description = "Name prefix of the topics, key and classic alarms (e.g. `sre-prod`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "alarms_dir" {
  description = "Directory of the generated `alarms/cloudwatch/*.json` files (output of `sre generate`); every file's metric_alarms and composite_alarms are deployed."
  type        = string

  validation {
    condition     = length(trimspace(var.alarms_dir)) > 0
    error_message = "alarms_dir must not be empty."
  }
}

variable "dashboards_dir" {
  description = "Directory of the generated `dashboards/cloudwatch/*.json` PutDashboard requests."
  type        = string

  validation {
    condition     = length(trimspace(var.dashboards_dir)) > 0
    error_message = "dashboards_dir must not be empty."
  }
}

variable "sre_values" {
  description = "This environment's values of the placeholders in the generated alarm and dashboard templates (`api_alb_arn_suffix`, `api_target_group_arn_suffix`, `state_machine_arn`, `batch_job_queue_name`, `aws_region`, `aws_account_id`, `environment`); the topic ARNs are added by this module. The env outputs the same map as `sre_values` for `sre cloudwatch --values`."
  type        = map(string)

  validation {
    condition     = length(setsubtract(["api_alb_arn_suffix", "api_target_group_arn_suffix", "state_machine_arn", "batch_job_queue_name", "aws_region", "aws_account_id", "environment"], keys(var.sre_values))) == 0
    error_message = "sre_values needs api_alb_arn_suffix, api_target_group_arn_suffix, state_machine_arn, batch_job_queue_name, aws_region, aws_account_id and environment."
  }

  validation {
    condition     = !contains(keys(var.sre_values), "page_topic_arn") && !contains(keys(var.sre_values), "ticket_topic_arn")
    error_message = "sre_values must not set page_topic_arn/ticket_topic_arn: the module's own topics fill them."
  }
}

variable "subscriptions" {
  description = "Subscriptions per tier: `page` (wakes someone up) and `ticket` (next business day). Endpoints of protocol https/email/sqs/lambda."
  type = map(list(object({
    protocol = string
    endpoint = string
  })))
  default = {}

  validation {
    condition     = alltrue([for tier in keys(var.subscriptions) : contains(["page", "ticket"], tier)])
    error_message = "subscriptions keys must be page or ticket."
  }

  validation {
    condition     = alltrue(flatten([for tier, subs in var.subscriptions : [for s in subs : contains(["https", "email", "email-json", "sqs", "lambda", "firehose"], s.protocol)]]))
    error_message = "subscriptions protocols must be one of https, email, email-json, sqs, lambda, firehose (plain http is refused)."
  }
}

variable "classic_alarms_tier" {
  description = "Tier (SNS topic) the classic resource alarms notify; SLO composites route by their own `severity` tag."
  type        = string
  default     = "ticket"

  validation {
    condition     = contains(["page", "ticket"], var.classic_alarms_tier)
    error_message = "classic_alarms_tier must be page or ticket."
  }
}

variable "alb_5xx_threshold" {
  description = "ALB alarms when more than this many 5xx (target + ELB generated) are returned in 5 minutes."
  type        = number
  default     = 50

  validation {
    condition     = var.alb_5xx_threshold > 0
    error_message = "alb_5xx_threshold must be positive."
  }
}

variable "alb_p99_latency_threshold_seconds" {
  description = "ALB alarms when the p99 TargetResponseTime stays above this many seconds for 15 minutes."
  type        = number
  default     = 1.5

  validation {
    condition     = var.alb_p99_latency_threshold_seconds > 0
    error_message = "alb_p99_latency_threshold_seconds must be positive."
  }
}

variable "eks_cluster_name" {
  description = "EKS cluster whose Container Insights pod metrics are alarmed on."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", var.eks_cluster_name))
    error_message = "eks_cluster_name must be a valid EKS cluster name."
  }
}

variable "monitored_workloads" {
  description = "Workloads (Container Insights `Namespace` and `PodName`) with CPU and memory alarms."
  type = list(object({
    namespace = string
    pod_name  = string
  }))
  default = [
    { namespace = "api", pod_name = "api" },
    { namespace = "front", pod_name = "front" },
  ]

  validation {
    condition     = alltrue([for w in var.monitored_workloads : can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", w.namespace)) && length(w.pod_name) > 0])
    error_message = "monitored_workloads entries need a valid namespace and a pod_name."
  }
}

variable "pod_cpu_threshold_percent" {
  description = "Pod CPU utilisation in percent of its CPU limit (`pod_cpu_utilization_over_pod_limit`) above which the pod alarm fires."
  type        = number
  default     = 85

  validation {
    condition     = var.pod_cpu_threshold_percent > 0 && var.pod_cpu_threshold_percent <= 100
    error_message = "pod_cpu_threshold_percent must be in (0, 100]."
  }
}

variable "pod_memory_threshold_percent" {
  description = "Pod memory utilisation in percent of its memory limit (`pod_memory_utilization_over_pod_limit`) above which the pod alarm fires."
  type        = number
  default     = 85

  validation {
    condition     = var.pod_memory_threshold_percent > 0 && var.pod_memory_threshold_percent <= 100
    error_message = "pod_memory_threshold_percent must be in (0, 100]."
  }
}

variable "rds_cluster_id" {
  description = "Aurora cluster identifier (`DBClusterIdentifier`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.rds_cluster_id))
    error_message = "rds_cluster_id must be a valid DB cluster identifier."
  }
}

variable "rds_connections_threshold" {
  description = "DatabaseConnections above which the RDS alarm fires (set near 80% of max_connections of the instance class)."
  type        = number
  default     = 800

  validation {
    condition     = var.rds_connections_threshold > 0
    error_message = "rds_connections_threshold must be positive."
  }
}

variable "rds_latency_threshold_seconds" {
  description = "Average Aurora writer ReadLatency/WriteLatency (seconds per I/O) above which the DB latency alarms fire."
  type        = number
  default     = 0.05

  validation {
    condition     = var.rds_latency_threshold_seconds > 0
    error_message = "rds_latency_threshold_seconds must be positive."
  }
}

variable "batch_queue_age_threshold_seconds" {
  description = "Age of the oldest RUNNABLE job above which the queue alarm fires."
  type        = number
  default     = 1800

  validation {
    condition     = var.batch_queue_age_threshold_seconds >= 60
    error_message = "batch_queue_age_threshold_seconds must be at least 60."
  }
}

variable "queue_age_function_name" {
  description = "Name of the Lambda publishing the queue-age metric; its errors are alarmed on (the age alarm treats missing data as breaching too)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.queue_age_function_name))
    error_message = "queue_age_function_name must be a Lambda function name."
  }
}

variable "prometheus_rules_dir" {
  description = "Directory of the generated Prometheus rule files (`alarms/prometheus/<service>.rules.yaml`, output of `sre generate`); each becomes one AMP rule groups namespace named after the service, its data the file byte for byte."
  type        = string

  validation {
    condition     = length(trimspace(var.prometheus_rules_dir)) > 0
    error_message = "prometheus_rules_dir must not be empty."
  }
}

variable "amp_alertmanager_file" {
  description = "The generated AMP Alertmanager definition (`alarms/amp/alertmanager.yaml`), a template filled with `sre_values` and this module's topic ARNs."
  type        = string

  validation {
    condition     = endswith(var.amp_alertmanager_file, ".yaml")
    error_message = "amp_alertmanager_file must be the generated alertmanager.yaml."
  }
}

variable "exporters_dir" {
  description = "Directory of the generated exporter files (`alarms/exporters/`): `yace-relabel.yaml` goes into the scrape job of YACE, `yace.yaml` gives the out-of-order window."
  type        = string

  validation {
    condition     = length(trimspace(var.exporters_dir)) > 0
    error_message = "exporters_dir must not be empty."
  }
}

variable "amp_kms_key_arn" {
  description = "Customer-managed KMS key encrypting the AMP workspace (its samples, rules and Alertmanager definition)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.amp_kms_key_arn))
    error_message = "amp_kms_key_arn must be a KMS key ARN."
  }
}

variable "logs_kms_key_arn" {
  description = "KMS key encrypting the AMP workspace's CloudWatch log group (must allow logs.<region>.amazonaws.com)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.logs_kms_key_arn))
    error_message = "logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "amp_log_retention_days" {
  description = "Retention of the AMP workspace's log group (rule evaluation and Alertmanager errors)."
  type        = number
  default     = 365

  validation {
    condition     = contains([365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.amp_log_retention_days)
    error_message = "amp_log_retention_days must be a CloudWatch retention of at least one year."
  }
}

variable "eks_cluster_arn" {
  description = "ARN of the EKS cluster the AMP managed scraper collects from (same region as the workspace)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:eks:[a-z0-9-]+:[0-9]{12}:cluster/.+$", var.eks_cluster_arn))
    error_message = "eks_cluster_arn must be an EKS cluster ARN."
  }
}

variable "eks_subnet_ids" {
  description = "Subnets of the cluster where the scraper puts its ENIs (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.eks_subnet_ids) >= 2
    error_message = "eks_subnet_ids must list at least two subnets."
  }
}

variable "eks_cluster_security_group_id" {
  description = "The EKS-managed cluster security group (on the control-plane ENIs and the nodes, admitting itself): the scraper's ENIs join it to reach the API server and the pods."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.eks_cluster_security_group_id))
    error_message = "eks_cluster_security_group_id must look like sg-0123abcd."
  }
}

variable "api_metrics" {
  description = "Where the API pods expose their metrics: namespace, container port name and path. The scrape job is named `api`, the `job` the generated rules select."
  type = object({
    namespace = string
    port_name = string
    path      = string
  })
  default = {
    namespace = "api"
    port_name = "http"
    path      = "/metrics"
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.api_metrics.namespace)) && startswith(var.api_metrics.path, "/") && length(var.api_metrics.port_name) > 0
    error_message = "api_metrics needs a valid namespace, a port name and a path starting with /."
  }
}

variable "yace" {
  description = "The YACE (CloudWatch exporter) deployment: namespace and service account (given the read-only CloudWatch role by Pod Identity), the value of its pods' `app.kubernetes.io/name` label and its metrics port."
  type = object({
    namespace       = string
    service_account = string
    app_label       = string
    port            = number
  })
  default = {
    namespace       = "monitoring"
    service_account = "yace"
    app_label       = "yace"
    port            = 5000
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.yace.namespace)) && can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.yace.service_account)) && var.yace.port > 0 && var.yace.port < 65536
    error_message = "yace needs valid Kubernetes names and a port in 1-65535."
  }
}

variable "slo_report" {
  description = "Who may query the workspace for `sre slo report --backend prometheus`: a service account (Pod Identity, e.g. a CronJob in the cluster) and IAM principals (e.g. an SSO role of the SRE team) allowed to assume the query role."
  type = object({
    namespace       = string
    service_account = string
    principal_arns  = optional(list(string), [])
  })
  default = {
    namespace       = "monitoring"
    service_account = "sre-slo-report"
  }

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", var.slo_report.namespace)) && can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.slo_report.service_account))
    error_message = "slo_report namespace and service_account must be valid Kubernetes names."
  }

  validation {
    condition     = alltrue([for arn in var.slo_report.principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/.+$", arn))])
    error_message = "slo_report.principal_arns must be IAM role or user ARNs (no wildcards, no accounts)."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags (the generated alarm tags win)."
  type        = map(string)
  default     = {}
}
