output "distribution_id" {
  description = "ID of the CloudFront distribution (for cache invalidations after a front-end deploy)."
  value       = aws_cloudfront_distribution.this.id
}

output "distribution_arn" {
  description = "ARN of the CloudFront distribution."
  value       = aws_cloudfront_distribution.this.arn
}

output "distribution_domain_name" {
  description = "CloudFront domain name; point the aliases' DNS records (ALIAS/CNAME) at it."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "distribution_hosted_zone_id" {
  description = "Route 53 hosted zone ID for ALIAS records to the distribution."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}

output "front_bucket_name" {
  description = "Name of the static front-end bucket the app pipeline syncs the build into."
  value       = aws_s3_bucket.front.id
}

output "front_kms_key_arn" {
  description = "ARN of the KMS key of the front-end bucket (the deploy role needs kms:GenerateDataKey on it)."
  value       = aws_kms_key.front.arn
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL attached to the distribution."
  value       = aws_wafv2_web_acl.this.arn
}
