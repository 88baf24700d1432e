# Offline plan of the whole prod stack (`terraform test`, no credentials): every resource comes from
# a mocked aws provider. The values the alarms must watch are pinned with overrides so that the
# assertions compare known strings: the same plan creates the ALB, the target group, the state
# machine and the job queue, and the alarms' dimensions must be exactly theirs.

mock_provider "aws" {
  # Policy documents are rendered by the provider itself; a mocked one must still be JSON.
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }

  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "222222222222"
    }
  }

  mock_data "aws_region" {
    defaults = {
      name = "us-east-1"
    }
  }

  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
}

mock_provider "aws" {
  alias = "us_east_1"

  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
}

override_resource {
  override_during = plan
  target          = module.edge.aws_lb.this
  values = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:222222222222:loadbalancer/app/sre-prod-app/1111aaaa2222bbbb"
    arn_suffix = "app/sre-prod-app/1111aaaa2222bbbb"
    dns_name   = "internal-sre-prod-app-1111.us-east-1.elb.amazonaws.com"
  }
}

override_resource {
  override_during = plan
  target          = module.edge.aws_lb_target_group.this["api"]
  values = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/sre-prod-api/3333cccc4444dddd"
    arn_suffix = "targetgroup/sre-prod-api/3333cccc4444dddd"
  }
}

override_resource {
  override_during = plan
  target          = module.edge.aws_lb_target_group.this["front"]
  values = {
    arn        = "arn:aws:elasticloadbalancing:us-east-1:222222222222:targetgroup/sre-prod-front/5555eeee6666ffff"
    arn_suffix = "targetgroup/sre-prod-front/5555eeee6666ffff"
  }
}

override_resource {
  override_during = plan
  target          = module.batch_sfn.aws_sfn_state_machine.this
  values = {
    arn = "arn:aws:states:us-east-1:222222222222:stateMachine:sre-prod-pipeline"
  }
}

override_resource {
  override_during = plan
  target          = module.observability.aws_sns_topic.this["page"]
  values = {
    arn = "arn:aws:sns:us-east-1:222222222222:sre-prod-page"
  }
}

override_resource {
  override_during = plan
  target          = module.observability.aws_sns_topic.this["ticket"]
  values = {
    arn = "arn:aws:sns:us-east-1:222222222222:sre-prod-ticket"
  }
}

override_resource {
  override_during = plan
  target          = module.observability.aws_prometheus_workspace.this
  values = {
    id                  = "ws-22222222-aaaa-bbbb-cccc-222222222222"
    arn                 = "arn:aws:aps:us-east-1:222222222222:workspace/ws-22222222-aaaa-bbbb-cccc-222222222222"
    prometheus_endpoint = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-22222222-aaaa-bbbb-cccc-222222222222/"
  }
}

variables {
  # terraform.tfvars of this environment is read as for a plan; only the zip is the test's own.
  queue_age_zip_path = "tests/.build/queue_age.zip"
}

