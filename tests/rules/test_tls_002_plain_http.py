"""AIS-TLS-002 (``policies/rules/tls_002_plain_http.py``): no endpoint serves plain HTTP.

Load balancer listeners (HTTPS, HTTP, HTTP that only redirects, no protocol), HTTP proxies (alone, and
in front of a URL map that only redirects to HTTPS), CloudFront cache behaviours and origins, and S3
website endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import UNKNOWN, findings, only, res, run


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


def distribution(viewer: str = "redirect-to-https", ordered: str = "https-only", origin: str = "https-only") -> Any:
    return {
        "enabled": True,
        "origins": [
            {"originId": "api", "domainName": "api.example.com", "customOriginConfig": {"originProtocolPolicy": origin}}
        ],
        "defaultCacheBehavior": {"targetOriginId": "api", "viewerProtocolPolicy": viewer},
        "orderedCacheBehaviors": [
            {"pathPattern": "/static/*", "targetOriginId": "api", "viewerProtocolPolicy": ordered}
        ],
    }


@pytest.mark.parametrize(
    ("props", "paths"),
    [
        (distribution(), []),
        (distribution(viewer="https-only", ordered="redirect-to-https", origin="match-viewer"), []),
        (distribution(viewer="allow-all"), ["defaultCacheBehavior.viewerProtocolPolicy"]),
        (distribution(ordered="allow-all"), ["orderedCacheBehaviors[0].viewerProtocolPolicy"]),
        (distribution(origin="http-only"), ["origins[0].customOriginConfig.originProtocolPolicy"]),
    ],
)
def test_cloudfront_serves_and_fetches_over_https(props: dict[str, Any], paths: list[str]) -> None:
    result = run(res("aws:cloudfront/distribution:Distribution", "cdn", props))
    assert [path for _, path, _ in findings(result, "AIS-TLS-002")] == paths


def test_cloudfront_policy_unknown_at_preview_cannot_be_verified() -> None:
    props = distribution(viewer=UNKNOWN)
    result = run(res("aws:cloudfront/distribution:Distribution", "cdn", props), preview=True)
    assert only(result, "AIS-TLS-002")[2].startswith("could not verify defaultCacheBehavior.viewerProtocolPolicy")


REDIRECT = {"name": "redirect", "defaultUrlRedirect": {"httpsRedirect": True, "stripQuery": False}}
SERVE = {"name": "serve", "defaultService": "projects/p/global/backendServices/api"}


@pytest.mark.parametrize(("url_map", "violations"), [(REDIRECT, 0), (SERVE, 1)])
def test_an_http_proxy_is_allowed_only_in_front_of_an_https_redirect(url_map: dict[str, Any], violations: int) -> None:
    mapped = res("gcp:compute/uRLMap:URLMap", "map", url_map)
    by_dependency = res(
        "gcp:compute/targetHttpProxy:TargetHttpProxy", "http", {"urlMap": "map-id"}, deps={"urlMap": [mapped]}
    )
    by_name = res("gcp:compute/targetHttpProxy:TargetHttpProxy", "named", {"urlMap": url_map["name"]})
    assert len(findings(run(mapped, by_dependency), "AIS-TLS-002")) == violations
    assert len(findings(run(mapped, by_name), "AIS-TLS-002")) == violations
