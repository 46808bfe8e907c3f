"""Budgets that exist in the cloud (issue 14): the ``budget:`` config and its errors, the planned budget per
cloud, the AWS Budget and the Cloud Billing budget the shipped stacks create with their encrypted topics, and
the gate failing a stack whose full-scale estimate is over its budget."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from aistacks.cli import EXIT_OK, EXIT_VIOLATIONS, main
from aistacks.config import ConfigError, parse_platform_spec
from aistacks.engine import ResourceGraph, ResourceRecord
from aistacks.engine.graph import display_value
from aistacks.gate.builtin import stack_policy_config
from aistacks.plan import AwsPlan, GcpPlan, plan_platform
from aistacks.plan.model import BudgetPlan
from aistacks.reasons import REASON_TAG_LIMIT, meaningful_words, reason_problem, reason_tag_value

from .conftest import REPO

Plan = Callable[[str, bool], ResourceGraph]
ROOT = "aistacks:platform"
MODES = [False, True]
AWS_BUDGET = "aws:budgets/budget:Budget"
SNS_TOPIC = "aws:sns/topic:Topic"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
GCP_BUDGET = "gcp:billing/budget:Budget"
PUBSUB_TOPIC = "gcp:pubsub/topic:Topic"
KMS_KEY = "aws:kms/key:Key"
CRYPTO_KEY = "gcp:kms/cryptoKey:CryptoKey"
KEY_GRANT = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
ACCOUNT = "000000-000000-000000"


def inputs(record: ResourceRecord) -> dict[str, Any]:
    return display_value(record.inputs)


def budget_of(cloud: object) -> BudgetPlan | None:
    return cloud.budget if isinstance(cloud, AwsPlan | GcpPlan) else None


def stack_config(env: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / "stacks" / f"Pulumi.{env}.yaml").read_text(encoding="utf-8"))["config"][ROOT]


def issues(raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(raw)
    return {issue.path: issue.message for issue in caught.value.issues}


# --- the shipped stacks' budgets -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "amounts"),
    [
        ("dev", {"aws": "1500.00"}),
        ("staging", {"aws": "9150.00", "gcp": "5850.00"}),
        ("prod", {"aws": "76500.00", "gcp": "73500.00"}),
    ],
)
def test_each_cloud_of_a_stack_gets_its_share_of_the_budget(env: str, amounts: dict[str, str]) -> None:
    plan = plan_platform(parse_platform_spec(stack_config(env), stack=env))
    budgets = {cloud: budget_of(cloud_plan) for cloud, cloud_plan in plan.clouds.items()}
    assert {cloud: str(budget.amount_usd) for cloud, budget in budgets.items() if budget} == amounts
    for budget in filter(None, budgets.values()):
        assert (budget.thresholds_percent, budget.forecast_percent) == ((50, 80, 100), 100)
        assert (budget.filter_tag, budget.filter_value) == ("aistacks-stack", f"aistacks-{env}")
        assert budget.filter_value == plan.tags["aistacks-stack"], "the budget counts the tag every resource carries"
    total = sum(Decimal(amount) for amount in amounts.values())
    assert total == Decimal(str(stack_config(env)["budget"]["monthly_usd"]))


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize(("env", "amount"), [("dev", "1500.00"), ("staging", "9150.00"), ("prod", "76500.00")])
def test_the_aws_budget_counts_the_stacks_tag_and_alerts_an_encrypted_topic(
    plan: Plan, env: str, amount: str, preview: bool
) -> None:
    graph = plan(env, preview)
    (budget,) = graph.of_type(AWS_BUDGET)
    (topic,) = graph.of_type(SNS_TOPIC)
    (policy,) = graph.of_type(TOPIC_POLICY)
    (key,) = graph.of_type(KMS_KEY)
    props = inputs(budget)
    assert (props["name"], props["budgetType"], props["timeUnit"]) == (f"aistacks-{env}-monthly", "COST", "MONTHLY")
    assert (props["limitAmount"], props["limitUnit"]) == (amount, "USD")
    assert props["costFilters"] == [{"name": "TagKeyValue", "values": [f"user:aistacks-stack$aistacks-{env}"]}]
    alerts = [(n["notificationType"], n["threshold"], n["thresholdType"]) for n in props["notifications"]]
    assert alerts == [
        ("ACTUAL", 50, "PERCENTAGE"),
        ("ACTUAL", 80, "PERCENTAGE"),
        ("ACTUAL", 100, "PERCENTAGE"),
        ("FORECASTED", 100, "PERCENTAGE"),
    ]
    assert all(n["comparisonOperator"] == "GREATER_THAN" for n in props["notifications"])
    assert topic.urn in budget.property_dependencies["notifications"], "every alert goes to the topic"
    assert policy.urn in budget.depends_on, "the budget waits for the right to publish"
    assert key.urn in topic.property_dependencies["kmsMasterKeyId"], "the topic is encrypted with the stack key"
    assert inputs(topic)["name"] == f"aistacks-{env}-budget-alerts"
    if not preview:
        document = json.loads(inputs(policy)["policy"])
        (statement,) = document["Statement"]
        assert statement["Principal"] == {"Service": "budgets.amazonaws.com"}
        assert statement["Action"] == "SNS:Publish"
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": statement["Resource"].split(":")[4]}
        assert statement["Condition"]["ArnLike"]["aws:SourceArn"].startswith("arn:aws:budgets::")


def test_the_stack_key_lets_aws_budgets_use_it_for_this_account_only(plan: Plan) -> None:
    (key,) = plan("prod", False).of_type(KMS_KEY)
    statements = json.loads(inputs(key)["policy"])["Statement"]
    (budgets,) = [s for s in statements if s["Principal"] == {"Service": "budgets.amazonaws.com"}]
    assert budgets["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    # No aws:SourceArn on the key: with one, deployments saw Budgets' alerts to encrypted topics dropped.
    assert budgets["Condition"] == {"StringEquals": {"aws:SourceAccount": "210987654321"}}


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize(("env", "units"), [("staging", "5850"), ("prod", "73500")])
def test_the_gcp_budget_counts_the_project_and_label_and_publishes_to_an_encrypted_topic(
    plan: Plan, env: str, units: str, preview: bool
) -> None:
    graph = plan(env, preview)
    (budget,) = graph.of_type(GCP_BUDGET)
    (topic,) = graph.of_type(PUBSUB_TOPIC)
    (crypto_key,) = graph.of_type(CRYPTO_KEY)
    props = inputs(budget)
    assert (props["billingAccount"], props["displayName"]) == (ACCOUNT, f"aistacks-{env}-monthly")
    assert props["amount"] == {"specifiedAmount": {"currencyCode": "USD", "units": units, "nanos": 0}}
    assert props["budgetFilter"]["labels"] == {"aistacks-stack": f"aistacks-{env}"}
    assert props["budgetFilter"]["calendarPeriod"] == "MONTH"
    rules = [(r["thresholdPercent"], r["spendBasis"]) for r in props["thresholdRules"]]
    assert rules == [(0.5, "CURRENT_SPEND"), (0.8, "CURRENT_SPEND"), (1, "CURRENT_SPEND"), (1, "FORECASTED_SPEND")]
    assert props["allUpdatesRule"]["schemaVersion"] == "1.0"
    assert topic.urn in budget.property_dependencies["allUpdatesRule"]
    assert crypto_key.urn in topic.property_dependencies["kmsKeyName"], "the topic is encrypted with the stack key"
    assert inputs(topic)["messageStoragePolicy"] == {"allowedPersistenceRegions": ["europe-west4"]}
    assert topic.protect, "staging and prod protect the topic, which keeps what it is sent"
    (grant,) = [g for g in graph.of_type(KEY_GRANT) if g.name.endswith("-pubsub-agent")]
    assert grant.urn in topic.depends_on, "the topic waits for Pub/Sub's right to use the key"
    if not preview:
        number = inputs(grant)["member"].split("service-")[1].split("@")[0]
        assert inputs(grant)["member"] == f"serviceAccount:service-{number}@gcp-sa-pubsub.iam.gserviceaccount.com"
        assert props["budgetFilter"]["projects"] == [f"projects/{number}"]


def test_dev_has_no_gcp_budget_and_stacks_export_their_topics(plan: Plan) -> None:
    assert plan("dev", False).of_type(GCP_BUDGET) == []
    (stack,) = plan("prod", False).of_type("pulumi:pulumi:Stack")
    (topic,) = plan("prod", False).of_type(SNS_TOPIC)
    assert stack.outputs["aws_budget_topic_arn"] == "arn:aws:sns:eu-central-1:210987654321:aistacks-prod-budget-alerts"
    assert stack.outputs["gcp_budget_topic"] == "projects/acme-ai-prod/topics/aistacks-prod-budget-alerts"
    assert topic.name == "aistacks-prod-aws-budget-alerts"


# --- the gate --------------------------------------------------------------------------------------------


def gate(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["gate", *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def tiny_budget(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """staging with a budget of $1,000: its full-scale estimate is over $11,000."""
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.staging.yaml").read_text(encoding="utf-8"))
    document["config"][ROOT]["budget"]["monthly_usd"] = 1000
    path = tmp_path_factory.mktemp("tiny") / "Pulumi.tiny.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.mark.parametrize("preview", MODES)
def test_the_gate_fails_a_stack_over_its_budget_naming_the_pools(tiny_budget: Path, preview: bool) -> None:
    """No policies/config/tiny.json: the built-in config holds the estimate to budget.monthly_usd."""
    code, out, err = gate(
        "--stack-file", str(tiny_budget), "--project-dir", str(REPO), "--format", "json", *(["--preview"] * preview)
    )
    assert code == EXIT_VIOLATIONS, err
    (finding,) = [f for f in json.loads(out)["findings"] if f["ruleId"] == "AIS-COST-001"]
    message = finding["message"]
    assert "over the budget of $1,000.00 (maxMonthlyUsd)" in message
    assert "aistacks-tiny-inference-l40s (3 x g6e.xlarge on demand in eu-central-1) $" in message
    assert {f["ruleId"] for f in json.loads(out)["findings"]} == {"AIS-COST-001"}, "nothing else fails"


def test_a_repository_config_holds_the_estimate_to_the_budgets_the_stack_creates(tiny_budget: Path) -> None:
    """policies/config/staging.json sets no maxMonthlyUsd: the budgets in the graph are the limit."""
    config = REPO / "policies" / "config" / "staging.json"
    code, out, _ = gate("--stack-file", str(tiny_budget), "--project-dir", str(REPO), "--policy-config", str(config))
    assert code == EXIT_VIOLATIONS
    assert (
        "over the budget of $1,000.00 (the stack's budgets: aistacks-tiny-aws-budget, aistacks-tiny-gcp-budget)" in out
    )


def test_the_shipped_stacks_pass_within_their_budgets(tiny_budget: Path) -> None:
    code, _, err = gate("--stack-file", str(REPO / "stacks" / "Pulumi.staging.yaml"), "--project-dir", str(REPO))
    assert code == EXIT_OK, err


def test_the_built_in_config_follows_the_budget() -> None:
    with_budget = parse_platform_spec(stack_config("prod"), stack="prod")
    assert stack_policy_config(with_budget)["AIS-COST-001"] == {
        "enforcementLevel": "mandatory",
        "maxMonthlyUsd": 150000,
    }
    raw = copy.deepcopy(stack_config("prod"))
    del raw["budget"]
    assert stack_policy_config(parse_platform_spec(raw, stack="prod"))["AIS-COST-001"] == "disabled"


# --- config errors -----------------------------------------------------------------------------------------


def with_budget(env: str, **budget: Any) -> dict[str, Any]:
    raw = copy.deepcopy(stack_config(env))
    raw["budget"] = budget
    return raw


@pytest.mark.parametrize(
    ("env", "budget", "path", "words"),
    [
        ("staging", {"monthly_usd": 100, "cloud_share_percent": {"aws": 50, "gcp": 50}}, "gcp_billing_account",
         "required when the stack uses gcp"),
        ("staging", {"monthly_usd": 100, "gcp_billing_account": ACCOUNT}, "cloud_share_percent",
         "required when the stack uses aws and gcp"),
        ("staging", {"monthly_usd": 100, "gcp_billing_account": ACCOUNT, "cloud_share_percent": {"aws": 60, "gcp": 60}},
         "cloud_share_percent", "sum to 120; allowed: 100"),
        ("staging", {"monthly_usd": 100, "gcp_billing_account": ACCOUNT, "cloud_share_percent": {"aws": 100}},
         "cloud_share_percent", "name exactly the clouds the stack uses: aws, gcp"),
        ("dev", {"monthly_usd": 100, "gcp_billing_account": ACCOUNT}, "gcp_billing_account", "does not use gcp"),
        ("dev", {"monthly_usd": 100, "gcp_billing_account": "01-23"}, "gcp_billing_account", "XXXXXX-XXXXXX-XXXXXX"),
        ("dev", {"monthly_usd": 100, "emails": ["oncall"]}, "emails[0]", "email address"),
        ("dev", {"monthly_usd": 0}, "monthly_usd", "greater than 0"),
        ("dev", {"monthly_usd": 10.005}, "monthly_usd", "at most two decimals"),
        ("dev", {"monthly_usd": 100, "alert_thresholds_percent": [80, 50]}, "alert_thresholds_percent", "ascending"),
        ("dev", {"monthly_usd": 100, "alert_thresholds_percent": list(range(10, 110, 10))},
         "alert_thresholds_percent", "at most 9 thresholds"),
        ("prod", {"monthly_usd": 100, "gcp_billing_account": ACCOUNT, "cloud_share_percent": {"aws": 50, "gcp": 50},
                  "emails": [f"a{i}@example.com" for i in range(6)]}, "emails", "at most 5"),
    ],
)  # fmt: skip
def test_bad_budgets_are_named_by_key_with_what_is_allowed(
    env: str, budget: dict[str, Any], path: str, words: str
) -> None:
    found = issues(with_budget(env, **budget))
    assert words in found[f"{ROOT}.budget.{path}"], found


@pytest.mark.parametrize(
    ("reason", "capacity", "words"),
    [
        ("needed", "on_demand", "not a reason: at least 4 different words"),
        ("checkpoints lost on preemption " * 4, "on_demand", "too long for a label"),
        ("checkpoints are lost on preemption", "spot", "only a pool on demand opts out of spot"),
    ],
)
def test_an_on_demand_reason_says_why_in_words_a_label_holds(reason: str, capacity: str, words: str) -> None:
    raw = copy.deepcopy(stack_config("dev"))
    pool = raw["aws"]["clusters"][0]["gpu_pools"][0]
    pool |= {"capacity": capacity, "on_demand_reason": reason}
    found = issues(raw)
    assert words in found[f"{ROOT}.aws.clusters[0].gpu_pools[0].on_demand_reason"], found


def test_an_on_demand_reason_is_planned_into_the_pools_tag_and_passes_the_gate(tmp_path: Path) -> None:
    document = yaml.safe_load((REPO / "stacks" / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    pool = document["config"][ROOT]["aws"]["clusters"][0]["gpu_pools"][0]
    pool |= {"capacity": "on_demand", "on_demand_reason": "Checkpoints are lost on preemption"}
    document["config"][ROOT]["budget"]["monthly_usd"] = 2500  # on demand costs more than dev's $1,500
    path = tmp_path / "Pulumi.reason.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    code, out, err = gate("--stack-file", str(path), "--project-dir", str(REPO), "--format", "json")
    assert code == EXIT_OK, out + err
    del pool["on_demand_reason"]
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    code, out, _ = gate("--stack-file", str(path), "--project-dir", str(REPO), "--format", "json")
    assert code == EXIT_VIOLATIONS
    (finding,) = json.loads(out)["findings"]
    assert (finding["ruleId"], finding["path"]) == ("AIS-COST-002", "capacityType")


# --- properties -------------------------------------------------------------------------------------------


@given(cents=st.integers(100, 10**10), aws=st.integers(1, 99))
def test_the_shares_of_a_budget_add_up_to_it_within_a_cent_per_cloud(cents: int, aws: int) -> None:
    raw = with_budget(
        "staging",
        monthly_usd=cents / 100,
        gcp_billing_account=ACCOUNT,
        cloud_share_percent={"aws": aws, "gcp": 100 - aws},
    )
    plan = plan_platform(parse_platform_spec(raw, stack="staging"))
    budgets = [budget_of(cloud) for cloud in plan.clouds.values()]
    amounts = [budget.amount_usd for budget in budgets if budget is not None]
    assert len(amounts) == 2
    assert all(amount == amount.quantize(Decimal("0.01")) and amount > 0 for amount in amounts)
    assert abs(sum(amounts) - Decimal(cents) / 100) <= Decimal("0.01")


WORDS = st.lists(st.from_regex(r"[A-Za-z]{1,12}|[0-9]{1,4}|aaaa|xxxxxx", fullmatch=True), max_size=14)


@given(words=WORDS, separator=st.sampled_from([" ", ", ", " - ", "_", "/"]))
def test_the_config_and_the_gate_judge_a_reason_alike(words: list[str], separator: str) -> None:
    """A reason the config accepts is a label value both clouds take, which AIS-COST-002 accepts; one the
    config refuses for its words, AIS-COST-002 refuses too."""
    reason = separator.join(words)
    value = reason_tag_value(reason)
    problem = reason_problem(reason)
    gate_accepts = len(meaningful_words(value.replace("-", " "))) >= 4
    assert all(ch in "abcdefghijklmnopqrstuvwxyz0123456789-" for ch in value)
    if problem is None:
        assert gate_accepts and len(value) <= REASON_TAG_LIMIT
    elif problem.startswith("not a reason"):
        assert not gate_accepts
