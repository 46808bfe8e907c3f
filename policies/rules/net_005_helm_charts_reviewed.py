"""AIS-NET-005: every Helm chart the stack installs has been reviewed.

The gate does not render charts: AIS-NET-002 judges the Services a release's values ask for, but a
chart's own defaults (ingress-nginx's controller Service is a LoadBalancer unless told otherwise) and
values read from files are out of its sight. A chart at a pinned version is reviewed once and listed;
meant to be advisory where teams experiment and mandatory in production.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, Severity

from ..framework import Check, RuleMeta, Subject, Unknown, is_set, literal, read, resource_policy
from .net_002_no_public_services import HELM_TYPES

META = RuleMeta(
    id="AIS-NET-005",
    name="HelmChartsReviewed",
    title="Helm charts are reviewed",
    description="Every Helm release or chart names a pinned version listed in reviewedCharts, with its values "
    "written in the program (not read from files), so that AIS-NET-002 sees every value that could make a "
    "Service public and a person has read the chart's defaults.",
    severity=Severity.MEDIUM,
    remediation="Pin the chart's version, read what its defaults create (Services of type LoadBalancer or "
    'NodePort, Ingresses), set values that keep it internal, and add "<chart>@<version>" to reviewedCharts of '
    "AIS-NET-005; pass values inline rather than as valueYamlFiles.",
    settings={
        "reviewedCharts": {
            "type": "array",
            "items": {"type": "string"},
            "default": [],
            "description": 'Charts read and found to create nothing public, as "<chart>@<version>" (the chart '
            "as the program names it).",
        }
    },
)


def _check(check: Check, resource: Subject) -> None:
    if resource.resource_type not in HELM_TYPES:
        return
    chart, version = read(resource.props, "chart"), read(resource.props, "version")
    for value in (chart, version):
        if isinstance(value, Unknown):
            check.cannot_verify(resource, value, "a chart and version listed in reviewedCharts")
            return
    if not is_set(version):
        check.fail(
            resource,
            "version",
            version,
            "a pinned chart version",
            f"the chart {literal(chart)} has no version: whatever the repository serves next is installed unreviewed",
        )
    else:
        name = f"{chart}@{version}"
        reviewed = check.settings["reviewedCharts"]
        if name not in reviewed:
            check.fail(
                resource,
                "chart",
                name,
                f"one of reviewedCharts {literal(reviewed)}",
                f"the chart {literal(name)} is unreviewed: the gate does not render charts, so what its defaults "
                "create (a public LoadBalancer Service, an Ingress) is not judged",
            )
    files = read(resource.props, "valueYamlFiles")
    if isinstance(files, Unknown) or (is_set(files) and files != []):
        check.fail(
            resource,
            "valueYamlFiles",
            files,
            "values written in the program",
            "values read from files are not seen by the gate, so AIS-NET-002 cannot judge them",
        )


POLICY = resource_policy(META, _check)
POLICY.enforcement_level = EnforcementLevel.ADVISORY
"""Advisory unless a policy config says otherwise (the prod built-in config makes it mandatory): an
unreviewed chart is a question for a person, not a finding about the cloud."""