run "plan" {
  command = plan

  assert {
    condition = output.sre_values == {
      api_alb_arn_suffix          = "app/sre-prod-app/1111aaaa2222bbbb"
      api_target_group_arn_suffix = "targetgroup/sre-prod-api/3333cccc4444dddd"
      state_machine_arn           = "arn:aws:states:us-east-1:222222222222:stateMachine:sre-prod-pipeline"
      batch_job_queue_name        = "sre-prod-jobs"
      aws_region                  = "us-east-1"
      aws_account_id              = "222222222222"
      environment                 = "prod"
    }
    error_message = "sre_values must be this plan's ALB, API target group, state machine and job queue: ${jsonencode(output.sre_values)}"
  }

  # Every dimension of every generated alarm names a resource of this plan.
  assert {
    condition = alltrue(flatten([
      for name, dims in module.observability.slo_metric_alarm_dimensions : [
        for d in dims : [
          lookup(d, "LoadBalancer", module.edge.alb_arn_suffix) == module.edge.alb_arn_suffix,
          lookup(d, "TargetGroup", module.edge.target_group_arn_suffixes["api"]) == module.edge.target_group_arn_suffixes["api"],
          lookup(d, "StateMachineArn", module.batch_sfn.state_machine_arn) == module.batch_sfn.state_machine_arn,
          lookup(d, "JobQueue", module.batch_sfn.job_queue_name) == module.batch_sfn.job_queue_name,
          alltrue([for v in values(d) : !strcontains(v, "{")]), # no placeholder left
        ]
      ]
    ]))
    error_message = "An alarm watches something this plan does not create: ${jsonencode(module.observability.slo_metric_alarm_dimensions)}"
  }

  # ... and each kind of resource is watched at least once (the check above is not vacuous).
  assert {
    condition = alltrue([
      for key in ["LoadBalancer", "TargetGroup", "StateMachineArn", "JobQueue"] :
      anytrue(flatten([for name, dims in module.observability.slo_metric_alarm_dimensions : [for d in dims : contains(keys(d), key)]]))
    ])
    error_message = "The generated alarms must watch the ALB, the API target group, the state machine and the job queue."
  }

  # Every alarm, composites included, is tagged with this environment's ownership scope, filled in.
  assert {
    condition = length(module.observability.slo_alarm_scope_tags) > 0 && alltrue([
      for name, scope in module.observability.slo_alarm_scope_tags : scope == "github.com/acme/sre/prod"
    ])
    error_message = "Every alarm's sre:scope tag must name this environment: ${jsonencode(module.observability.slo_alarm_scope_tags)}"
  }

  # The metrics-absent alarms notify by themselves: this environment's ticket topic, nothing else.
  assert {
    condition = length(module.observability.slo_notifying_metric_alarm_actions) > 0 && alltrue([
      for name, actions in module.observability.slo_notifying_metric_alarm_actions :
      endswith(name, "-metrics-absent") && actions == toset([module.observability.sns_topic_arns["ticket"]])
    ])
    error_message = "Metrics-absent alarms must ticket through this environment's topic: ${jsonencode(module.observability.slo_notifying_metric_alarm_actions)}"
  }

  # Composites: what a rule names exists at a lower level, and the levels chain
  # window pairs -> <slo>-page-any -> ticket pairs (each level depends_on the one below).
  assert {
    condition = alltrue([
      for name in module.observability.slo_composite_levels.pairs :
      length(setsubtract(module.observability.slo_composite_references[name], module.observability.slo_metric_alarm_names)) == 0
    ])
    error_message = "A window-pair composite references an alarm that is not a generated metric alarm."
  }

  assert {
    condition = alltrue([
      for name in module.observability.slo_composite_levels.any :
      length(setsubtract(module.observability.slo_composite_references[name], concat(module.observability.slo_metric_alarm_names, module.observability.slo_composite_levels.pairs))) == 0
    ])
    error_message = "A page-any composite references an alarm of no lower level."
  }

  assert {
    condition = alltrue([
      for name in module.observability.slo_composite_levels.suppressed :
      length(setsubtract(module.observability.slo_composite_references[name], concat(module.observability.slo_metric_alarm_names, module.observability.slo_composite_levels.pairs, module.observability.slo_composite_levels.any))) == 0
    ])
    error_message = "A suppressed (ticket) composite references an alarm of no lower level."
  }

  assert {
    condition = length(module.observability.slo_composite_levels.pairs) > 0 && alltrue([
      for name in module.observability.slo_composite_levels.any : endswith(name, "-page-any")
    ]) && length(module.observability.slo_composite_levels.any) > 0 && length(module.observability.slo_composite_levels.suppressed) > 0
    error_message = "Expected window-pair composites, <slo>-page-any composites and suppressed ticket composites: ${jsonencode(module.observability.slo_composite_levels)}"
  }

  assert {
    condition     = length(concat(module.observability.slo_composite_levels.pairs, module.observability.slo_composite_levels.any, module.observability.slo_composite_levels.suppressed)) == length(module.observability.slo_composite_references)
    error_message = "Every generated composite must be created at exactly one level."
  }

  # AMP: the workspace is planned and `sre slo report` gets its query URL.
  assert {
    condition     = module.observability.amp_query_url == "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-22222222-aaaa-bbbb-cccc-222222222222"
    error_message = "The AMP workspace must be planned and its query URL exported: ${module.observability.amp_query_url}"
  }

  # One rule groups namespace per generated rule file, its data the file byte for byte.
  assert {
    condition = length(module.observability.amp_rule_namespace_data) > 0 && sort(keys(module.observability.amp_rule_namespace_data)) == sort([
      for f in fileset("../../../alarms/prometheus", "*.rules.yaml") : trimsuffix(f, ".rules.yaml")
    ])
    error_message = "Expected one AMP namespace per alarms/prometheus/<service>.rules.yaml: ${jsonencode(keys(module.observability.amp_rule_namespace_data))}"
  }

  assert {
    condition = alltrue([
      for name, data in module.observability.amp_rule_namespace_data : data == file("../../../alarms/prometheus/${name}.rules.yaml")
    ])
    error_message = "An AMP rule namespace's data differs from its generated rule file."
  }

  # The Alertmanager definition: this environment's topics filled in, nothing left unfilled.
  assert {
    condition = (
      strcontains(module.observability.amp_alertmanager_definition, "topic_arn: arn:aws:sns:us-east-1:222222222222:sre-prod-page\n")
      && strcontains(module.observability.amp_alertmanager_definition, "topic_arn: arn:aws:sns:us-east-1:222222222222:sre-prod-ticket\n")
      && strcontains(module.observability.amp_alertmanager_definition, "region: us-east-1\n")
      && !strcontains(module.observability.amp_alertmanager_definition, join("", ["$", "{"]))
    )
    error_message = "The AMP Alertmanager definition must publish to this environment's page and ticket topics."
  }

  # ... and its inner config routes severity=page to the page topic, severity=ticket to the ticket topic.
  assert {
    condition = alltrue([
      for severity, topic in module.observability.sns_topic_arns : [
        for receiver in yamldecode(yamldecode(module.observability.amp_alertmanager_definition).alertmanager_config).receivers : [for sns in receiver.sns_configs : sns.topic_arn]
        if contains([
          for route in yamldecode(yamldecode(module.observability.amp_alertmanager_definition).alertmanager_config).route.routes : route.receiver
          if contains(route.matchers, format("severity=%q", severity))
        ], receiver.name)
      ] == [[topic]]
    ])
    error_message = "AMP Alertmanager routes must send page to ${module.observability.sns_topic_arns["page"]} and ticket to ${module.observability.sns_topic_arns["ticket"]}."
  }

  # Collection: the managed scraper scrapes the API as job `api` and YACE with the generated relabelling.
  assert {
    condition = (
      [for job in yamldecode(module.observability.amp_scrape_configuration).scrape_configs : job.metric_relabel_configs if job.job_name == "yace"]
      == [yamldecode(file("../../../alarms/exporters/yace-relabel.yaml")).metric_relabel_configs]
      && contains([for job in yamldecode(module.observability.amp_scrape_configuration).scrape_configs : job.job_name], "api")
      && module.observability.amp_out_of_order_window_seconds > 0
    )
    error_message = "The scraper must run job api and job yace with alarms/exporters/yace-relabel.yaml: ${module.observability.amp_scrape_configuration}"
  }

  # prod: the database and the load balancer cannot be deleted by a plan.
  assert {
    condition     = module.rds.deletion_protection == true && module.edge.alb_deletion_protection == true
    error_message = "prod needs deletion protection on the Aurora cluster and the ALB."
  }
}
