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

output "alb_arn" {
  description = "ARN of the internal ALB (the CloudFront VPC origin)."
  value       = aws_lb.this.arn
}

output "alb_arn_suffix" {
  description = "ARN suffix of the ALB (`app/<name>/<id>`, the CloudWatch `LoadBalancer` dimension)."
  value       = aws_lb.this.arn_suffix
}

output "alb_deletion_protection" {
  description = "Whether deletion protection is on for the ALB."
  value       = aws_lb.this.enable_deletion_protection
}

output "target_group_arns" {
  description = "Map of workload (api, front) to target group ARN: the `targetGroupARN` of the charts' TargetGroupBinding."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }
}

output "target_group_arn_suffixes" {
  description = "Map of workload (api, front) to target group ARN suffix (`targetgroup/<name>/<id>`, the CloudWatch `TargetGroup` dimension)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn_suffix }
}

output "alb_security_group_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "web_acl_arn" {
  description = "ARN of the WAF web ACL attached to the distribution."
  value       = aws_wafv2_web_acl.this.arn
}
