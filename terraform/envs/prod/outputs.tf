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
  description = "Secrets Manager ARN of the API's own connection details (IAM database auth as the app user; not the master secret)."
  value       = module.rds.app_secret_arn
}

output "state_machine_arn" {
  description = "Step Functions state machine the API starts (API config)."
  value       = module.batch_sfn.state_machine_arn
}

output "batch_job_queue_arn" {
  description = "Batch job queue ARN (API config)."
  value       = module.batch_sfn.job_queue_arn
}

output "cloudfront_distribution_id" {
  description = "ID of the CloudFront distribution in front of the stack."
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

output "sre_values" {
  description = "Values of the placeholders of the generated CloudWatch alarms/dashboards in this environment: `terraform output -json sre_values > values.json` for `sre cloudwatch ... --values values.json`."
  value       = local.sre_values
}

output "target_group_arns" {
  description = "Target groups (api, front) the charts' TargetGroupBinding objects point at."
  value       = module.edge.target_group_arns
}

output "addon_role_arns" {
  description = "Pod Identity roles of the AWS Load Balancer Controller and the cluster autoscaler (associations already exist)."
  value       = module.eks.addon_role_arns
}

output "amp_workspace_id" {
  description = "AMP workspace of this environment (its rule namespaces and Alertmanager definition are Terraform's)."
  value       = module.observability.amp_workspace_id
}

output "amp_query_url" {
  description = "`sre slo report --backend prometheus --prometheus-url <this>` (SigV4, assume slo_report_role_arn)."
  value       = module.observability.amp_query_url
}

output "amp_out_of_order_window_seconds" {
  description = "Out-of-order window set on the workspace after apply (YACE's back-dated samples)."
  value       = module.observability.amp_out_of_order_window_seconds
}

output "yace_role_arn" {
  description = "Pod Identity role of YACE (already associated with its service account)."
  value       = module.observability.yace_role_arn
}

output "slo_report_role_arn" {
  description = "Role that may query the AMP workspace for `sre slo report`."
  value       = module.observability.slo_report_role_arn
}
