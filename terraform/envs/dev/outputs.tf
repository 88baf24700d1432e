output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "eks_cluster_name" {
  description = "EKS cluster name (`aws eks update-kubeconfig --name <this>`)."
  value       = module.eks.cluster_name
}

output "api_irsa_role_arn" {
  description = "Role ARN to annotate the API service account with (Helm value serviceAccount.roleArn)."
  value       = module.eks.api_irsa_role_arn
}

output "ecr_repository_urls" {
  description = "ECR repository URLs by image (api, front, batch-job), used by the app pipeline."
  value       = module.ecr.repository_urls
}

output "uploads_bucket_name" {
  description = "Uploads bucket name (API config)."
  value       = module.kms_s3.uploads_bucket_name
}

output "results_bucket_name" {
  description = "Results bucket name (API config)."
  value       = module.kms_s3.results_bucket_name
}

output "rds_writer_endpoint" {
  description = "Aurora writer endpoint (API config)."
  value       = module.rds.cluster_endpoint
}

output "rds_reader_endpoint" {
  description = "Aurora reader endpoint (API config)."
  value       = module.rds.reader_endpoint
}

output "rds_secret_arn" {
  description = "Secrets Manager ARN of the database credentials (API config)."
  value       = module.rds.master_user_secret_arn
}

output "state_machine_arn" {
  description = "Step Functions state machine the API starts (API config)."
  value       = module.batch_sfn.state_machine_arn
}

output "batch_job_queue_arn" {
  description = "Batch job queue ARN (API config)."
  value       = module.batch_sfn.job_queue_arn
}

output "front_bucket_name" {
  description = "Static front-end bucket the app pipeline syncs into."
  value       = module.edge.front_bucket_name
}

output "cloudfront_distribution_id" {
  description = "Distribution to invalidate after a front-end deploy."
  value       = module.edge.distribution_id
}

output "cloudfront_domain_name" {
  description = "Target of the DNS records of the aliases."
  value       = module.edge.distribution_domain_name
}

output "alert_topic_arns" {
  description = "SNS topics per tier (page, ticket)."
  value       = module.observability.sns_topic_arns
}
