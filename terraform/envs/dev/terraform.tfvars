environment = "dev"
account_id  = "111111111111"
region      = "us-east-1"
azs         = ["us-east-1a", "us-east-1b", "us-east-1c"]
vpc_cidr    = "10.10.0.0/16"

eks = {
  kubernetes_version     = "1.31"
  endpoint_public_access = true
  public_access_cidrs    = ["203.0.113.0/24"] # office/VPN egress
  node_groups = {
    general = {
      instance_types = ["t3.large", "t3a.large"]
      capacity_type  = "SPOT"
      min_size       = 1
      max_size       = 4
      desired_size   = 2
    }
  }
}

rds = {
  instance_class          = "db.t4g.medium"
  instance_count          = 2
  backup_retention_period = 7
  deletion_protection     = false
}

batch = {
  image_tag           = "0000000000000000000000000000000000000000" # replaced by the app pipeline (git SHA)
  spot_max_vcpus      = 16
  on_demand_max_vcpus = 4
}

edge = {
  aliases                  = ["dev.sre.example.com"]
  acm_certificate_arn      = "arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-0000-0000-000000000000"
  rate_limit_per_5_minutes = 2000
}

alerting = {
  subscriptions = {
    page   = [{ protocol = "https", endpoint = "https://events.pagerduty.com/integration/dev-sre-page/enqueue" }]
    ticket = [{ protocol = "email", endpoint = "sre-dev@example.com" }]
  }
  rds_connections_threshold = 300
}

deploy_role_arn = "arn:aws:iam::111111111111:role/sre-dev-deploy"

# The prod deploy role promotes images: it pulls the tested digest from this registry.
ecr_pull_principal_arns = ["arn:aws:iam::222222222222:role/sre-prod-deploy"]

tags = {
  Owner      = "platform"
  CostCenter = "sre-dev"
}
