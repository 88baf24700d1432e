################################################################################
# Amazon Managed Service for Prometheus: the production engine of the Prometheus half.
# Rules and the Alertmanager definition are the files `sre generate` writes, read from alarms/
# (never copied); alerts go to the same SNS topics as the CloudWatch alarms (one paging path).
################################################################################

data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name

  # One rule groups namespace per service, named after it. The keys come from the file names, so
  # they are known at plan time; the data is the generated file byte for byte.
  rule_files = {
    for f in fileset(var.prometheus_rules_dir, "*.rules.yaml") :
    trimsuffix(f, ".rules.yaml") => "${var.prometheus_rules_dir}/${f}"
  }

  # The AMP Alertmanager definition is a template like the CloudWatch files: the same values,
  # the same topics.
  amp_alertmanager_definition = templatefile(var.amp_alertmanager_file, local.template_values)

  # YACE re-exports CloudWatch datapoints with their CloudWatch timestamps (addCloudwatchTimestamp)
  # and every point of its look-back (exportAllDataPoints), so a late CloudWatch datapoint reaches
  # AMP older than samples already written: the workspace must accept samples that much out of
  # order. The window is the longest look-back of the generated config (raw file: the
  # `${aws_region}` placeholders are just strings to yamldecode).
  yace_config = yamldecode(file("${var.exporters_dir}/yace.yaml"))
  yace_lookbacks = flatten([
    for job in concat(try(local.yace_config.discovery.jobs, []), try(local.yace_config.customNamespace, [])) :
    [for metric in job.metrics : metric.length]
  ])
  amp_out_of_order_window_seconds = max(concat([0], local.yace_lookbacks)...)

  # The managed scraper's configuration (the AMP subset of Prometheus' scrape config: kubernetes_sd
  # only, intervals of 30s or more). Job `api` is the `job` label the generated rules select.
  scrape_configuration = {
    global = {
      scrape_interval = "30s"
    }
    scrape_configs = [
      {
        job_name     = "api"
        metrics_path = var.api_metrics.path
        kubernetes_sd_configs = [{
          role       = "pod"
          namespaces = { names = [var.api_metrics.namespace] }
        }]
        relabel_configs = [
          { source_labels = ["__meta_kubernetes_pod_container_port_name"], regex = var.api_metrics.port_name, action = "keep" },
          { source_labels = ["__meta_kubernetes_namespace"], target_label = "namespace" },
          { source_labels = ["__meta_kubernetes_pod_name"], target_label = "pod" },
        ]
      },
      {
        # CloudWatch-born series (aws_states_*, aws_batch_*): YACE's own timestamps are kept, and
        # the generated relabelling turns its names into the ones the specs read.
        job_name         = "yace"
        scrape_interval  = "60s"
        scrape_timeout   = "50s"
        honor_timestamps = true
        kubernetes_sd_configs = [{
          role       = "pod"
          namespaces = { names = [var.yace.namespace] }
        }]
        relabel_configs = [
          { source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex = var.yace.app_label, action = "keep" },
          { source_labels = ["__meta_kubernetes_pod_container_port_number"], regex = tostring(var.yace.port), action = "keep" },
        ]
        metric_relabel_configs = yamldecode(file("${var.exporters_dir}/yace-relabel.yaml")).metric_relabel_configs
      },
    ]
  }

  scraper_arn_pattern = "arn:${data.aws_partition.current.partition}:aps:${local.region}:${local.account_id}:scraper/*"
}

resource "aws_cloudwatch_log_group" "prometheus" {
  # Under /aws/vendedlogs/ AMP delivers without a log resource policy of its own.
  name              = "/aws/vendedlogs/prometheus/${var.name}"
  retention_in_days = var.amp_log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-prometheus" })
}

resource "aws_prometheus_workspace" "this" {
  alias       = var.name
  kms_key_arn = var.amp_kms_key_arn

  logging_configuration {
    log_group_arn = "${aws_cloudwatch_log_group.prometheus.arn}:*"
  }

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_prometheus_rule_group_namespace" "slo" {
  for_each = local.rule_files

  name         = each.key
  workspace_id = aws_prometheus_workspace.this.id
  data         = file(each.value)

  # Terraform owns these namespaces: `sre prometheus apply|prune` only touches namespaces tagged
  # sre.dev/managed-by=sre, so it reports these as conflicts and leaves them alone.
  tags = merge(var.tags, { "sre.dev/managed-by" = "terraform" })
}

resource "aws_prometheus_alert_manager_definition" "this" {
  workspace_id = aws_prometheus_workspace.this.id
  definition   = local.amp_alertmanager_definition

  # AMP's Alertmanager publishes with the topic policies below in place.
  depends_on = [aws_sns_topic_policy.this]

  lifecycle {
    precondition {
      condition     = alltrue([for topic in aws_sns_topic.this : strcontains(local.amp_alertmanager_definition, "topic_arn: ${topic.arn}\n")])
      error_message = "The AMP Alertmanager definition must publish to this module's page and ticket topics."
    }
  }
}

################################################################################
# Collection: the AMP managed scraper (agentless; see README for why)
################################################################################

# The workspace is encrypted with a customer key, for which AMP requires the scraper to write
# through roles of ours (role_configuration) instead of its service-linked role alone.
data "aws_iam_policy_document" "scraper_source_assume" {
  statement {
    sid     = "AmpScraper"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scraper.aps.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    # The scraper's ARN is only known once it exists; the pattern is this account's scrapers.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.scraper_arn_pattern]
    }
  }
}

