"""Static checks of terraform/ with python-hcl2 (no terraform binary, no provider registry).

python-hcl2 (v7+) keeps HCL string literals with their quotes (``'"abc"'``), block labels
quoted too, and renders expressions as ``"${...}"``; ``_unquote`` normalises both.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = REPO_ROOT / "terraform"
MODULES_DIR = TERRAFORM_DIR / "modules"
ENVS_DIR = TERRAFORM_DIR / "envs"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"

EXPECTED_MODULES = {
    "network",
    "kms_s3",
    "ecr",
    "rds",
    "eks",
    "batch_sfn",
    "edge",
    "observability",
    "security_baseline",
}
EXPECTED_ENVS = {"dev", "prod"}
MODULE_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md")
META_ARGUMENTS = {"source", "version", "providers", "depends_on", "count", "for_each"}

IRSA_ACTIONS = {
    "states:StartExecution",
    "batch:SubmitJob",
    "s3:ListBucket",
    "s3:GetObject",
    "s3:PutObject",
    "kms:Decrypt",
    "kms:GenerateDataKey",
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
    "rds-db:connect",
}


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


@cache
def _parse(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle)


def _blocks(directory: Path, kind: str) -> dict[str, dict[str, Any]]:
    """Single-label blocks (variable, output, module) of every .tf file, by name."""
    found: dict[str, dict[str, Any]] = {}
    for tf in sorted(directory.glob("*.tf")):
        for entry in _parse(tf).get(kind, []):
            for name, body in entry.items():
                key = _unquote(name)
                assert key not in found, f"{kind} {key} declared twice in {directory}"
                found[key] = body
    return found


def _typed_blocks(directory: Path, kind: str) -> dict[tuple[str, str], dict[str, Any]]:
    """Two-label blocks (resource, data) by (type, name)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for tf in sorted(directory.glob("*.tf")):
        for entry in _parse(tf).get(kind, []):
            for rtype, named in entry.items():
                for name, body in named.items():
                    found[(_unquote(rtype), _unquote(name))] = body
    return found


def _locals(directory: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for tf in sorted(directory.glob("*.tf")):
        for block in _parse(tf).get("locals", []):
            found.update({k: v for k, v in block.items() if not k.startswith("__")})
    return found


def _module_dirs() -> list[Path]:
    return sorted(p for p in MODULES_DIR.iterdir() if p.is_dir())


def _env_dirs() -> list[Path]:
    return sorted(p for p in ENVS_DIR.iterdir() if p.is_dir())


def _all_roots() -> list[Path]:
    return _module_dirs() + _env_dirs()


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(TERRAFORM_DIR)) for p in paths]


# --------------------------------------------------------------------------- layout


def test_expected_modules_and_envs_exist() -> None:
    assert {p.name for p in _module_dirs()} == EXPECTED_MODULES
    assert {p.name for p in _env_dirs()} == EXPECTED_ENVS


def test_every_tf_file_parses() -> None:
    files = sorted(TERRAFORM_DIR.rglob("*.tf"))
    assert len(files) >= 5 * len(EXPECTED_MODULES)
    for tf in files:
        assert isinstance(_parse(tf), dict), tf


@pytest.mark.parametrize("module", _module_dirs(), ids=_ids(_module_dirs()))
def test_module_has_the_five_files(module: Path) -> None:
    missing = [f for f in MODULE_FILES if not (module / f).is_file()]
    assert not missing, f"{module.name} lacks {missing}"
    readme = (module / "README.md").read_text(encoding="utf-8")
    for section in ("## Usage", "## Inputs", "## Outputs"):
        assert section in readme, f"{module.name}/README.md lacks {section}"
    for var in _blocks(module, "variable"):
        assert f"`{var}`" in readme, f"{module.name}/README.md does not document input {var}"
    for out in _blocks(module, "output"):
        assert f"`{out}`" in readme, f"{module.name}/README.md does not document output {out}"


