data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  root_arn   = "arn:${local.partition}:iam::${local.account_id}:root"
  alb_origin = "alb"

  # Both workloads run on EKS behind the one ALB: `front` (server-side rendered, deployed by
  # app.yml with Helm) serves the default path, the API serves var.api_path_pattern.
  targets = {
    api   = { port = var.api_target_port, health_check_path = var.api_health_check_path }
    front = { port = var.front_target_port, health_check_path = var.front_health_check_path }
  }
}

################################################################################
# Internal ALB: reachable only from CloudFront (VPC origin), so the WAF cannot be bypassed.
# Targets are pod IPs registered by the AWS Load Balancer Controller through
# TargetGroupBinding objects in the charts (the controller creates no load balancer).
################################################################################

data "aws_ec2_managed_prefix_list" "cloudfront" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Internal ALB of ${var.name}: HTTP from CloudFront VPC origins only, to the EKS nodes' target ports"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "alb_from_cloudfront" {
  #checkov:skip=CKV_AWS_260:The source is the CloudFront origin-facing managed prefix list, not 0.0.0.0/0
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from CloudFront origin-facing servers (VPC origin)"
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront.id
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80

  tags = merge(var.tags, { Name = "${var.name}-alb-from-cloudfront" })
}

resource "aws_vpc_security_group_egress_rule" "alb_to_targets" {
  for_each = local.targets

  security_group_id            = aws_security_group.alb.id
  description                  = "To the ${each.key} pods"
  referenced_security_group_id = var.node_security_group_id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port

  tags = merge(var.tags, { Name = "${var.name}-alb-to-${each.key}" })
}

resource "aws_vpc_security_group_ingress_rule" "targets_from_alb" {
  for_each = local.targets

  security_group_id            = var.node_security_group_id
  description                  = "${each.key} pods from the ALB"
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = each.value.port
  to_port                      = each.value.port

  tags = merge(var.tags, { Name = "${var.name}-${each.key}-from-alb" })
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_20:No viewer reaches this internal ALB; CloudFront redirects viewers to HTTPS before the VPC origin
  #checkov:skip=CKV2_AWS_28:The ALB is internal and reachable only through the CloudFront VPC origin, whose distribution carries the WAF web ACL
  name                       = "${var.name}-app"
  internal                   = true
  load_balancer_type         = "application"
  security_groups            = [aws_security_group.alb.id]
  subnets                    = var.private_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 60

  access_logs {
    bucket  = var.access_logs_bucket_name
    prefix  = "alb/${var.name}"
    enabled = true
  }

  tags = merge(var.tags, { Name = "${var.name}-app" })
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:ALB to pod traffic stays inside the VPC behind an internal ALB; viewer TLS terminates at CloudFront
  for_each = local.targets

  name                 = "${var.name}-${each.key}"
  target_type          = "ip"
  protocol             = "HTTP"
  port                 = each.value.port
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    path                = each.value.health_check_path
    matcher             = "200-399"
    interval            = 15
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Viewers use HTTPS to CloudFront; the CloudFront VPC origin reaches this internal ALB over the AWS private network only
  #checkov:skip=CKV_AWS_103:No TLS on this listener: the only client is the CloudFront VPC origin over the AWS private network
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["front"].arn
  }

  tags = merge(var.tags, { Name = "${var.name}-http" })
}

