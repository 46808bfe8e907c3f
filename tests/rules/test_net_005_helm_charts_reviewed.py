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
