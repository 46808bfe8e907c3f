"""AIS-TLS-002 (``policies/rules/tls_002_plain_http.py``): no endpoint serves plain HTTP.

Load balancer listeners (HTTPS, HTTP, HTTP that only redirects, no protocol), HTTP proxies and S3
website endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import findings, res, run


@pytest.mark.parametrize(
    ("type_token", "props", "violations"),
    [
        ("aws:lb/listener:Listener", {"protocol": "HTTPS", "port": 443}, 0),
        ("aws:lb/listener:Listener", {"protocol": "HTTP", "defaultActions": [{"type": "forward"}]}, 1),
        (
            "aws:lb/listener:Listener",
            {"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}]},
            0,
        ),
        ("aws:alb/listener:Listener", {"protocol": "HTTP", "defaultActions": []}, 1),
        ("gcp:compute/targetHttpProxy:TargetHttpProxy", {"urlMap": "m"}, 1),
        ("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", {"bucket": "site"}, 1),
    ],
)
def test_plain_http_endpoints(type_token: str, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res(type_token, "endpoint", props)), "AIS-TLS-002")) == violations


@pytest.mark.parametrize(
    ("type_token", "props", "violations"),
    [
        ("aws:lb/listener:Listener", {"port": 80, "defaultActions": [{"type": "forward"}]}, 1),
        ("aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2", {"bucket": "site"}, 1),
        ("gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy", {"region": "europe-west4", "urlMap": "m"}, 1),
        ("aws:s3/bucket:Bucket", {"bucket": "site", "website": {"indexDocument": "index.html"}}, 1),
    ],
)
def test_more_plain_http_endpoints(type_token: str, props: dict[str, Any], violations: int) -> None:
    assert len(findings(run(res(type_token, "endpoint", props)), "AIS-TLS-002")) == violations
