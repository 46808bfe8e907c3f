"""AIS-NET-005: every Helm chart the stack installs has been reviewed, and every manifest can be read.

The gate does not render charts: AIS-NET-002 judges the Services and Ingresses a release's values ask
for, but a chart's own defaults (ingress-nginx's controller Service is a LoadBalancer unless told
otherwise) and values read from files are out of its sight. A chart at a pinned version is reviewed once
and listed. Manifests are the same question without a version to pin: pulumi-kubernetes' remote
components create objects the engine never registers, and AIS-NET-002 reads those a ConfigGroup carries
in ``objs`` and ``yaml``; a ConfigGroup's ``files``, a ConfigFile's ``file`` and a kustomize Directory's
``directory`` name files, URLs or directories the gate cannot read, whose content can change under the
same name. They fail here (write the manifests into the program, or accept one with a suppression that
has a reason and an expiry), because this rule is the one about what the gate cannot see; meant to be
advisory where teams experiment and mandatory in production.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ..framework import Check, RuleMeta, Subject, Unknown, is_set, literal, read, resource_policy
from ..kubernetes_manifests import UNREAD_SOURCES
from .net_002_no_public_services import HELM_TYPES

META = RuleMeta(
    id="AIS-NET-005",
    name="HelmChartsReviewed",
    title="Helm charts are reviewed and manifests can be read",
    description="Every Helm release or chart names a pinned version listed in reviewedCharts, with its values "
    "written in the program (not read from files), so that AIS-NET-002 sees every value that could make a "
    "Service public and a person has read the chart's defaults. Kubernetes manifests are written in the "
    "program (a yaml/v2 ConfigGroup's objs or yaml), not read from files, URLs or kustomize directories "
    "(ConfigGroup files, ConfigFile, kustomize/v2 Directory) that the gate cannot read.",
    severity=Severity.MEDIUM,
    remediation="Pin the chart's version, read what its defaults create (Services of type LoadBalancer or "
    'NodePort, Ingresses), set values that keep it internal, and add "<chart>@<version>" to reviewedCharts of '
    "AIS-NET-005; pass values inline rather than as valueYamlFiles. Pass manifests as ConfigGroup objs or yaml "
    "(for example the file's text, read by the program), or accept a reviewed one with a suppression.",
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
    if resource.resource_type in UNREAD_SOURCES:
        _manifest_source(check, resource, UNREAD_SOURCES[resource.resource_type])
    elif resource.resource_type in HELM_TYPES:
        _chart(check, resource)


def _manifest_source(check: Check, resource: Subject, key: str) -> None:
    source = read(resource.props, key)
    if _names_something(source):
        check.fail(
            resource,
            key,
            source,
            "manifests written in the program (a ConfigGroup's objs or yaml)",
            "manifests read from files, URLs or kustomize directories are not seen by the gate, so AIS-NET-002 "
            "cannot judge the Services, Ingresses and Gateways in them",
        )


def _names_something(value: Any) -> bool:
    """A file list (or one file) that names something, or is unknown: an empty list is nothing (a list read
    through pulumi-policy's proxy is not equal to ``[]``, so its length is what tells)."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, Sequence) and not isinstance(value, str):
        return len(value) > 0
    return is_set(value)


def _chart(check: Check, resource: Subject) -> None:
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
    if _names_something(files):
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
