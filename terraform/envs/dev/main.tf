locals {
  name = "${var.project}-${var.environment}"

  # /16 -> public /20 x3, private /19 x3 (pods need room), database /22 x3.
  public_subnet_cidrs   = [for i in range(3) : cidrsubnet(var.vpc_cidr, 4, i)]
  private_subnet_cidrs  = [for i in range(3) : cidrsubnet(var.vpc_cidr, 3, i + 2)]
  database_subnet_cidrs = [for i in range(3) : cidrsubnet(var.vpc_cidr, 6, i + 60)]

  # What the placeholders of the generated CloudWatch templates (alarms/cloudwatch/*.json,
  # dashboards/cloudwatch/*.json) stand for in this environment: one source, these resources.
  # `terraform output -json sre_values` feeds `sre cloudwatch diff|apply|prune --values`.
  sre_values = {
    api_alb_arn_suffix          = module.edge.alb_arn_suffix
    api_target_group_arn_suffix = module.edge.target_group_arn_suffixes["api"]
    state_machine_arn           = module.batch_sfn.state_machine_arn
    batch_job_queue_name        = module.batch_sfn.job_queue_name
    # Where the dashboards' metrics and alarm ARNs live (the topics' region and account).
    aws_region     = var.region
    aws_account_id = var.account_id
    # The environment half of the alarms' sre:scope ownership tag (`sre cloudwatch prune` scope).
    environment = var.environment
  }
}

module "kms_s3" {
  source = "../../modules/kms_s3"

  name = local.name
  tags = var.tags
}

module "network" {
  source = "../../modules/network"

  name                  = local.name
  environment           = var.environment
  vpc_cidr              = var.vpc_cidr
  azs                   = var.azs
  public_subnet_cidrs   = local.public_subnet_cidrs
  private_subnet_cidrs  = local.private_subnet_cidrs
  database_subnet_cidrs = local.database_subnet_cidrs
  flow_logs_kms_key_arn = module.kms_s3.logs_kms_key_arn
  tags                  = var.tags
}

module "ecr" {
  source = "../../modules/ecr"

  name                = local.name
  kms_key_arn         = module.kms_s3.data_kms_key_arn
  pull_principal_arns = var.ecr_pull_principal_arns
  tags                = var.tags
}

module "batch_sfn" {
  source = "../../modules/batch_sfn"

  name                = local.name
  vpc_id              = module.network.vpc_id
  subnet_ids          = module.network.private_subnet_ids
  batch_job_image     = "${module.ecr.repository_urls["batch-job"]}:${var.batch.image_tag}"
  queue_age_zip_path  = var.queue_age_zip_path
  spot_max_vcpus      = var.batch.spot_max_vcpus
  on_demand_max_vcpus = var.batch.on_demand_max_vcpus
  uploads_bucket_arn  = module.kms_s3.uploads_bucket_arn
  results_bucket_arn  = module.kms_s3.results_bucket_arn
  bucket_kms_key_arn  = module.kms_s3.s3_kms_key_arn
  logs_kms_key_arn    = module.kms_s3.logs_kms_key_arn
  lambda_kms_key_arn  = module.kms_s3.data_kms_key_arn
  tags                = var.tags
}

module "eks" {
  source = "../../modules/eks"

  name                            = local.name
  kubernetes_version              = var.eks.kubernetes_version
  vpc_id                          = module.network.vpc_id
  subnet_ids                      = module.network.private_subnet_ids
  endpoint_public_access          = var.eks.endpoint_public_access
  public_access_cidrs             = var.eks.public_access_cidrs
  node_groups                     = var.eks.node_groups
  kms_key_arn                     = module.kms_s3.data_kms_key_arn
  logs_kms_key_arn                = module.kms_s3.logs_kms_key_arn
  state_machine_arn               = module.batch_sfn.state_machine_arn
  batch_job_queue_arn             = module.batch_sfn.job_queue_arn
  batch_job_definition_arn_prefix = module.batch_sfn.job_definition_arn_prefix
  bucket_arns                     = [module.kms_s3.uploads_bucket_arn, module.kms_s3.results_bucket_arn]
  bucket_kms_key_arn              = module.kms_s3.s3_kms_key_arn
  api_secret_arn                  = module.rds.app_secret_arn
  api_db_user_arn                 = module.rds.app_db_user_arn
  deploy_role_arn                 = var.deploy_role_arn
  tags                            = var.tags
}

module "rds" {
  source = "../../modules/rds"

  name                       = local.name
  environment                = var.environment
  vpc_id                     = module.network.vpc_id
  subnet_ids                 = module.network.database_subnet_ids
  allowed_security_group_ids = [module.eks.node_security_group_id]
  kms_key_arn                = module.kms_s3.data_kms_key_arn
  logs_kms_key_arn           = module.kms_s3.logs_kms_key_arn
  instance_class             = var.rds.instance_class
  instance_count             = var.rds.instance_count
  backup_retention_period    = var.rds.backup_retention_period
  deletion_protection        = var.rds.deletion_protection
  tags                       = var.tags
}

module "edge" {
  source = "../../modules/edge"

  providers = {
    aws           = aws
    aws.us_east_1 = aws.us_east_1
  }

  name                       = local.name
  aliases                    = var.edge.aliases
  acm_certificate_arn        = var.edge.acm_certificate_arn
  vpc_id                     = module.network.vpc_id
  private_subnet_ids         = module.network.private_subnet_ids
  node_security_group_id     = module.eks.node_security_group_id
  deletion_protection        = var.environment == "prod"
  rate_limit_per_5_minutes   = var.edge.rate_limit_per_5_minutes
  logging_bucket_domain_name = module.kms_s3.access_logs_bucket_domain_name
  access_logs_bucket_name    = module.kms_s3.access_logs_bucket_name
  tags                       = var.tags
}

module "observability" {
  source = "../../modules/observability"

  name                      = local.name
  alarms_dir                = "${path.root}/../../../alarms/cloudwatch"
  dashboards_dir            = "${path.root}/../../../dashboards/cloudwatch"
  sre_values                = local.sre_values
  subscriptions             = var.alerting.subscriptions
  eks_cluster_name          = module.eks.cluster_name
  rds_cluster_id            = module.rds.cluster_id
  rds_connections_threshold = var.alerting.rds_connections_threshold
  queue_age_function_name   = module.batch_sfn.queue_age_function_name
  tags                      = var.tags

  # Prometheus half on AMP: the generated rule files, Alertmanager definition and YACE
  # relabelling, the EKS cluster the managed scraper collects from.
  prometheus_rules_dir          = "${path.root}/../../../alarms/prometheus"
  amp_alertmanager_file         = "${path.root}/../../../alarms/amp/alertmanager.yaml"
  exporters_dir                 = "${path.root}/../../../alarms/exporters"
  amp_kms_key_arn               = module.kms_s3.data_kms_key_arn
  logs_kms_key_arn              = module.kms_s3.logs_kms_key_arn
  eks_cluster_arn               = module.eks.cluster_arn
  eks_subnet_ids                = module.network.private_subnet_ids
  eks_cluster_security_group_id = module.eks.cluster_security_group_id
  slo_report                    = var.slo_report
}

module "security_baseline" {
  source = "../../modules/security_baseline"

  name                    = local.name
  access_logs_bucket_name = module.kms_s3.access_logs_bucket_name
  logs_kms_key_arn        = module.kms_s3.logs_kms_key_arn
  tags                    = var.tags
}
