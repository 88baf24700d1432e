variable "name" {
  description = "Name prefix of the distribution, web ACL, ALB, target groups and keys."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "aliases" {
  description = "Alternate domain names (CNAMEs) served by the distribution, covered by the certificate."
  type        = list(string)

  validation {
    condition     = length(var.aliases) > 0 && alltrue([for a in var.aliases : can(regex("^(\\*\\.)?([a-z0-9-]+\\.)+[a-z]{2,}$", a))])
    error_message = "aliases must hold at least one valid domain name."
  }
}

variable "acm_certificate_arn" {
  description = "ARN of the ACM certificate for the aliases; CloudFront requires it in us-east-1."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/.+$", var.acm_certificate_arn))
    error_message = "acm_certificate_arn must be an ACM certificate ARN in us-east-1."
  }
}

variable "vpc_id" {
  description = "ID of the VPC of the internal ALB and its target groups."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "private_subnet_ids" {
  description = "Private subnets of the internal ALB (at least two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "private_subnet_ids must list at least two subnets."
  }
}

variable "node_security_group_id" {
  description = "Security group of the EKS nodes (and so of the pods): the ALB may reach the target ports on it only."
  type        = string

  validation {
    condition     = can(regex("^sg-[0-9a-f]+$", var.node_security_group_id))
    error_message = "node_security_group_id must look like sg-0123abcd."
  }
}

variable "deletion_protection" {
  description = "Deletion protection of the ALB (on in prod)."
  type        = bool
  default     = true
}

variable "api_target_port" {
  description = "Container port of the API pods (target group `api`)."
  type        = number
  default     = 8080

  validation {
    condition     = var.api_target_port > 0 && var.api_target_port < 65536
    error_message = "api_target_port must be a TCP port."
  }
}

variable "front_target_port" {
  description = "Container port of the front-end pods (target group `front`)."
  type        = number
  default     = 3000

  validation {
    condition     = var.front_target_port > 0 && var.front_target_port < 65536
    error_message = "front_target_port must be a TCP port."
  }
}

variable "api_health_check_path" {
  description = "Health check path of the API target group."
  type        = string
  default     = "/api/healthz"

  validation {
    condition     = startswith(var.api_health_check_path, "/")
    error_message = "api_health_check_path must start with /."
  }
}

variable "front_health_check_path" {
  description = "Health check path of the front-end target group."
  type        = string
  default     = "/healthz"

  validation {
    condition     = startswith(var.front_health_check_path, "/")
    error_message = "front_health_check_path must start with /."
  }
}

variable "static_path_pattern" {
  description = "Path of the front end's fingerprinted build assets, cached at the edge."
  type        = string
  default     = "/_next/static/*"

  validation {
    condition     = startswith(var.static_path_pattern, "/")
    error_message = "static_path_pattern must start with /."
  }
}

variable "api_path_pattern" {
  description = "Path pattern routed to the API target group (uncached); everything else goes to the front-end target group."
  type        = string
  default     = "/api/*"

  validation {
    condition     = startswith(var.api_path_pattern, "/")
    error_message = "api_path_pattern must start with /."
  }
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_All"

  validation {
    condition     = contains(["PriceClass_All", "PriceClass_200", "PriceClass_100"], var.price_class)
    error_message = "price_class must be PriceClass_All, PriceClass_200 or PriceClass_100."
  }
}

variable "minimum_protocol_version" {
  description = "Minimum TLS version viewers may negotiate (TLS 1.2 or later only)."
  type        = string
  default     = "TLSv1.2_2021"

  validation {
    condition     = contains(["TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021"], var.minimum_protocol_version)
    error_message = "minimum_protocol_version must be one of the TLSv1.2 security policies."
  }
}

variable "geo_restriction_type" {
  description = "Geo restriction of the distribution."
  type        = string
  default     = "none"

  validation {
    condition     = contains(["none", "whitelist", "blacklist"], var.geo_restriction_type)
    error_message = "geo_restriction_type must be none, whitelist or blacklist."
  }
}

variable "geo_restriction_locations" {
  description = "ISO 3166-1 alpha-2 country codes for the geo restriction."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.geo_restriction_locations : can(regex("^[A-Z]{2}$", c))])
    error_message = "geo_restriction_locations must be ISO 3166-1 alpha-2 codes such as BR."
  }
}

variable "rate_limit_per_5_minutes" {
  description = "Requests per 5 minutes from one IP above which the WAF blocks it."
  type        = number
  default     = 2000

  validation {
    condition     = var.rate_limit_per_5_minutes >= 100 && var.rate_limit_per_5_minutes <= 2000000000
    error_message = "rate_limit_per_5_minutes must be between 100 and 2,000,000,000 (WAF limits)."
  }
}

variable "logging_bucket_domain_name" {
  description = "Domain name (`<bucket>.s3.amazonaws.com`) of the access-log bucket receiving CloudFront standard logs (ACLs enabled)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9.-]+\\.s3\\.amazonaws\\.com$", var.logging_bucket_domain_name))
    error_message = "logging_bucket_domain_name must look like <bucket>.s3.amazonaws.com."
  }
}

variable "access_logs_bucket_name" {
  description = "Name of the same access-log bucket, target of the ALB access logs (prefix `alb/<name>`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_logs_bucket_name))
    error_message = "access_logs_bucket_name must be a valid bucket name."
  }
}

variable "waf_log_retention_days" {
  description = "Retention of the WAF log group (us-east-1), in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.waf_log_retention_days)
    error_message = "waf_log_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
