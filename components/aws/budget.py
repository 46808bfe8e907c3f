"""The environment's AWS Budget: a monthly cost budget over the stack's tagged spend, alerting an SNS topic
encrypted with the stack key, and email."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from aistacks._options import child
from aistacks.aws.context import aws_context
from aistacks.aws.documents import budget_topic_policy
from aistacks.plan.aws import AwsBudgetPlan

TYPE_TOKEN = "aistacks:aws:CostBudget"


@dataclass(frozen=True)
class CostBudgetArgs:
    """Arguments of :class:`CostBudget`."""

    plan: AwsBudgetPlan
    """The planned budget (:attr:`aistacks.plan.AwsPlan.budget`): amount, alerts, the tag it counts, the topic."""
    kms_key_arn: pulumi.Input[str]
    """The key the topic is encrypted with; its policy must let AWS Budgets use it (the stack key's does with
    ``budgets`` among its services: :func:`aistacks.aws.documents.key_policy`). Required."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the topic and the budget. Default: none (the provider's default tags still apply)."""


class CostBudget(pulumi.ComponentResource):
    """A monthly COST budget in USD that counts the spend tagged ``<filter_tag>: <filter_value>`` (the
    ``TagKeyValue`` cost filter ``user:<tag>$<value>``), alerting when the actual spend passes each threshold
    and when the forecast passes the forecast threshold, to an SNS topic encrypted with the stack key (which
    only AWS Budgets, for this account's budgets, may publish to) and to the planned email addresses.

    The tag must be activated as a cost allocation tag in the Billing and Cost Management console before the
    budget counts anything (AWS Billing User Guide, "Using user-defined cost allocation tags"); the topic has
    no subscriber of its own: subscribe an endpoint to :attr:`topic` (its ARN is exported)."""

    topic: aws.sns.Topic
    topic_policy: aws.sns.TopicPolicy
    budget: aws.budgets.Budget

    def __init__(self, name: str, args: CostBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        plan = args.plan
        tags = dict(args.tags)
        self.topic = aws.sns.Topic(
            f"{name}-alerts",
            name=plan.topic_name,
            kms_master_key_id=args.kms_key_arn,
            tags=tags,
            opts=child(self),
        )
        topic_arn = self.topic.arn
        # Output.json_dumps with the topic's ARN in the document as it is: a preview's gate reads around it.
        policy = pulumi.Output.json_dumps(
            aws_context(self).apply(lambda where: budget_topic_policy(topic_arn, where.account_id, where.partition))
        )
        self.topic_policy = aws.sns.TopicPolicy(f"{name}-alerts-policy", arn=topic_arn, policy=policy, opts=child(self))
        emails = list(plan.emails) or None
        notifications: list[aws.budgets.BudgetNotificationArgsDict] = [
            {
                "notification_type": "ACTUAL",
                "comparison_operator": "GREATER_THAN",
                "threshold": float(threshold),
                "threshold_type": "PERCENTAGE",
                "subscriber_sns_topic_arns": [topic_arn],
                "subscriber_email_addresses": emails,
            }
            for threshold in plan.thresholds_percent
        ]
        notifications.append(
            {
                "notification_type": "FORECASTED",
                "comparison_operator": "GREATER_THAN",
                "threshold": float(plan.forecast_percent),
                "threshold_type": "PERCENTAGE",
                "subscriber_sns_topic_arns": [topic_arn],
                "subscriber_email_addresses": emails,
            }
        )
        # The budget waits for the topic's policy: without it, AWS Budgets may not publish its alerts there.
        self.budget = aws.budgets.Budget(
            name,
            name=plan.name,
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=str(plan.amount_usd),
            limit_unit="USD",
            cost_filters=[{"name": "TagKeyValue", "values": [plan.cost_filter]}],
            notifications=notifications,
            tags=tags,
            opts=child(self, depends_on=[self.topic_policy]),
        )
        self.register_outputs({"budget": self.budget.name, "topic_arn": topic_arn})
