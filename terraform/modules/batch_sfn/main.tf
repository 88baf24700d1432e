data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  job_definition_arn_prefix = "arn:${local.partition}:batch:${local.region}:${local.account_id}:job-definition/${var.name}-job"
  queue_age_function_name   = "${var.name}-batch-queue-age"
}

################################################################################
# Network: jobs and the Lambda only need HTTPS egress (S3 via the gateway endpoint,
# ECR/Secrets Manager/STS via interface endpoints or NAT)
################################################################################

resource "aws_security_group" "this" {
  name        = "${var.name}-batch"
  description = "Batch Fargate jobs and the queue-age Lambda: HTTPS egress only"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-batch" })
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443

  tags = merge(var.tags, { Name = "${var.name}-batch-https" })
}

################################################################################
# Log groups
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  for_each = {
    job       = "/aws/batch/${var.name}"
    sfn       = "/aws/vendedlogs/states/${var.name}-pipeline"
    queue_age = "/aws/lambda/${local.queue_age_function_name}"
  }

  name              = each.value
  retention_in_days = var.log_retention_days
  kms_key_id        = var.logs_kms_key_arn

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

################################################################################
# Batch: Fargate Spot first, on-demand as fallback, one queue ordering both
################################################################################

resource "aws_batch_compute_environment" "this" {
  for_each = {
    spot      = { type = "FARGATE_SPOT", max_vcpus = var.spot_max_vcpus }
    on_demand = { type = "FARGATE", max_vcpus = var.on_demand_max_vcpus }
  }

  compute_environment_name_prefix = "${var.name}-${replace(each.key, "_", "-")}-"
  type                            = "MANAGED"
  state                           = "ENABLED"

  compute_resources {
    type               = each.value.type
    max_vcpus          = each.value.max_vcpus
    subnets            = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}", CapacityType = each.value.type })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_batch_job_queue" "this" {
  name     = "${var.name}-jobs"
  state    = "ENABLED"
  priority = 1

  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.this["spot"].arn
  }

  compute_environment_order {
    order               = 2
    compute_environment = aws_batch_compute_environment.this["on_demand"].arn
  }

  tags = merge(var.tags, { Name = "${var.name}-jobs" })
}

data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    sid     = "EcsTasksAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-batch-execution"
  description        = "Pulls the job image and ships job logs"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = merge(var.tags, { Name = "${var.name}-batch-execution" })
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role" "job" {
  name               = "${var.name}-batch-job"
  description        = "Role of the batch job containers: read uploads, write results"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = merge(var.tags, { Name = "${var.name}-batch-job" })
}

data "aws_iam_policy_document" "job" {
  statement {
    sid       = "ListUploads"
    actions   = ["s3:ListBucket"]
    resources = [var.uploads_bucket_arn]
  }

  statement {
    sid       = "ReadUploads"
    actions   = ["s3:GetObject"]
    resources = ["${var.uploads_bucket_arn}/*"]
  }

  statement {
    sid       = "WriteResults"
    actions   = ["s3:PutObject", "s3:AbortMultipartUpload"]
    resources = ["${var.results_bucket_arn}/*"]
  }

  statement {
    sid       = "UseBucketKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.bucket_kms_key_arn]
  }
}

resource "aws_iam_role_policy" "job" {
  name   = "read-uploads-write-results"
  role   = aws_iam_role.job.id
  policy = data.aws_iam_policy_document.job.json
}