resource "aws_lb_listener_rule" "api" {
  listener_arn = aws_lb_listener.http.arn
  priority     = 10

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this["api"].arn
  }

  condition {
    path_pattern {
      values = [var.api_path_pattern]
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-api" })
}

resource "aws_cloudfront_vpc_origin" "alb" {
  vpc_origin_endpoint_config {
    name                   = "${var.name}-alb"
    arn                    = aws_lb.this.arn
    http_port              = 80
    https_port             = 443
    origin_protocol_policy = "http-only"

    origin_ssl_protocols {
      items    = ["TLSv1.2"]
      quantity = 1
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

################################################################################
# WAF (CloudFront scope, us-east-1): AWS managed rule groups + per-IP rate limit
################################################################################

resource "aws_wafv2_web_acl" "this" {
  provider = aws.us_east_1

  name        = var.name
  description = "Edge protection of ${var.name}"
  scope       = "CLOUDFRONT"

  default_action {
    allow {}
  }

  rule {
    name     = "AWSManagedRulesAmazonIpReputationList"
    priority = 10

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAmazonIpReputationList"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesAmazonIpReputationList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesCommonRuleSet"
    priority = 20

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesCommonRuleSet"

        # The 8 KB body limit would block API uploads; rule body-size-outside-api below keeps
        # it everywhere else, and the API enforces its own upload size.
        rule_action_override {
          name = "SizeRestrictions_BODY"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesCommonRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # Includes the Log4j (CVE-2021-44228) message-lookup rules
  rule {
    name     = "AWSManagedRulesKnownBadInputsRuleSet"
    priority = 30

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesKnownBadInputsRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesKnownBadInputsRuleSet"
      sampled_requests_enabled   = true
    }
  }

  # Tor/anonymising proxies are blocked; hosting-provider IPs are only counted so that
  # server-to-server API clients running in the cloud are not cut off.
  rule {
    name     = "AWSManagedRulesAnonymousIpList"
    priority = 35

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesAnonymousIpList"

        rule_action_override {
          name = "HostingProviderIPList"

          action_to_use {
            count {}
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesAnonymousIpList"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "AWSManagedRulesSQLiRuleSet"
    priority = 40

    override_action {
      none {}
    }

    statement {
      managed_rule_group_statement {
        vendor_name = "AWS"
        name        = "AWSManagedRulesSQLiRuleSet"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "AWSManagedRulesSQLiRuleSet"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "body-size-outside-api"
    priority = 25

    action {
      block {}
    }

    statement {
      and_statement {
        statement {
          size_constraint_statement {
            comparison_operator = "GT"
            size                = 8192

            field_to_match {
              body {
                oversize_handling = "MATCH"
              }
            }

            text_transformation {
              priority = 0
              type     = "NONE"
            }
          }
        }

        statement {
          not_statement {
            statement {
              byte_match_statement {
                positional_constraint = "STARTS_WITH"
                search_string         = trimsuffix(var.api_path_pattern, "*")

                field_to_match {
                  uri_path {}
                }

                text_transformation {
                  priority = 0
                  type     = "NONE"
                }
              }
            }
          }
        }
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "body-size-outside-api"
      sampled_requests_enabled   = true
    }
  }

  rule {
    name     = "rate-limit-per-ip"
    priority = 100

    action {
      block {}
    }

    statement {
      rate_based_statement {
        limit                 = var.rate_limit_per_5_minutes
        evaluation_window_sec = 300
        aggregate_key_type    = "IP"
      }
    }

    visibility_config {
      cloudwatch_metrics_enabled = true
      metric_name                = "rate-limit-per-ip"
      sampled_requests_enabled   = true
    }
  }

  visibility_config {
    cloudwatch_metrics_enabled = true
    metric_name                = var.name
    sampled_requests_enabled   = true
  }

  tags = merge(var.tags, { Name = var.name })
}

data "aws_iam_policy_document" "waf_logs_key" {
  #checkov:skip=CKV_AWS_109:Key policy: "*" means this key only; root delegation is the AWS default that lets IAM policies grant use
  #checkov:skip=CKV_AWS_111:Key policy: "*" means this key only; write access is limited to the account root
  #checkov:skip=CKV_AWS_356:Key policy: a key policy's resource is always the key itself and must be written "*"
  statement {
    sid       = "EnableRootAccountAndIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = [local.root_arn]
    }
  }

  statement {
    sid       = "CloudWatchLogsUse"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.us-east-1.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:us-east-1:${local.account_id}:log-group:*"]
    }
  }
}

resource "aws_kms_key" "waf_logs" {
  provider = aws.us_east_1

  description             = "${var.name}: encrypts the WAF log group in us-east-1"
  enable_key_rotation     = true
  rotation_period_in_days = 365
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.waf_logs_key.json

  tags = merge(var.tags, { Name = "${var.name}-waf-logs" })
}

resource "aws_cloudwatch_log_group" "waf" {
  provider = aws.us_east_1

  # WAF only delivers to log groups whose name starts with aws-waf-logs-.
  name              = "aws-waf-logs-${var.name}"
  retention_in_days = var.waf_log_retention_days
  kms_key_id        = aws_kms_key.waf_logs.arn

  tags = merge(var.tags, { Name = "aws-waf-logs-${var.name}" })
}

resource "aws_wafv2_web_acl_logging_configuration" "this" {
  provider = aws.us_east_1

  resource_arn            = aws_wafv2_web_acl.this.arn
  log_destination_configs = [aws_cloudwatch_log_group.waf.arn]

  redacted_fields {
    single_header {
      name = "authorization"
    }
  }

  redacted_fields {
    single_header {
      name = "cookie"
    }
  }
}

################################################################################
# Distribution: everything through the ALB VPC origin; static assets cached, the API never
################################################################################

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

data "aws_cloudfront_cache_policy" "disabled" {
  name = "Managed-CachingDisabled"
}

data "aws_cloudfront_origin_request_policy" "all_viewer_except_host" {
  name = "Managed-AllViewerExceptHostHeader"
}

resource "aws_cloudfront_response_headers_policy" "this" {
  name    = "${var.name}-security-headers"
  comment = "Security headers of ${var.name}"

  security_headers_config {
    strict_transport_security {
      access_control_max_age_sec = 63072000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }

    content_type_options {
      override = true
    }

    frame_options {
      frame_option = "DENY"
      override     = true
    }

    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }

    xss_protection {
      protection = true
      mode_block = true
      override   = true
    }
  }
}

resource "aws_cloudfront_distribution" "this" {
  #checkov:skip=CKV_AWS_310:The single origin is the multi-AZ ALB of this region; there is no secondary copy of the stack to fail over to
  #checkov:skip=CKV_AWS_305:The default behaviour goes to the server-rendered front end, which answers / itself
  #checkov:skip=CKV_AWS_374:Geo restriction is a product decision exposed as var.geo_restriction_type/locations; the default serves every country
  enabled         = true
  comment         = "${var.name}: front end (SSR) + API"
  aliases         = var.aliases
  http_version    = "http2and3"
  is_ipv6_enabled = true
  price_class     = var.price_class
  web_acl_id      = aws_wafv2_web_acl.this.arn

  origin {
    origin_id   = local.alb_origin
    domain_name = aws_lb.this.dns_name

    vpc_origin_config {
      vpc_origin_id = aws_cloudfront_vpc_origin.alb.id
    }
  }

  # The front end renders per request (cookies, locale): not cached by default.
  default_cache_behavior {
    target_origin_id           = local.alb_origin
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  # Fingerprinted build assets of the front end.
  ordered_cache_behavior {
    path_pattern               = var.static_path_pattern
    target_origin_id           = local.alb_origin
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD", "OPTIONS"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.optimized.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  ordered_cache_behavior {
    path_pattern               = var.api_path_pattern
    target_origin_id           = local.alb_origin
    viewer_protocol_policy     = "https-only"
    allowed_methods            = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.disabled.id
    origin_request_policy_id   = data.aws_cloudfront_origin_request_policy.all_viewer_except_host.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.this.id
  }

  viewer_certificate {
    acm_certificate_arn      = var.acm_certificate_arn
    ssl_support_method       = "sni-only"
    minimum_protocol_version = var.minimum_protocol_version
  }

  restrictions {
    geo_restriction {
      restriction_type = var.geo_restriction_type
      locations        = var.geo_restriction_locations
    }
  }

  logging_config {
    bucket          = var.logging_bucket_domain_name
    prefix          = "cloudfront/${var.name}/"
    include_cookies = false
  }

  tags = merge(var.tags, { Name = var.name })

  lifecycle {
    precondition {
      condition     = var.geo_restriction_type == "none" || length(var.geo_restriction_locations) > 0
      error_message = "A whitelist/blacklist geo restriction needs at least one country code."
    }
  }
}