def test_readme_tables_are_up_to_date() -> None:
    tool = REPO_ROOT / "tools" / "terraform-check" / "tf_docs.py"
    result = subprocess.run([sys.executable, str(tool), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, (
        f"run `.venv/bin/python {tool.relative_to(REPO_ROOT)}`:\n{result.stdout}{result.stderr}"
    )


def test_attribute_alignment_matches_terraform_fmt() -> None:
    tool = REPO_ROOT / "tools" / "terraform-check" / "hcl_align.py"
    result = subprocess.run(
        [sys.executable, str(tool), "--check", str(TERRAFORM_DIR)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"run `.venv/bin/python {tool.relative_to(REPO_ROOT)} terraform`:\n{result.stdout}"


# --------------------------------------------------------------------------- variables/outputs


@pytest.mark.parametrize("root", _all_roots(), ids=_ids(_all_roots()))
def test_every_variable_is_typed_and_described(root: Path) -> None:
    variables = _blocks(root, "variable")
    assert variables, f"{root} declares no variables"
    for name, body in variables.items():
        assert "type" in body, f"{root.name}: variable {name} has no type"
        assert _unquote(body.get("description", "")).strip(), f"{root.name}: variable {name} has no description"


@pytest.mark.parametrize("module", _module_dirs(), ids=_ids(_module_dirs()))
def test_names_enums_and_cidrs_are_validated(module: Path) -> None:
    for name, body in _blocks(module, "variable").items():
        needs_validation = name in {"name", "environment"} or "cidr" in name
        if needs_validation:
            assert body.get("validation"), f"{module.name}: variable {name} has no validation block"
        for validation in body.get("validation", []):
            assert validation.get("condition") and _unquote(validation.get("error_message", ""))
        if "cidr" in name:
            conditions = " ".join(v["condition"] for v in body["validation"])
            assert "cidrhost(" in conditions, f"{module.name}: {name} is not checked with cidrhost()"


@pytest.mark.parametrize("root", _all_roots(), ids=_ids(_all_roots()))
def test_every_output_is_described(root: Path) -> None:
    for name, body in _blocks(root, "output").items():
        assert _unquote(body.get("description", "")).strip(), f"{root.name}: output {name} has no description"


@pytest.mark.parametrize("root", _all_roots(), ids=_ids(_all_roots()))
def test_versions_pin_terraform_and_aws_by_range(root: Path) -> None:
    terraform_blocks = _parse(root / "versions.tf")["terraform"]
    assert len(terraform_blocks) == 1
    block = terraform_blocks[0]
    assert _unquote(block.get("required_version", "")).startswith(">="), root
    providers: dict[str, Any] = {}
    for entry in block["required_providers"]:
        providers.update(entry)
    aws = providers["aws"]
    assert _unquote(aws["source"]) == "hashicorp/aws"
    constraint = _unquote(aws["version"])
    assert ">=" in constraint and "<" in constraint.replace(">=", ""), f"{root}: aws not pinned by range"


@pytest.mark.parametrize("module", _module_dirs(), ids=_ids(_module_dirs()))
def test_tags_merge_module_tags_first(module: Path) -> None:
    for (rtype, name), body in _typed_blocks(module, "resource").items():
        if "tags" in body:
            assert body["tags"].startswith("${merge(var.tags"), f"{module.name}: {rtype}.{name} tags not merged"


# --------------------------------------------------------------------------- envs wiring


@pytest.mark.parametrize("env", _env_dirs(), ids=_ids(_env_dirs()))
def test_env_passes_required_variables_and_only_known_ones(env: Path) -> None:
    calls = _blocks(env, "module")
    assert {Path(_unquote(c["source"])).name for c in calls.values()} == EXPECTED_MODULES
    for call_name, call in calls.items():
        module_dir = (env / _unquote(call["source"])).resolve()
        assert module_dir.parent == MODULES_DIR.resolve(), f"{call_name}: unexpected source"
        variables = _blocks(module_dir, "variable")
        required = {n for n, body in variables.items() if "default" not in body}
        passed = {k for k in call if not k.startswith("__")} - META_ARGUMENTS
        assert required <= passed, f"{env.name}: module {call_name} misses {sorted(required - passed)}"
        assert passed <= set(variables), (
            f"{env.name}: module {call_name} has no variable {sorted(passed - set(variables))}"
        )


@pytest.mark.parametrize("env", _env_dirs(), ids=_ids(_env_dirs()))
def test_env_references_only_existing_module_outputs(env: Path) -> None:
    calls = _blocks(env, "module")
    outputs = {name: set(_blocks((env / _unquote(call["source"])).resolve(), "output")) for name, call in calls.items()}
    text = "\n".join(tf.read_text(encoding="utf-8") for tf in sorted(env.glob("*.tf")))
    references = set(re.findall(r"\bmodule\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)", text))
    assert references, f"{env.name} wires no module outputs"
    for module_name, output in sorted(references):
        assert module_name in outputs, f"{env.name}: module.{module_name} is not called"
        assert output in outputs[module_name], f"{env.name}: module.{module_name} has no output {output}"


@pytest.mark.parametrize("env", _env_dirs(), ids=_ids(_env_dirs()))
def test_env_state_is_remote_with_locking_and_tfvars(env: Path) -> None:
    backend = _parse(env / "versions.tf")["terraform"][0]["backend"][0]
    s3 = backend['"s3"'] if '"s3"' in backend else backend["s3"]
    assert _unquote(s3["key"]).startswith(f"sre/{env.name}/")
    assert s3["encrypt"] is True and s3["use_lockfile"] is True
    tfvars = _parse(env / "terraform.tfvars")
    assert _unquote(tfvars["environment"]) == env.name


@pytest.mark.parametrize("env", _env_dirs(), ids=_ids(_env_dirs()))
def test_env_points_observability_at_the_generated_files(env: Path) -> None:
    call = _blocks(env, "module")["observability"]
    alarms_dir = _unquote(call["alarms_dir"])
    dashboards_dir = _unquote(call["dashboards_dir"])
    assert alarms_dir == "${path.root}/../../../alarms/cloudwatch"
    assert dashboards_dir == "${path.root}/../../../dashboards/cloudwatch"
    assert (env / "../../../alarms").resolve() == REPO_ROOT / "alarms"


# --------------------------------------------------------------------------- observability contract


def _generated_dir(kind: str) -> Path:
    """The repo's generated JSON directory, or the fixture while the generator has not run."""
    real = REPO_ROOT / kind / "cloudwatch"
    if sorted(real.glob("*.json")):
        return real
    return FIXTURES_DIR / kind / "cloudwatch"


def _merge_like_terraform(directory: Path, attribute: str) -> tuple[dict[str, Any], list[str]]:
    """``merge([for f in fileset(dir, "*.json") : jsondecode(file(f)).<attribute>]...)``.

    fileset() returns the matching names of the directory itself (not recursive) in
    lexical order; merge() lets later keys win, so collisions are reported separately.
    """
    merged: dict[str, Any] = {}
    collisions: list[str] = []
    for path in sorted(p for p in directory.glob("*.json") if p.is_file()):
        document = json.loads(path.read_text(encoding="utf-8"))
        part = document[attribute]
        assert isinstance(part, dict), f"{path.name}: {attribute} is not an object"
        collisions.extend(f"{path.name}:{k}" for k in part if k in merged)
        merged.update(part)
    return merged, collisions


OBSERVABILITY = MODULES_DIR / "observability"


@pytest.mark.parametrize(
    ("resource_type", "local_name", "attribute"),
    [
        ("aws_cloudwatch_metric_alarm", "metric_alarms", "metric_alarms"),
        ("aws_cloudwatch_composite_alarm", "composite_alarms", "composite_alarms"),
    ],
)
def test_alarm_for_each_is_built_from_the_generated_json(resource_type: str, local_name: str, attribute: str) -> None:
    resources = _typed_blocks(OBSERVABILITY, "resource")
    if resource_type == "aws_cloudwatch_metric_alarm":
        # Children (no actions of their own) and the alarms that notify by themselves
        # (metrics-absent) are two resources over local.metric_alarms.
        assert resources[(resource_type, "slo")]["for_each"] == "${local.child_metric_alarms}"
        assert resources[(resource_type, "slo_notifying")]["for_each"] == (
            f"${{{{for name in local.notifying_metric_alarms : name => local.{local_name}[name]}}}}"
        )
        locals_ = {k: re.sub(r"\s+", "", v) for k, v in _locals(OBSERVABILITY).items() if isinstance(v, str)}
        assert locals_["child_metric_alarms"] == (
            "${{forname,alarminlocal.metric_alarms:name=>alarmif!contains(local.notifying_metric_alarms,name)}}"
        )
        assert 'lookup(alarm,"AlarmActions",[]))>0' in locals_["notifying_metric_alarms"]
    else:
        # Composites are created in three levels (pairs -> page-any -> suppressed tickets), each
        # level a subset of local.composite_alarms.
        for name, level in (("slo", "over_metrics"), ("slo_any", "over_pairs"), ("slo_suppressed", "over_any")):
            expected = f"${{{{for name in local.composites_{level} : name => local.{local_name}[name]}}}}"
            assert resources[(resource_type, name)]["for_each"] == expected, name
    expression = re.sub(r"\s+", "", _locals(OBSERVABILITY)[local_name])
    assert expression.startswith('${merge([forfinfileset(var.alarms_dir,"*.json"):'), expression
    assert f'jsondecode(file("${{var.alarms_dir}}/${{f}}")).{attribute}]...)' in expression, expression
    # The values deployed are the same files rendered with this environment's values.
    rendered = re.sub(r"\s+", "", _locals(OBSERVABILITY)["rendered_alarms"])
    assert 'jsondecode(templatefile("${var.alarms_dir}/${f}",local.template_values))' in rendered, rendered
    values = re.sub(r"\s+", "", _locals(OBSERVABILITY)["template_values"])
    assert values.startswith("${merge(var.sre_values,{"), values


@pytest.mark.parametrize("source", ["generated", "fixture"])
def test_alarm_for_each_keys_match_the_generated_json(source: str) -> None:
    """``generated``: alarms/cloudwatch/ (the fixture until the generator has written files)."""
    directory = _generated_dir("alarms") if source == "generated" else FIXTURES_DIR / "alarms" / "cloudwatch"
    files = sorted(directory.glob("*.json"))
    assert files, f"no alarm JSON in {directory}"
    metric, metric_collisions = _merge_like_terraform(directory, "metric_alarms")
    composite, composite_collisions = _merge_like_terraform(directory, "composite_alarms")
    assert not metric_collisions and not composite_collisions, metric_collisions + composite_collisions
    assert not set(metric) & set(composite), "a name is both a metric and a composite alarm"

    union_metric: set[str] = set()
    union_composite: set[str] = set()
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        union_metric |= set(document["metric_alarms"])
        union_composite |= set(document["composite_alarms"])
    assert set(metric) == union_metric
    assert set(composite) == union_composite
    assert metric and composite

    # What the module dereferences must be present, and keys are the alarm names.
    for key, alarm in metric.items():
        assert alarm["AlarmName"] == key
        assert {"ComparisonOperator", "EvaluationPeriods"} <= set(alarm), key
        assert ("Metrics" in alarm) != ("MetricName" in alarm), f"{key}: needs exactly one of Metrics / MetricName"
        for query in alarm.get("Metrics", []):
            assert "Id" in query and (("Expression" in query) != ("MetricStat" in query)), key
            if "MetricStat" in query:
                stat = query["MetricStat"]
                assert {"Period", "Stat"} <= set(stat) and {"Namespace", "MetricName"} <= set(stat["Metric"]), key
    names = set(metric) | set(composite)
    for key, alarm in composite.items():
        assert alarm["AlarmName"] == key
        tags = {t["Key"]: t["Value"] for t in alarm.get("Tags", [])}
        assert tags.get("severity") in {"page", "ticket"}, f"{key}: severity tag routes to no topic"
        referenced = set(re.findall(r'ALARM\("([^"]+)"\)', alarm["AlarmRule"]))
        assert referenced and referenced <= names, f"{key}: rule references unknown alarms {referenced - names}"
        suppressor = alarm.get("ActionsSuppressor")
        assert suppressor is None or suppressor in names, key


# PutMetricAlarm / PutCompositeAlarm keys the module maps, and those it drops on purpose.
METRIC_ALARM_KEYS = {
    "AlarmName",
    "AlarmDescription",
    "ActionsEnabled",
    "ComparisonOperator",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ThresholdMetricId",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Unit",
    "Namespace",
    "MetricName",
    "Period",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Metrics",
    "Tags",
}
METRIC_ALARM_DROPPED = {"AlarmActions", "OKActions", "InsufficientDataActions"}  # children never notify
QUERY_KEYS = {"Id", "Expression", "Label", "ReturnData", "Period", "AccountId", "MetricStat"}
METRIC_STAT_KEYS = {"Metric", "Period", "Stat", "Unit"}
COMPOSITE_KEYS = {
    "AlarmName",
    "AlarmDescription",
    "AlarmRule",
    "ActionsEnabled",
    "ActionsSuppressor",
    "ActionsSuppressorWaitPeriod",
    "ActionsSuppressorExtensionPeriod",
    "Tags",
}
COMPOSITE_DROPPED = {"AlarmActions", "OKActions", "InsufficientDataActions"}  # replaced by the tier topic


def test_module_maps_every_key_the_generator_emits() -> None:
    """A new PutMetricAlarm key in the generator must not be silently ignored by Terraform."""
    main_tf = (OBSERVABILITY / "main.tf").read_text(encoding="utf-8")
    for key in METRIC_ALARM_KEYS | QUERY_KEYS | METRIC_STAT_KEYS | COMPOSITE_KEYS:
        assert re.search(rf'"{key}"|\.{key}\b', main_tf), f"observability/main.tf never reads {key}"
    directory = _generated_dir("alarms")
    metric, _ = _merge_like_terraform(directory, "metric_alarms")
    composite, _ = _merge_like_terraform(directory, "composite_alarms")
    for name, alarm in metric.items():
        assert set(alarm) <= METRIC_ALARM_KEYS | METRIC_ALARM_DROPPED, f"{name}: {set(alarm) - METRIC_ALARM_KEYS}"
        for query in alarm.get("Metrics", []):
            assert set(query) <= QUERY_KEYS, f"{name}: {set(query) - QUERY_KEYS}"
            assert set(query.get("MetricStat", {})) <= METRIC_STAT_KEYS, name
    for name, alarm in composite.items():
        assert set(alarm) <= COMPOSITE_KEYS | COMPOSITE_DROPPED, f"{name}: {set(alarm) - COMPOSITE_KEYS}"


def test_composites_route_by_severity_and_depend_on_metric_alarms() -> None:
    resources = _typed_blocks(OBSERVABILITY, "resource")
    composite = resources[("aws_cloudwatch_composite_alarm", "slo")]
    assert composite["depends_on"] == ["${aws_cloudwatch_metric_alarm.slo}"]
    assert resources[("aws_cloudwatch_composite_alarm", "slo_any")]["depends_on"] == [
        "${aws_cloudwatch_composite_alarm.slo}"
    ]
    suppressed = resources[("aws_cloudwatch_composite_alarm", "slo_suppressed")]
    assert suppressed["depends_on"] == ["${aws_cloudwatch_composite_alarm.slo_any}"]
    for key in ("alarm_actions", "ok_actions"):
        assert composite[key] == ["${aws_sns_topic.this[local.composite_severity[each.key]].arn}"]
    severity = re.sub(r"\s+", "", _locals(OBSERVABILITY)["composite_severity"])
    assert 'lookup({fortintry(alarm.Tags,[]):t.Key=>t.Value},"severity"' in severity
    topics = resources[("aws_sns_topic", "this")]
    assert topics["for_each"] == "${local.tiers}"
    assert "kms_master_key_id" in topics
    assert _locals(OBSERVABILITY)["tiers"] == '${toset(["page", "ticket"])}'
    metric = resources[("aws_cloudwatch_metric_alarm", "slo")]
    assert metric["alarm_actions"] == [] and metric["ok_actions"] == []
    notifying = resources[("aws_cloudwatch_metric_alarm", "slo_notifying")]
    assert notifying["alarm_actions"] == "${local.rendered_metric_alarms[each.key].AlarmActions}"
    assert "aws_sns_topic.this" in str(notifying["lifecycle"]), "notifying alarms may only use this module's topics"


def test_dashboards_are_built_from_the_generated_json() -> None:
    resource = _typed_blocks(OBSERVABILITY, "resource")[("aws_cloudwatch_dashboard", "slo")]
    assert resource["for_each"] == "${local.dashboards}"
    expression = re.sub(r"\s+", "", _locals(OBSERVABILITY)["dashboards"])
    assert 'fileset(var.dashboards_dir,"*.json")' in expression
    directory = _generated_dir("dashboards")
    files = sorted(directory.glob("*.json"))
    assert files, f"no dashboard JSON in {directory}"
    names = []
    for path in files:
        request = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(json.loads(request["DashboardBody"]), dict), path.name
        names.append(request["DashboardName"])
    assert len(names) == len(set(names)), "two files declare the same DashboardName"


# --------------------------------------------------------------------------- IRSA least privilege


def _statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return document.get("statement", [])


def test_api_irsa_policy_holds_exactly_the_expected_actions() -> None:
    eks = MODULES_DIR / "eks"
    data = _typed_blocks(eks, "data")
    document = data[("aws_iam_policy_document", "api")]
    actions = {_unquote(a) for s in _statements(document) for a in s["actions"]}
    assert actions == IRSA_ACTIONS
    by_action: dict[str, list[Any]] = {}
    for statement in _statements(document):
        assert "effect" not in statement or _unquote(statement["effect"]) == "Allow"
        resources = statement["resources"]
        resources = resources if isinstance(resources, list) else [resources]
        assert all(_unquote(r) != "*" for r in resources), f"{statement['sid']} uses a wildcard resource"
        for action in statement["actions"]:
            by_action.setdefault(_unquote(action), []).extend(_unquote(r) for r in resources)
    assert by_action["states:StartExecution"] == ["${var.state_machine_arn}"]
    assert by_action["batch:SubmitJob"] == ["${var.batch_job_queue_arn}", "${var.batch_job_definition_arn_prefix}:*"]
    assert by_action["secretsmanager:GetSecretValue"] == ["${var.api_secret_arn}"]
    assert by_action["rds-db:connect"] == ["${var.api_db_user_arn}"]
    assert by_action["s3:GetObject"] == by_action["s3:PutObject"] == ['${[for b in var.bucket_arns : "${b}/*"]}']

    resources = _typed_blocks(eks, "resource")
    assert resources[("aws_iam_role_policy", "api")]["policy"] == "${data.aws_iam_policy_document.api.json}"
    assume = data[("aws_iam_policy_document", "api_assume")]["statement"][0]
    assert [_unquote(a) for a in assume["actions"]] == ["sts:AssumeRoleWithWebIdentity"]
    variables = {_unquote(c["variable"]) for c in assume["condition"]}
    assert variables == {"${local.oidc_host}:sub", "${local.oidc_host}:aud"}


# --------------------------------------------------------------------------- AMP (Prometheus half)


def _statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    matches = [s for s in _statements(document) if _unquote(s.get("sid", "")) == sid]
    assert len(matches) == 1, f"expected one statement {sid}"
    return matches[0]


def _conditions(statement: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    return {
        _unquote(c["variable"]): (_unquote(c["test"]), [_unquote(v) for v in c["values"]])
        for c in statement.get("condition", [])
    }


@pytest.mark.parametrize("env", _env_dirs(), ids=_ids(_env_dirs()))
def test_env_points_amp_at_the_generated_files(env: Path) -> None:
    call = _blocks(env, "module")["observability"]
    assert _unquote(call["prometheus_rules_dir"]) == "${path.root}/../../../alarms/prometheus"
    assert _unquote(call["amp_alertmanager_file"]) == "${path.root}/../../../alarms/amp/alertmanager.yaml"
    assert _unquote(call["exporters_dir"]) == "${path.root}/../../../alarms/exporters"
    for generated in (
        "alarms/amp/alertmanager.yaml",
        "alarms/exporters/yace-relabel.yaml",
        "alarms/exporters/yace.yaml",
    ):
        assert (REPO_ROOT / generated).is_file(), f"{generated} missing: run sre generate"


def test_amp_rule_namespaces_are_the_generated_rule_files_byte_for_byte() -> None:
    namespace = _typed_blocks(OBSERVABILITY, "resource")[("aws_prometheus_rule_group_namespace", "slo")]
    assert namespace["for_each"] == "${local.rule_files}"
    assert namespace["name"] == "${each.key}" and namespace["data"] == "${file(each.value)}"
    rule_files = re.sub(r"\s+", "", _locals(OBSERVABILITY)["rule_files"])
    assert 'fileset(var.prometheus_rules_dir,"*.rules.yaml"):trimsuffix(f,".rules.yaml")=>' in rule_files
    # The keys (namespace names = services) come from file names: what sre prometheus also uses.
    services = sorted(
        p.name.removesuffix(".rules.yaml") for p in (REPO_ROOT / "alarms" / "prometheus").glob("*.rules.yaml")
    )
    assert services, "no generated rule files in alarms/prometheus"
    for service in services:
        document = yaml.safe_load((REPO_ROOT / "alarms" / "prometheus" / f"{service}.rules.yaml").read_text("utf-8"))
        assert document["groups"], service
    # Ownership is visible to `sre prometheus`, which only touches namespaces tagged managed-by=sre.
    assert '"sre.dev/managed-by" = "terraform"' in namespace["tags"]


def test_amp_alertmanager_definition_is_the_generated_template_with_this_modules_topics() -> None:
    definition = _typed_blocks(OBSERVABILITY, "resource")[("aws_prometheus_alert_manager_definition", "this")]
    assert definition["definition"] == "${local.amp_alertmanager_definition}"
    assert _locals(OBSERVABILITY)["amp_alertmanager_definition"] == (
        "${templatefile(var.amp_alertmanager_file, local.template_values)}"
    )
    assert "aws_sns_topic.this" in str(definition["lifecycle"]), "the definition may only name this module's topics"


def test_amp_workspace_and_its_logs_are_encrypted_with_customer_keys() -> None:
    resources = _typed_blocks(OBSERVABILITY, "resource")
    workspace = resources[("aws_prometheus_workspace", "this")]
    assert workspace["kms_key_arn"] == "${var.amp_kms_key_arn}"
    assert _unquote(workspace["logging_configuration"][0]["log_group_arn"]) == (
        "${aws_cloudwatch_log_group.prometheus.arn}:*"
    )
    log_group = resources[("aws_cloudwatch_log_group", "prometheus")]
    assert log_group["kms_key_id"] == "${var.logs_kms_key_arn}"


@pytest.mark.parametrize(
    ("document", "actions"),
    [("topic", {"sns:Publish", "sns:GetTopicAttributes"}), ("sns_key", {"kms:Decrypt", "kms:GenerateDataKey*"})],
)
def test_amp_may_publish_to_the_topics_for_this_workspace_only(document: str, actions: set[str]) -> None:
    statement = _statement(
        _typed_blocks(OBSERVABILITY, "data")[("aws_iam_policy_document", document)], "PrometheusAlertmanagerPublish"
    )
    assert {_unquote(a) for a in statement["actions"]} == actions
    (principal,) = statement["principals"]
    assert _unquote(principal["type"]) == "Service" and [_unquote(i) for i in principal["identifiers"]] == [
        "aps.amazonaws.com"
    ]
    assert _conditions(statement) == {
        "aws:SourceAccount": ("StringEquals", ["${local.account_id}"]),
        "aws:SourceArn": ("ArnEquals", ["${aws_prometheus_workspace.this.arn}"]),
    }


def test_yace_reads_cloudwatch_only_and_the_report_role_queries_this_workspace_only() -> None:
    data = _typed_blocks(OBSERVABILITY, "data")
    yace = data[("aws_iam_policy_document", "yace")]
    assert {_unquote(a) for s in _statements(yace) for a in s["actions"]} == {
        "cloudwatch:GetMetricData",
        "cloudwatch:ListMetrics",
        "tag:GetResources",
    }
    report = _statement(data[("aws_iam_policy_document", "slo_report")], "QueryWorkspace")
    assert {_unquote(a) for a in report["actions"]} == {
        "aps:QueryMetrics",
        "aps:GetSeries",
        "aps:GetLabels",
        "aps:GetMetricMetadata",
    }
    assert report["resources"] == ["${aws_prometheus_workspace.this.arn}"]
    writer = _statement(data[("aws_iam_policy_document", "scraper_target")], "RemoteWrite")
    assert [_unquote(a) for a in writer["actions"]] == ["aps:RemoteWrite"]
    assert writer["resources"] == ["${aws_prometheus_workspace.this.arn}"]
    # Pod Identity trust: only this cluster's pods, only this account.
    trust = _statement(data[("aws_iam_policy_document", "pod_identity_assume")], "EksPodIdentity")
    assert _conditions(trust) == {
        "aws:SourceAccount": ("StringEquals", ["${local.account_id}"]),
        "aws:SourceArn": ("ArnEquals", ["${var.eks_cluster_arn}"]),
    }
    resources = _typed_blocks(OBSERVABILITY, "resource")
    for name in ("yace", "slo_report"):
        association = resources[("aws_eks_pod_identity_association", name)]
        assert association["role_arn"] == f"${{aws_iam_role.{name}.arn}}"


def test_scraper_writes_through_our_roles_with_the_generated_yace_relabelling() -> None:
    scraper = _typed_blocks(OBSERVABILITY, "resource")[("aws_prometheus_scraper", "eks")]
    assert scraper["scrape_configuration"] == "${yamlencode(local.scrape_configuration)}"
    (roles,) = scraper["role_configuration"]
    assert roles["source_role_arn"] == "${aws_iam_role.scraper_source.arn}"
    assert roles["target_role_arn"] == "${aws_iam_role.scraper_target.arn}"
    (eks,) = scraper["source"][0]["eks"]
    assert eks["cluster_arn"] == "${var.eks_cluster_arn}"
    main_tf = re.sub(r"\s+", "", (OBSERVABILITY / "prometheus.tf").read_text(encoding="utf-8"))
    assert (
        'metric_relabel_configs=yamldecode(file("${var.exporters_dir}/yace-relabel.yaml")).metric_relabel_configs'
        in main_tf
    )
    assert "honor_timestamps=true" in main_tf
    assert 'job_name="api"' in main_tf, 'the generated rules select job="api"'
