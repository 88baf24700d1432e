environment = "prod"
account_id  = "222222222222"
region      = "us-east-1"
azs         = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr    = "10.20.0.0/16"

eks = {
  kubernetes_version     = "1.31"
  endpoint_public_access = false
  public_access_cidrs    = []
  node_groups = {
    general = {
      instance_types = ["m6i.xlarge", "m6a.xlarge"]
      capacity_type  = "ON_DEMAND"
      min_size       = 3
      max_size       = 12
      desired_size   = 3
    }
    spot = {
      instance_types = ["m6i.xlarge", "m6a.xlarge", "m5.xlarge"]
      capacity_type  = "SPOT"
      min_size       = 1
      max_size       = 10
      desired_size   = 1
      labels         = { workload = "interruptible" }
    }
  }
}

rds = {
  instance_class          = "db.r6g.large"
  instance_count          = 2
  backup_retention_period = 30
  deletion_protection     = true
}

batch = {
  image_tag           = "0000000000000000000000000000000000000000" # replaced by the app pipeline (git SHA)
  spot_max_vcpus      = 128
  on_demand_max_vcpus = 32
}

edge = {
  aliases                  = ["sre.example.com"]
  acm_certificate_arn      = "arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-0000-0000-000000000000"
  rate_limit_per_5_minutes = 2000
}

alerting = {
  subscriptions = {
    page   = [{ protocol = "https", endpoint = "https://events.pagerduty.com/integration/prod-sre-page/enqueue" }]
    ticket = [{ protocol = "email", endpoint = "sre@example.com" }]
  }
  rds_connections_threshold = 800
}

deploy_role_arn = "arn:aws:iam::222222222222:role/sre-prod-deploy"

tags = {
  Owner      = "platform"
  CostCenter = "sre-prod"
}
