"""Evaluate the guardrails on a recorded resource graph, the way the Pulumi engine would.

The engine's own requests (``ConfigureAnalyzerRequest``, ``AnalyzeRequest`` per resource,
``AnalyzeStackRequest``) go through pulumi-policy's analyzer servicer, so the rules see the same
property proxies, unknown markers, provider resources, enforcement levels and config as under
``pulumi preview --policy-pack``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, Policy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from aistacks.engine.graph import ResourceGraph, ResourceRecord
from aistacks.gate.config import RuleConfig
from aistacks.policies.framework import Finding, Suppression, collect_findings, display, literal, parse_suppressions

PACK_NAME = "aistacks-guardrails"
BLOCKING = frozenset({EnforcementLevel.MANDATORY, EnforcementLevel.REMEDIATE})
_LEVEL_FROM_PROTO = {
    analyzer_pb2.ADVISORY: EnforcementLevel.ADVISORY,
    analyzer_pb2.MANDATORY: EnforcementLevel.MANDATORY,
    analyzer_pb2.REMEDIATE: EnforcementLevel.REMEDIATE,
    analyzer_pb2.DISABLED: EnforcementLevel.DISABLED,
}
_LEVEL_TO_PROTO = {level: proto for proto, level in _LEVEL_FROM_PROTO.items()}


@dataclass(frozen=True)
class Result:
    """One finding with the enforcement level the engine reported it at (None when suppressed)."""

    finding: Finding
    level: EnforcementLevel | None

    @property
    def blocking(self) -> bool:
        return self.level in BLOCKING


@dataclass
class GateResult:
    stack: str
    preview: bool
    rules_run: list[str]
    resources: int
    results: list[Result] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    matched: dict[Suppression, list[str]] = field(default_factory=dict)
    """The URNs of the resources of the graph each suppression in force names (a pattern's may be several)."""
    hidden: dict[Suppression, list[str]] = field(default_factory=dict)
    """The URNs of the resources whose findings each suppression in force hid."""

    @property
    def passed(self) -> bool:
        return not any(result.blocking for result in self.results)


def evaluate(
    graph: ResourceGraph,
    policies: list[Policy],
    config: Mapping[str, RuleConfig],
    stack_config: Mapping[str, str],
    today: dt.date | None = None,
) -> GateResult:
    """Run ``policies`` over ``graph`` through the analyzer servicer, in an isolated context."""
    return contextvars.copy_context().run(_evaluate, graph, policies, config, stack_config, today or dt.date.today())


def _evaluate(
    graph: ResourceGraph,
    policies: list[Policy],
    config: Mapping[str, RuleConfig],
    stack_config: Mapping[str, str],
    today: dt.date,
) -> GateResult:
    findings: list[Finding] = []
    # Which unknown inputs are verbatim another resource's output: the rules trust no other (preview).
    collect_findings(
        findings,
        today,
        {record.urn: record.verbatim_sources for record in graph.resources},
        {record.urn: record.document_templates for record in graph.resources},
    )
    set_all_config(dict(stack_config))  # the rules read the stack's default-provider config
    servicer = _PolicyAnalyzerServicer(PACK_NAME, "0.1.0", policies, EnforcementLevel.MANDATORY)
    servicer.Configure(_configure_request(config), None)
    servicer.ConfigureStack(
        analyzer_pb2.AnalyzerStackConfigureRequest(stack=graph.stack, project=graph.project, dry_run=graph.preview),
        None,
    )
    diagnostics: list[Any] = []
    requests = _Requests(graph)
    for record in graph.resources:
        diagnostics += servicer.Analyze(requests.analyze(record), None).diagnostics
    stack_request = analyzer_pb2.AnalyzeStackRequest(resources=[requests.stack_resource(r) for r in graph.resources])
    diagnostics += servicer.AnalyzeStack(stack_request, None).diagnostics
    active = [name for name, rule in config.items() if rule.level != EnforcementLevel.DISABLED]
    result = GateResult(graph.stack, graph.preview, active, len(graph.resources))
    order = {policy.name: position for position, policy in enumerate(policies)}
    result.results = sorted(
        _pair(findings, diagnostics),
        key=lambda r: (order.get(r.finding.rule_id, len(order)), r.finding.urn, r.finding.path, r.finding.message),
    )
    by_name = {policy.name: policy for policy in policies}
    for name in active:
        in_force, _ = parse_suppressions(name, config[name].properties.get("suppressions"), today)
        for suppression in in_force:
            _account(result, graph, suppression, config[name], by_name.get(name))
    return result


def _account(
    result: GateResult, graph: ResourceGraph, suppression: Suppression, rule: RuleConfig, policy: Policy | None
) -> None:
    """Record what ``suppression`` names and hides. One that names more than it may (a bare name that
    resources of several types bear, a name and type that several resources bear under different parents, a
    pattern that matches more than its ``max``) suppresses nothing and is itself a violation: under the
    Pulumi CLI, where a rule sees one resource at a time, it would hide them all."""
    # Custom resources only: a component that bears the name holds no finding of its own.
    matched = [r for r in graph.resources if r.custom and suppression.matches(r.urn, r.name, r.type)]
    problem = _too_broad(suppression, matched)
    if problem is not None:
        raw = rule.properties.get("suppressions") or []
        index = next(i for i, entry in enumerate(raw) if _written_as(entry, suppression))
        finding = Finding(
            suppression.rule_id,
            policy.severity.value if policy is not None and policy.severity is not None else "",
            "",
            "",
            f"suppressions[{index}]",
            display(raw[index]),
            "one resource: a URN, or a name with its type; or a pattern that matches at most its max",
            f"suppression {index} of {suppression.rule_id} {problem}; it suppresses nothing and is itself a violation",
        )
        result.results = [
            Result(replace(r.finding, suppressed_by=None), rule.level) if r.finding.suppressed_by == suppression else r
            for r in result.results
        ]
        result.results.append(Result(finding, rule.level))
        return
    result.suppressions.append(suppression)
    result.matched[suppression] = [r.urn for r in matched]
    result.hidden[suppression] = sorted(
        {r.finding.urn for r in result.results if r.finding.suppressed_by == suppression}
    )


def _too_broad(suppression: Suppression, matched: list[ResourceRecord]) -> str | None:
    """What makes ``suppression`` name more than it may, given the resources it ``matched``."""
    types = sorted({r.type for r in matched})
    if suppression.is_bare_name and len(types) > 1:
        return (
            f"names {literal(suppression.resource)} without a type, and resources of {len(types)} types bear that "
            f'name ({", ".join(types)}): add "type" to say which'
        )
    if not suppression.pattern and len(matched) > 1:
        return (
            f"names {literal(suppression.resource)}, which {len(matched)} resources bear under different parents "
            f"({', '.join(r.urn for r in matched)}): name the one by its URN"
        )
    if suppression.pattern and len(matched) > suppression.max:
        return (
            f"is a pattern {literal(suppression.resource)} that matches {len(matched)} resources, more than its "
            f"max of {suppression.max}: narrow it, or raise max if every one is meant"
        )
    return None


def _written_as(entry: Any, suppression: Suppression) -> bool:
    return (
        isinstance(entry, Mapping)
        and entry.get("resource") == suppression.resource
        and (entry.get("type") == suppression.type)
    )


def _pair(findings: list[Finding], diagnostics: list[Any]) -> list[Result]:
    """Match each reported finding with the engine diagnostic it produced (same rule, same order)."""
    pending: dict[str, list[Any]] = {}
    for diagnostic in diagnostics:
        pending.setdefault(diagnostic.policyName, []).append(diagnostic)
    results: list[Result] = []
    for finding in findings:
        if finding.suppressed_by is not None:
            results.append(Result(finding, None))
            continue
        diagnostic = pending.get(finding.rule_id, []).pop(0) if pending.get(finding.rule_id) else None
        level = _LEVEL_FROM_PROTO.get(diagnostic.enforcementLevel) if diagnostic else EnforcementLevel.MANDATORY
        results.append(Result(finding, level))
    # Diagnostics no rule of ours produced (pulumi-policy's own "can't run during preview") still count.
    for name, remaining in pending.items():
        for diagnostic in remaining:
            finding = Finding(name, "", diagnostic.urn, "", "", "", "", diagnostic.message)
            results.append(Result(finding, _LEVEL_FROM_PROTO.get(diagnostic.enforcementLevel)))
    return results


def _struct(value: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(dict(value), struct)
    return struct


def _configure_request(config: Mapping[str, RuleConfig]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    return analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            name: analyzer_pb2.PolicyConfig(
                enforcementLevel=_LEVEL_TO_PROTO[rule.level], properties=_struct(rule.properties)
            )
            for name, rule in config.items()
        }
    )


def _options(record: ResourceRecord) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(protect=record.protect, parent=record.parent or "")


class _Requests:
    """The engine's requests for one graph, each record's properties converted to a ``Struct`` once.

    Every record appears in an ``AnalyzeRequest``, in the ``AnalyzeStackRequest`` and, for a provider,
    in the request of every resource it serves: converting each of those anew cost 11,414
    ``ParseDict`` calls for 3,044 resources (profiled for issue 9). A request copies the Struct it
    is given, so one conversion serves them all."""

    def __init__(self, graph: ResourceGraph) -> None:
        self._by_urn = {record.urn: record for record in graph.resources}
        self._structs: dict[int, struct_pb2.Struct] = {}

    def _properties(self, record: ResourceRecord) -> struct_pb2.Struct:
        struct = self._structs.get(id(record))
        if struct is None:
            struct = self._structs[id(record)] = _struct(record.inputs)
        return struct

    def _provider(self, record: ResourceRecord) -> analyzer_pb2.AnalyzerProviderResource | None:
        provider = self._by_urn.get(record.provider) if record.provider else None
        if provider is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(
            type=provider.type, properties=self._properties(provider), urn=provider.urn, name=provider.name
        )

    def _resource_fields(self, record: ResourceRecord) -> dict[str, Any]:
        """What both request kinds say of one resource, as the engine fills them."""
        return {
            "type": record.type,
            "properties": self._properties(record),
            "urn": record.urn,
            "name": record.name,
            "options": _options(record),
            "provider": self._provider(record),
        }

    def analyze(self, record: ResourceRecord) -> analyzer_pb2.AnalyzeRequest:
        return analyzer_pb2.AnalyzeRequest(**self._resource_fields(record))

    def stack_resource(self, record: ResourceRecord) -> analyzer_pb2.AnalyzerResource:
        return analyzer_pb2.AnalyzerResource(
            **self._resource_fields(record),
            parent=record.parent or "",
            dependencies=record.depends_on,
            propertyDependencies={
                key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                for key, urns in record.property_dependencies.items()
            },
        )