resource "aws_batch_job_definition" "this" {
  name                  = "${var.name}-job"
  type                  = "container"
  platform_capabilities = ["FARGATE"]
  propagate_tags        = true

  retry_strategy {
    attempts = var.job_attempts

    # Retry Fargate Spot reclaims and host failures; application errors exit (Step Functions
    # decides about those). Patterns may only end with "*".
    evaluate_on_exit {
      on_status_reason = "Your Spot Task was interrupted*"
      action           = "RETRY"
    }

    evaluate_on_exit {
      on_status_reason = "Host EC2*"
      action           = "RETRY"
    }

    evaluate_on_exit {
      on_reason = "*"
      action    = "EXIT"
    }
  }

  timeout {
    attempt_duration_seconds = var.job_timeout_seconds
  }

  container_properties = jsonencode({
    image            = var.batch_job_image
    jobRoleArn       = aws_iam_role.job.arn
    executionRoleArn = aws_iam_role.execution.arn
    resourceRequirements = [
      { type = "VCPU", value = tostring(var.job_vcpu) },
      { type = "MEMORY", value = tostring(var.job_memory_mib) },
    ]
    environment = [
      { name = "UPLOADS_BUCKET", value = element(split(":::", var.uploads_bucket_arn), 1) },
      { name = "RESULTS_BUCKET", value = element(split(":::", var.results_bucket_arn), 1) },
    ]
    fargatePlatformConfiguration = { platformVersion = "LATEST" }
    networkConfiguration         = { assignPublicIp = "DISABLED" }
    runtimePlatform              = { operatingSystemFamily = "LINUX", cpuArchitecture = "X86_64" }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        "awslogs-group"         = aws_cloudwatch_log_group.this["job"].name
        "awslogs-region"        = local.region
        "awslogs-stream-prefix" = "job"
      }
    }
  })

  tags = merge(var.tags, { Name = "${var.name}-job" })
}

################################################################################
# Step Functions: submitJob.sync with retries and a failure state
################################################################################

