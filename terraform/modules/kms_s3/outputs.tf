output "s3_kms_key_arn" {
  description = "ARN of the KMS key encrypting the uploads and results buckets."
  value       = aws_kms_key.this["s3"].arn
}

output "logs_kms_key_arn" {
  description = "ARN of the KMS key for CloudWatch Logs log groups (its policy admits the regional CloudWatch Logs service)."
  value       = aws_kms_key.this["logs"].arn
}

output "data_kms_key_arn" {
  description = "ARN of the KMS key for RDS, Secrets Manager, EKS secrets and ECR."
  value       = aws_kms_key.this["data"].arn
}

output "uploads_bucket_name" {
  description = "Name of the uploads bucket."
  value       = aws_s3_bucket.this["uploads"].id
}

output "uploads_bucket_arn" {
  description = "ARN of the uploads bucket."
  value       = aws_s3_bucket.this["uploads"].arn
}

output "results_bucket_name" {
  description = "Name of the results bucket."
  value       = aws_s3_bucket.this["results"].id
}

output "results_bucket_arn" {
  description = "ARN of the results bucket."
  value       = aws_s3_bucket.this["results"].arn
}

output "access_logs_bucket_name" {
  description = "Name of the access-log bucket (S3 server access logs under `s3/`, CloudFront logs under `cloudfront/`)."
  value       = aws_s3_bucket.access_logs.id
}

output "access_logs_bucket_domain_name" {
  description = "Domain name of the access-log bucket, as CloudFront logging expects it."
  value       = aws_s3_bucket.access_logs.bucket_domain_name
}
