"""AIS-NET-005 (``policies/rules/net_005_helm_charts_reviewed.py``): every Helm chart is reviewed: a pinned
version listed in reviewedCharts, values in the program rather than in files.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import UNKNOWN, findings, k8s_res, only, run

RULE = "AIS-NET-005"
REVIEWED = {RULE: {"reviewedCharts": ["ingress-nginx@4.11.3"]}}


@pytest.mark.parametrize(
    ("type_token", "props", "violations"),
    [
        ("kubernetes:helm.sh/v3:Release", {"chart": "ingress-nginx", "version": "4.11.3"}, 0),
        ("kubernetes:helm.sh/v4:Chart", {"chart": "ingress-nginx", "version": "4.11.3"}, 0),
        ("kubernetes:helm.sh/v3:Release", {"chart": "ingress-nginx", "version": "4.12.0"}, 1),
        ("kubernetes:helm.sh/v3:Release", {"chart": "ingress-nginx"}, 1),
        ("kubernetes:helm.sh/v3:Release", {"chart": "ingress-nginx", "version": "4.11.3", "valueYamlFiles": ["v"]}, 1),
    ],
)
def test_helm_charts_are_reviewed(type_token: str, props: dict[str, Any], violations: int) -> None:
    release = k8s_res(type_token, "ingress", props)
    assert len(findings(run(release, config=REVIEWED), RULE)) == violations


def test_without_a_review_every_chart_is_a_finding() -> None:
    release = k8s_res("kubernetes:helm.sh/v3:Release", "ingress", {"chart": "ingress-nginx", "version": "4.11.3"})
    _, path, message = only(run(release), RULE)
    assert (path, 'the chart "ingress-nginx@4.11.3" is unreviewed' in message) == ("chart", True)


def test_a_version_unknown_at_preview_cannot_be_verified() -> None:
    release = k8s_res("kubernetes:helm.sh/v3:Release", "ingress", {"chart": "ingress-nginx", "version": UNKNOWN})
    assert only(run(release, config=REVIEWED, preview=True), RULE)[1] == "version"


# --- manifests the gate cannot read (issue 12) ------------------------------------------------------------

SERVICE_YAML = "apiVersion: v1\nkind: Service\nmetadata: {name: vec}\nspec: {type: ClusterIP}\n"


@pytest.mark.parametrize(
    ("type_token", "props", "path"),
    [
        # written in the program: AIS-NET-002 judges them
        ("kubernetes:yaml/v2:ConfigGroup", {"yaml": SERVICE_YAML}, None),
        ("kubernetes:yaml/v2:ConfigGroup", {"objs": [{"apiVersion": "v1", "kind": "Service"}], "files": []}, None),
        # files, URLs and kustomize directories: the gate cannot read them
        ("kubernetes:yaml/v2:ConfigGroup", {"yaml": SERVICE_YAML, "files": ["manifests/*.yaml"]}, "files"),
        ("kubernetes:yaml/v2:ConfigFile", {"file": "https://example.com/vectors.yaml"}, "file"),
        ("kubernetes:kustomize/v2:Directory", {"directory": "./overlays/prod"}, "directory"),
    ],
)
def test_manifests_are_written_in_the_program(type_token: str, props: dict[str, Any], path: str | None) -> None:
    found = findings(run(k8s_res(type_token, "vectors", props), config=REVIEWED), RULE)
    assert [p for _, p, _ in found] == ([path] if path else [])


def test_an_unreadable_manifest_source_says_why() -> None:
    _, path, message = only(run(k8s_res("kubernetes:yaml/v2:ConfigFile", "vectors", {"file": "v.yaml"})), RULE)
    assert (path, "not seen by the gate" in message) == ("file", True)


def test_a_manifest_source_unknown_at_preview_fails() -> None:
    directory = k8s_res("kubernetes:kustomize/v2:Directory", "vectors", {"directory": UNKNOWN})
    assert only(run(directory, config=REVIEWED, preview=True), RULE)[1] == "directory"


def test_an_empty_list_of_value_files_is_no_file() -> None:
    props = {"chart": "ingress-nginx", "version": "4.11.3", "valueYamlFiles": []}
    assert findings(run(k8s_res("kubernetes:helm.sh/v3:Release", "ingress", props), config=REVIEWED), RULE) == []
