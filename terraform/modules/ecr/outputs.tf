output "repository_urls" {
  description = "Map of repository key (api, front, batch-job) to repository URL, for `docker push` and image references."
  value       = { for k, r in aws_ecr_repository.this : k => r.repository_url }
}

output "repository_arns" {
  description = "Map of repository key to repository ARN, for IAM policies of CI roles."
  value       = { for k, r in aws_ecr_repository.this : k => r.arn }
}

output "registry_id" {
  description = "Registry (account) ID holding the repositories."
  value       = one(distinct([for r in aws_ecr_repository.this : r.registry_id]))
}