data "aws_iam_policy_document" "sfn_assume" {
  statement {
    sid     = "StatesAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "sfn" {
  name               = "${var.name}-pipeline-sfn"
  assume_role_policy = data.aws_iam_policy_document.sfn_assume.json

  tags = merge(var.tags, { Name = "${var.name}-pipeline-sfn" })
}

data "aws_iam_policy_document" "sfn" {
  #checkov:skip=CKV_AWS_356:batch:DescribeJobs, the CloudWatch Logs delivery actions and X-Ray writes do not support resource-level permissions
  #checkov:skip=CKV_AWS_111:The write actions on "*" are log delivery and X-Ray segments only, which AWS does not scope to resources
  statement {
    sid       = "SubmitJob"
    actions   = ["batch:SubmitJob"]
    resources = [aws_batch_job_queue.this.arn, "${local.job_definition_arn_prefix}:*"]
  }

  statement {
    sid       = "TrackJobs"
    actions   = ["batch:DescribeJobs"]
    resources = ["*"]
  }

  # TerminateJob (a write) does support resource-level permissions: only this account's jobs
  # in this region, so the "*" above stays read-only.
  statement {
    sid       = "StopJobs"
    actions   = ["batch:TerminateJob"]
    resources = ["arn:${local.partition}:batch:${local.region}:${local.account_id}:job/*"]
  }

  statement {
    sid     = "SyncIntegrationRule"
    actions = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = [
      "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/StepFunctionsGetEventsForBatchJobsRule",
    ]
  }

  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }

  statement {
    sid = "XRay"
    actions = [
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "sfn" {
  name   = "run-batch-jobs"
  role   = aws_iam_role.sfn.id
  policy = data.aws_iam_policy_document.sfn.json
}

resource "aws_sfn_state_machine" "this" {
  name     = "${var.name}-pipeline"
  role_arn = aws_iam_role.sfn.arn
  type     = "STANDARD"

  definition = jsonencode({
    Comment = "Run one batch job per upload: input {\"upload_key\": \"<key in the uploads bucket>\"}"
    StartAt = "SubmitBatchJob"
    States = {
      SubmitBatchJob = {
        Type     = "Task"
        Resource = "arn:${local.partition}:states:::batch:submitJob.sync"
        Parameters = {
          "JobName.$"   = "States.Format('${var.name}-{}', $$.Execution.Name)"
          JobQueue      = aws_batch_job_queue.this.arn
          JobDefinition = aws_batch_job_definition.this.arn
          ContainerOverrides = {
            Environment = [
              { Name = "UPLOAD_KEY", "Value.$" = "$.upload_key" },
              { Name = "EXECUTION_NAME", "Value.$" = "$$.Execution.Name" },
            ]
          }
        }
        ResultSelector = {
          "JobId.$"  = "$.JobId"
          "Status.$" = "$.Status"
        }
        ResultPath     = "$.batch"
        TimeoutSeconds = var.job_timeout_seconds * var.job_attempts + 900
        Retry = [
          {
            ErrorEquals     = ["Batch.AWSBatchException", "Batch.ServerException", "Batch.TooManyRequestsException"]
            IntervalSeconds = 5
            MaxAttempts     = 5
            BackoffRate     = 2
            JitterStrategy  = "FULL"
          },
          {
            ErrorEquals     = ["States.TaskFailed"]
            IntervalSeconds = 60
            MaxAttempts     = var.sfn_task_retries
            BackoffRate     = 2
          },
        ]
        Catch = [
          {
            ErrorEquals = ["States.ALL"]
            ResultPath  = "$.error"
            Next        = "JobFailed"
          },
        ]
        Next = "Done"
      }
      JobFailed = {
        Type      = "Fail"
        Error     = "BatchJobFailed"
        CausePath = "$.error.Cause"
      }
      Done = {
        Type = "Succeed"
      }
    }
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.this["sfn"].arn}:*"
    include_execution_data = true
    level                  = var.sfn_log_level
  }

  tracing_configuration {
    enabled = true
  }

  tags = merge(var.tags, { Name = "${var.name}-pipeline" })

  depends_on = [aws_iam_role_policy.sfn]
}

################################################################################
# Queue-age Lambda: Custom/Batch OldestRunnableJobAgeSeconds per queue
################################################################################

resource "aws_sqs_queue" "queue_age_dlq" {
  name                      = "${local.queue_age_function_name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true

  tags = merge(var.tags, { Name = "${local.queue_age_function_name}-dlq" })
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    sid     = "LambdaAssume"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "queue_age" {
  name               = local.queue_age_function_name
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json

  tags = merge(var.tags, { Name = local.queue_age_function_name })
}

resource "aws_iam_role_policy_attachment" "queue_age_vpc" {
  role       = aws_iam_role.queue_age.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
}

data "aws_iam_policy_document" "queue_age" {
  #checkov:skip=CKV_AWS_356:batch:ListJobs, cloudwatch:PutMetricData and X-Ray writes have no resource-level permissions; PutMetricData is pinned to its namespace by condition
  statement {
    sid       = "ListJobs"
    actions   = ["batch:ListJobs"]
    resources = ["*"]
  }

  statement {
    sid       = "PublishQueueAge"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["Custom/Batch"]
    }
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["queue_age"].arn}:*"]
  }

  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.queue_age_dlq.arn]
  }

  statement {
    sid       = "DecryptEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [var.lambda_kms_key_arn]
  }

  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "queue_age" {
  name   = "publish-queue-age"
  role   = aws_iam_role.queue_age.id
  policy = data.aws_iam_policy_document.queue_age.json
}

resource "aws_lambda_function" "queue_age" {
  #checkov:skip=CKV_AWS_272:The zip is built reproducibly from reviewed source in this repository by CI and travels with the plan; there is no code-signing pipeline
  function_name                  = local.queue_age_function_name
  description                    = "Publishes Custom/Batch OldestRunnableJobAgeSeconds per job queue"
  role                           = aws_iam_role.queue_age.arn
  runtime                        = "python3.12"
  handler                        = "queue_age.handler"
  filename                       = var.queue_age_zip_path
  source_code_hash               = filebase64sha256(var.queue_age_zip_path)
  timeout                        = 60
  memory_size                    = 128
  reserved_concurrent_executions = 1
  kms_key_arn                    = var.lambda_kms_key_arn

  environment {
    variables = {
      JOB_QUEUES = aws_batch_job_queue.this.name
    }
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  tracing_config {
    mode = "Active"
  }

  dead_letter_config {
    target_arn = aws_sqs_queue.queue_age_dlq.arn
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this["queue_age"].name
  }

  tags = merge(var.tags, { Name = local.queue_age_function_name })

  depends_on = [
    aws_iam_role_policy.queue_age,
    aws_iam_role_policy_attachment.queue_age_vpc,
  ]
}

resource "aws_cloudwatch_event_rule" "queue_age" {
  name                = local.queue_age_function_name
  description         = "Triggers the Batch queue-age Lambda"
  schedule_expression = var.queue_age_schedule

  tags = merge(var.tags, { Name = local.queue_age_function_name })
}

resource "aws_cloudwatch_event_target" "queue_age" {
  rule = aws_cloudwatch_event_rule.queue_age.name
  arn  = aws_lambda_function.queue_age.arn

  retry_policy {
    maximum_retry_attempts       = 0
    maximum_event_age_in_seconds = 60
  }
}

resource "aws_lambda_permission" "queue_age" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.queue_age.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.queue_age.arn
}
