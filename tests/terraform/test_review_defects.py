"""The defects of the stack review (issue 12, item 4), each pinned by a python-hcl2 check.

What a plan can show is asserted by terraform/envs/<env>/tests/*.tftest.hcl (test_terraform_plan.py)
and what checkov can show by test_checkov.py; these checks cover the rest statically.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.terraform.test_hcl import (
    ENVS_DIR,
    MODULES_DIR,
    REPO_ROOT,
    _blocks,
    _env_dirs,
    _ids,
    _locals,
    _module_dirs,
    _parse,
    _typed_blocks,
    _unquote,
)


def _resource(module: str, rtype: str, name: str) -> dict[str, Any]:
    return _typed_blocks(MODULES_DIR / module, "resource")[(rtype, name)]


def _statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in document["statement"] if _unquote(s.get("sid")) == sid)


def _keys(block: dict[str, Any]) -> list[str]:
    """Block names of a python-hcl2 body (it adds bookkeeping keys such as ``__is_block__``)."""
    return [k for k in block if not k.startswith("__")]


def test_s3_deny_only_names_a_wrong_key_so_default_encryption_still_works() -> None:
    document = _typed_blocks(MODULES_DIR / "kms_s3", "data")[("aws_iam_policy_document", "bucket")]
    deny = _statement(document, "DenyObjectsNotEncryptedWithTheBucketKey")
    conditions = [(_unquote(c["test"]), _unquote(c["variable"])) for c in deny["condition"]]
    key = "s3:x-amz-server-side-encryption-aws-kms-key-id"
    # Both must hold (AND): the header is present, and it names another key.
    assert sorted(conditions) == [("Null", key), ("StringNotEquals", key)]
    null = next(c for c in deny["condition"] if _unquote(c["test"]) == "Null")
    assert [_unquote(v) for v in null["values"]] == ["false"]


def test_cloudfront_serves_the_front_end_from_eks_like_the_app_pipeline_deploys_it() -> None:
    distribution = _resource("edge", "aws_cloudfront_distribution", "this")
    origins = distribution["origin"]
    assert len(origins) == 1 and "vpc_origin_config" in origins[0], "one origin: the ALB through a VPC origin"
    assert _unquote(distribution["default_cache_behavior"][0]["target_origin_id"]) == "${local.alb_origin}"
    edge = (MODULES_DIR / "edge" / "main.tf").read_text(encoding="utf-8")
    assert "aws_s3_bucket" not in edge and "origin_access_control" not in edge
    app = yaml.safe_load((REPO_ROOT / ".github" / "workflows" / "app.yml").read_text(encoding="utf-8"))
    deploy = "\n".join(s.get("run", "") for s in app["jobs"]["deploy-prod"]["steps"])
    assert "for service in api front" in deploy and "helm upgrade --install" in deploy


def test_api_origin_is_an_internal_alb_reachable_only_from_cloudfront() -> None:
    alb = _resource("edge", "aws_lb", "this")
    assert alb["internal"] is True
    assert alb["drop_invalid_header_fields"] is True
    ingress = {
        name: body
        for (rtype, name), body in _typed_blocks(MODULES_DIR / "edge", "resource").items()
        if rtype == "aws_vpc_security_group_ingress_rule" and _unquote(body["security_group_id"]).endswith("alb.id}")
    }
    assert list(ingress) == ["alb_from_cloudfront"]
    assert ingress["alb_from_cloudfront"]["prefix_list_id"] == "${data.aws_ec2_managed_prefix_list.cloudfront.id}"
    prefix_list = _typed_blocks(MODULES_DIR / "edge", "data")[("aws_ec2_managed_prefix_list", "cloudfront")]
    assert _unquote(prefix_list["name"]) == "com.amazonaws.global.cloudfront.origin-facing"
    vpc_origin = _resource("edge", "aws_cloudfront_vpc_origin", "alb")
    assert vpc_origin["vpc_origin_endpoint_config"][0]["arn"] == "${aws_lb.this.arn}"
    groups = _resource("edge", "aws_lb_target_group", "this")
    assert _unquote(groups["target_type"]) == "ip"


def test_waf_lets_api_uploads_past_the_8kb_body_rule_and_keeps_it_elsewhere() -> None:
    acl = _resource("edge", "aws_wafv2_web_acl", "this")
    rules = {_unquote(r["name"]): r for r in acl["rule"]}
    common = rules["AWSManagedRulesCommonRuleSet"]["statement"][0]["managed_rule_group_statement"][0]
    overrides = {_unquote(o["name"]): o["action_to_use"][0] for o in common["rule_action_override"]}
    assert _keys(overrides["SizeRestrictions_BODY"]) == ["count"]
    body_rule = rules["body-size-outside-api"]
    assert _keys(body_rule["action"][0]) == ["block"]
    statements = body_rule["statement"][0]["and_statement"][0]["statement"]
    size = statements[0]["size_constraint_statement"][0]
    assert size["size"] == 8192 and _unquote(size["comparison_operator"]) == "GT"
    not_api = statements[1]["not_statement"][0]["statement"][0]["byte_match_statement"][0]
    assert not_api["search_string"] == '${trimsuffix(var.api_path_pattern, "*")}'


def test_deploy_role_has_an_access_entry_and_addons_have_pod_identity() -> None:
    entry = _resource("eks", "aws_eks_access_entry", "deploy")
    assert entry["principal_arn"] == "${var.deploy_role_arn}"
    association = _resource("eks", "aws_eks_access_policy_association", "deploy")
    assert association["principal_arn"] == "${aws_eks_access_entry.deploy.principal_arn}"
    roles = _locals(MODULES_DIR / "eks")["addon_roles"]
    assert set(roles) == {"aws-load-balancer-controller", "cluster-autoscaler"}
    pod_identity = _resource("eks", "aws_eks_pod_identity_association", "addon")
    assert pod_identity["for_each"] == "${local.addon_roles}"
    assume = _typed_blocks(MODULES_DIR / "eks", "data")[("aws_iam_policy_document", "pod_identity_assume")]
    principals = assume["statement"][0]["principals"][0]
    assert [_unquote(i) for i in principals["identifiers"]] == ["pods.eks.amazonaws.com"]
    for env in _env_dirs():
        assert _blocks(env, "module")["eks"]["deploy_role_arn"] == "${var.deploy_role_arn}"
        assert _unquote(_parse(env / "terraform.tfvars")["deploy_role_arn"]).endswith(f":role/sre-{env.name}-deploy")


def test_prod_promotion_may_pull_from_the_dev_registry() -> None:
    dev = _parse(ENVS_DIR / "dev" / "terraform.tfvars")
    assert [_unquote(a) for a in dev["ecr_pull_principal_arns"]] == [
        _unquote(_parse(ENVS_DIR / "prod" / "terraform.tfvars")["deploy_role_arn"])
    ]
    for env in _env_dirs():
        assert _blocks(env, "module")["ecr"]["pull_principal_arns"] == "${var.ecr_pull_principal_arns}"


def test_api_reads_its_own_db_identity_never_the_master_secret() -> None:
    for env in _env_dirs():
        eks = _blocks(env, "module")["eks"]
        assert eks["api_secret_arn"] == "${module.rds.app_secret_arn}"
        assert eks["api_db_user_arn"] == "${module.rds.app_db_user_arn}"
        text = (env / "main.tf").read_text(encoding="utf-8")
        assert "master_user_secret_arn" not in text
    cluster = _resource("rds", "aws_rds_cluster", "this")
    assert cluster["iam_database_authentication_enabled"] is True
    user_arn = _blocks(MODULES_DIR / "rds", "output")["app_db_user_arn"]["value"]
    assert ":dbuser:${aws_rds_cluster.this.cluster_resource_id}/${var.app_db_username}" in user_arn
    runbook = (REPO_ROOT / "runbooks" / "incidents" / "db-connectivity.md").read_text(encoding="utf-8")
    assert "-bastion" not in runbook and "BASTION_ID" not in runbook, "no bastion exists"
    assert "APP_SECRET_ID=$NAME/app-db" in runbook
    assert "generate-db-auth-token" in runbook


def test_rds_admits_the_node_security_group_only_and_plans_with_unknown_ids() -> None:
    rule = _resource("rds", "aws_vpc_security_group_ingress_rule", "postgres")
    assert "for_each" not in rule and rule["count"] == "${length(var.allowed_security_group_ids)}"
    node_sg = _blocks(MODULES_DIR / "eks", "output")["node_security_group_id"]
    assert node_sg["value"] == "${aws_security_group.node.id}"
    for env in _env_dirs():
        rds = _blocks(env, "module")["rds"]
        assert rds["allowed_security_group_ids"] == ["${module.eks.node_security_group_id}"]


def test_node_groups_use_launch_templates_with_imdsv2_hop_limit_1_and_encrypted_ebs() -> None:
    template = _resource("eks", "aws_launch_template", "node")
    metadata = template["metadata_options"][0]
    assert _unquote(metadata["http_tokens"]) == "required" and metadata["http_put_response_hop_limit"] == 1
    ebs = template["block_device_mappings"][0]["ebs"][0]
    assert ebs["encrypted"] is True and ebs["kms_key_id"] == "${var.kms_key_arn}"
    assert "${aws_security_group.node.id}" in template["vpc_security_group_ids"]
    group = _resource("eks", "aws_eks_node_group", "this")
    assert group["launch_template"][0]["id"] == "${aws_launch_template.node[each.key].id}"
    assert "disk_size" not in group, "disk_size conflicts with a launch template"


def test_terminate_job_is_scoped_to_jobs_not_star() -> None:
    document = _typed_blocks(MODULES_DIR / "batch_sfn", "data")[("aws_iam_policy_document", "sfn")]
    for statement in document["statement"]:
        actions = [_unquote(a) for a in statement["actions"]]
        if "batch:TerminateJob" in actions:
            assert statement["resources"] != ["*"]
            assert all(":job/" in _unquote(r) for r in statement["resources"])


@pytest.mark.parametrize("module", _module_dirs(), ids=_ids(_module_dirs()))
def test_every_variable_and_local_is_used(module: Path) -> None:
    # Every file but the declarations (a module may split its resources, e.g. observability/prometheus.tf).
    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted(module.glob("*.tf"))
        if p.name not in {"variables.tf", "versions.tf"}
    )
    for name in _blocks(module, "variable"):
        assert re.search(rf"\bvar\.{name}\b", code), f"{module.name}: var.{name} is never used"
    everything = "\n".join(p.read_text(encoding="utf-8") for p in module.glob("*.tf"))
    for name in _locals(module):
        assert re.search(rf"\blocal\.{name}\b", everything), f"{module.name}: local.{name} is never used"


@pytest.mark.parametrize("env", _env_dirs(), ids=_ids(_env_dirs()))
def test_env_locals_are_used(env: Path) -> None:
    everything = "\n".join(p.read_text(encoding="utf-8") for p in env.glob("*.tf"))
    for name in _locals(env):
        assert re.search(rf"\blocal\.{name}\b", everything), f"{env.name}: local.{name} is never used"


def test_pod_alarms_measure_against_the_limit_they_describe() -> None:
    pod = re.sub(r"\s+", " ", str(_locals(MODULES_DIR / "observability")["pod_alarms"]))
    assert "pod_cpu_utilization_over_pod_limit" in pod and "pod_memory_utilization_over_pod_limit" in pod
    assert '"pod_cpu_utilization"' not in pod and '"pod_memory_utilization"' not in pod
    assert "of their CPU limit" in pod and "of their memory limit" in pod


def test_there_is_a_database_latency_alarm() -> None:
    rds = re.sub(r"\s+", " ", str(_locals(MODULES_DIR / "observability")["rds_alarms"]))
    assert "WriteLatency" in rds and "ReadLatency" in rds
    assert "rds_latency_threshold_seconds" in rds
