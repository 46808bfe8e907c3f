"""The environment's Cloud Billing budget: a monthly budget on the billing account over the stack's project and
labelled resources, publishing to a Pub/Sub topic encrypted with the stack's key, and emailing through Cloud
Monitoring notification channels."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pulumi
import pulumi_gcp as gcp

from aistacks._options import child, stateful_child
from aistacks.gcp.kms import KmsKey
from aistacks.plan.gcp import GcpBudgetPlan

TYPE_TOKEN = "aistacks:gcp:CostBudget"
NANOS_PER_UNIT = 1_000_000_000
RETENTION = "604800s"
"""Seven days: the longest a budget alert matters (the next month's first alert replaces it anyway)."""
SCHEMA_VERSION = "1.0"
"""The budget notification format; "Only "1.0" is accepted" (pulumi-gcp 10.2.0 billing.BudgetAllUpdatesRuleArgs)."""


def specified_amount(amount_usd: Decimal) -> gcp.billing.BudgetAmountSpecifiedAmountArgsDict:
    """A US dollar amount as the Cloud Billing API takes it: whole ``units`` (a string) and ``nanos``."""
    units = int(amount_usd)
    nanos = int((amount_usd - units) * NANOS_PER_UNIT)
    return {"currency_code": "USD", "units": str(units), "nanos": nanos}


@dataclass(frozen=True)
class CostBudgetArgs:
    """Arguments of :class:`CostBudget`."""

    plan: GcpBudgetPlan
    """The planned budget (:attr:`aistacks.plan.GcpPlan.budget`): billing account, amount, alerts, filter, topic."""
    region: str
    """Where the topic may keep its messages (its message storage policy): the stack's region. Required."""
    kms_key: KmsKey
    """The stack's key, in ``region``; Pub/Sub's service agent is granted its use. Required."""
    protect: bool = True
    """Protect the topic (it keeps a week of alerts, :data:`RETENTION`) from deletion. Default: on."""


class CostBudget(pulumi.ComponentResource):
    """A Cloud Billing budget on the billing account that counts, each calendar month, the spend of the
    stack's project on resources labelled ``<filter_tag>: <filter_value>``; it alerts at each threshold of
    the current spend and at the forecast threshold (threshold rules), to the billing account's
    administrators and users (Cloud Billing's default recipients), to one Cloud Monitoring email channel per
    planned address, and publishes every update to a Pub/Sub topic encrypted with the stack's key, its
    messages kept only in the stack's region.

    Creating it takes ``billing.budgets.create`` on the billing account (Billing Account Administrator or
    Costs Manager) and ``pubsub.topics.setIamPolicy`` on the topic, which Cloud Billing uses to let its own
    account publish (Cloud Billing docs, "Access control for the Cloud Billing Budget API" and "Set up
    programmatic notifications", read 2026-12-01)."""

    topic: gcp.pubsub.Topic
    channels: list[gcp.monitoring.NotificationChannel]
    budget: gcp.billing.Budget

    def __init__(self, name: str, args: CostBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        plan = args.plan
        grants = args.kms_key.allow_service_agent("pubsub")
        self.topic = gcp.pubsub.Topic(
            f"{name}-alerts",
            name=plan.topic_name,
            project=plan.project,
            kms_key_name=args.kms_key.key_id,
            message_storage_policy={"allowed_persistence_regions": [args.region]},
            # Without a subscription Pub/Sub keeps nothing it is sent; the topic keeps a week of alerts, so a
            # subscription made later can seek back to them (pulumi-gcp 10.2.0 pubsub.Topic
            # message_retention_duration: "messages published to the topic in the last
            # messageRetentionDuration are always available to subscribers").
            message_retention_duration=RETENTION,
            opts=stateful_child(self, protect=args.protect, depends_on=grants),
        )
        self.channels = [
            gcp.monitoring.NotificationChannel(
                f"{name}-email-{index}",
                project=plan.project,
                type="email",
                display_name=f"{plan.name} alerts: {email}",
                labels={"email_address": email},
                opts=child(self),
            )
            for index, email in enumerate(plan.emails)
        ]
        number = gcp.organizations.get_project_output(
            project_id=plan.project, opts=pulumi.InvokeOptions(parent=self)
        ).number
        thresholds: list[gcp.billing.BudgetThresholdRuleArgsDict] = [
            {"threshold_percent": percent / 100, "spend_basis": "CURRENT_SPEND"} for percent in plan.thresholds_percent
        ]
        thresholds.append({"threshold_percent": plan.forecast_percent / 100, "spend_basis": "FORECASTED_SPEND"})
        self.budget = gcp.billing.Budget(
            name,
            billing_account=plan.billing_account,
            display_name=plan.name,
            budget_filter={
                "projects": [number.apply(lambda value: f"projects/{value}")],
                "labels": dict(plan.labels),
                "calendar_period": "MONTH",
            },
            amount={"specified_amount": specified_amount(plan.amount_usd)},
            threshold_rules=thresholds,
            all_updates_rule={
                "pubsub_topic": self.topic.id,
                "schema_version": SCHEMA_VERSION,
                "monitoring_notification_channels": [channel.id for channel in self.channels] or None,
            },
            opts=child(self),
        )
        self.register_outputs({"budget": self.budget.name, "topic": self.topic.id})