resource "aws_iam_role" "scraper_source" {
  name               = "${var.name}-amp-scraper-source"
  description        = "Assumed by the AMP managed scraper of ${var.name}; only assumes the remote-write role"
  assume_role_policy = data.aws_iam_policy_document.scraper_source_assume.json

  tags = merge(var.tags, { Name = "${var.name}-amp-scraper-source" })
}

data "aws_iam_policy_document" "scraper_source" {
  statement {
    sid       = "AssumeRemoteWrite"
    actions   = ["sts:AssumeRole"]
    resources = [aws_iam_role.scraper_target.arn]
  }
}

resource "aws_iam_role_policy" "scraper_source" {
  name   = "assume-remote-write"
  role   = aws_iam_role.scraper_source.id
  policy = data.aws_iam_policy_document.scraper_source.json
}

data "aws_iam_policy_document" "scraper_target_assume" {
  statement {
    sid     = "ScraperSourceRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.scraper_source.arn]
    }

    condition {
      test     = "StringLike"
      variable = "sts:ExternalId"
      values   = [local.scraper_arn_pattern]
    }
  }
}

resource "aws_iam_role" "scraper_target" {
  name               = "${var.name}-amp-scraper-target"
  description        = "Remote-writes the scraped samples into the ${var.name} AMP workspace"
  assume_role_policy = data.aws_iam_policy_document.scraper_target_assume.json

  tags = merge(var.tags, { Name = "${var.name}-amp-scraper-target" })
}

data "aws_iam_policy_document" "scraper_target" {
  statement {
    sid       = "RemoteWrite"
    actions   = ["aps:RemoteWrite"]
    resources = [aws_prometheus_workspace.this.arn]
  }
}

resource "aws_iam_role_policy" "scraper_target" {
  name   = "remote-write"
  role   = aws_iam_role.scraper_target.id
  policy = data.aws_iam_policy_document.scraper_target.json
}

resource "aws_prometheus_scraper" "eks" {
  alias                = var.name
  scrape_configuration = yamlencode(local.scrape_configuration)

  source {
    eks {
      cluster_arn        = var.eks_cluster_arn
      subnet_ids         = var.eks_subnet_ids
      security_group_ids = [var.eks_cluster_security_group_id]
    }
  }

  destination {
    amp {
      workspace_arn = aws_prometheus_workspace.this.arn
    }
  }

  role_configuration {
    source_role_arn = aws_iam_role.scraper_source.arn
    target_role_arn = aws_iam_role.scraper_target.arn
  }

  tags = merge(var.tags, { Name = "${var.name}-eks" })

  depends_on = [aws_iam_role_policy.scraper_source, aws_iam_role_policy.scraper_target]
}

################################################################################
# Pod Identity roles: YACE (read-only CloudWatch) and the SLO report (query the workspace)
################################################################################

data "aws_iam_policy_document" "pod_identity_assume" {
  statement {
    sid     = "EksPodIdentity"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [var.eks_cluster_arn]
    }
  }
}

data "aws_iam_policy_document" "yace" {
  #checkov:skip=CKV_AWS_356:cloudwatch:GetMetricData/ListMetrics and tag:GetResources have no resource-level permissions
  statement {
    sid       = "ReadCloudWatchMetrics"
    actions   = ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "tag:GetResources"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "yace" {
  name               = "${var.name}-yace"
  description        = "Pod Identity role of ${var.yace.namespace}/${var.yace.service_account}: reads CloudWatch metrics for YACE"
  assume_role_policy = data.aws_iam_policy_document.pod_identity_assume.json

  tags = merge(var.tags, { Name = "${var.name}-yace" })
}

resource "aws_iam_role_policy" "yace" {
  name   = "cloudwatch-read"
  role   = aws_iam_role.yace.id
  policy = data.aws_iam_policy_document.yace.json
}

resource "aws_eks_pod_identity_association" "yace" {
  cluster_name    = var.eks_cluster_name
  namespace       = var.yace.namespace
  service_account = var.yace.service_account
  role_arn        = aws_iam_role.yace.arn

  tags = merge(var.tags, { Name = "${var.name}-yace" })
}

data "aws_iam_policy_document" "slo_report_assume" {
  source_policy_documents = [data.aws_iam_policy_document.pod_identity_assume.json]

  dynamic "statement" {
    for_each = length(var.slo_report.principal_arns) > 0 ? [var.slo_report.principal_arns] : []

    content {
      sid     = "SreTeam"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = statement.value
      }
    }
  }
}

data "aws_iam_policy_document" "slo_report" {
  statement {
    sid       = "QueryWorkspace"
    actions   = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    resources = [aws_prometheus_workspace.this.arn]
  }
}

resource "aws_iam_role" "slo_report" {
  name               = "${var.name}-slo-report"
  description        = "Queries the ${var.name} AMP workspace for sre slo report (--backend prometheus, SigV4)"
  assume_role_policy = data.aws_iam_policy_document.slo_report_assume.json

  tags = merge(var.tags, { Name = "${var.name}-slo-report" })
}

resource "aws_iam_role_policy" "slo_report" {
  name   = "amp-query"
  role   = aws_iam_role.slo_report.id
  policy = data.aws_iam_policy_document.slo_report.json
}

resource "aws_eks_pod_identity_association" "slo_report" {
  cluster_name    = var.eks_cluster_name
  namespace       = var.slo_report.namespace
  service_account = var.slo_report.service_account
  role_arn        = aws_iam_role.slo_report.arn

  tags = merge(var.tags, { Name = "${var.name}-slo-report" })
}
