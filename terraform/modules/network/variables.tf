variable "name" {
  description = "Name prefix for every resource of the network (e.g. `sre-dev`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name))
    error_message = "name must be 3-32 chars of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Deployment environment; `prod` gets one NAT gateway per AZ, `dev` a single shared one."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be one of: dev, prod."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR block of the VPC (a /16 leaves room for the 9 subnets)."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) <= 20
    error_message = "vpc_cidr must be a valid IPv4 CIDR with a prefix of /20 or larger."
  }
}

variable "azs" {
  description = "Exactly three availability zones to spread the subnets across."
  type        = list(string)

  validation {
    condition     = length(var.azs) == 3 && length(distinct(var.azs)) == 3
    error_message = "azs must list exactly three distinct availability zones."
  }
}

variable "public_subnet_cidrs" {
  description = "CIDRs of the public subnets (ALB, NAT gateways), one per AZ, in the order of `azs`."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_cidrs) == 3 && alltrue([for c in var.public_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "public_subnet_cidrs must hold three valid IPv4 CIDRs."
  }
}

variable "private_subnet_cidrs" {
  description = "CIDRs of the private subnets (EKS nodes and pods, Batch, Lambda), one per AZ."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_cidrs) == 3 && alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must hold three valid IPv4 CIDRs."
  }
}

variable "database_subnet_cidrs" {
  description = "CIDRs of the isolated database subnets (no route to the internet), one per AZ."
  type        = list(string)

  validation {
    condition     = length(var.database_subnet_cidrs) == 3 && alltrue([for c in var.database_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "database_subnet_cidrs must hold three valid IPv4 CIDRs."
  }
}

variable "single_nat_gateway" {
  description = "Override of the NAT layout: `null` follows the environment (one per AZ in prod, one in dev); true/false forces it."
  type        = bool
  default     = null
}

variable "flow_logs_kms_key_arn" {
  description = "ARN of the customer-managed KMS key encrypting the flow-log CloudWatch log group (its policy must admit logs.<region>.amazonaws.com)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$", var.flow_logs_kms_key_arn))
    error_message = "flow_logs_kms_key_arn must be a KMS key ARN."
  }
}

variable "flow_logs_retention_days" {
  description = "Retention of the VPC flow-log group, in days (a value CloudWatch Logs accepts)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs_retention_days)
    error_message = "flow_logs_retention_days must be a retention period CloudWatch Logs supports."
  }
}

variable "flow_logs_traffic_type" {
  description = "Which traffic the flow logs capture."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs_traffic_type)
    error_message = "flow_logs_traffic_type must be ACCEPT, REJECT or ALL."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints (the S3 gateway endpoint is always created)."
  type        = set(string)
  default     = ["ecr.api", "ecr.dkr", "secretsmanager", "sts", "logs"]

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9.-]+$", s))])
    error_message = "interface_endpoints entries must be service suffixes such as ecr.api or sts."
  }
}

variable "tags" {
  description = "Tags applied to every resource, merged before resource-specific tags."
  type        = map(string)
  default     = {}
}
