"""AIS-TLS-002: no endpoint offers plain HTTP."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from pulumi_policy import Severity

from ..framework import Check, RuleMeta, Subject, Unknown, is_set, items, read, resource_policy

META = RuleMeta(
    id="AIS-TLS-002",
    name="EndpointsDoNotServePlainHttp",
    title="Endpoints do not serve plain HTTP",
    description="Load balancer listeners, HTTP proxies and website endpoints only serve HTTPS; an HTTP "
    "listener is allowed only when all it does is redirect to HTTPS.",
    severity=Severity.HIGH,
    remediation="Serve HTTPS (listener protocol HTTPS/TLS with a certificate, a TargetHttpsProxy); keep port 80 "
    "only as a redirect to HTTPS. S3 website endpoints are HTTP-only: serve through CloudFront with HTTPS.",
)


def _listener(check: Check, resource: Subject) -> None:
    protocol = read(resource.props, "protocol")
    if isinstance(protocol, Unknown):
        check.cannot_verify(resource, protocol, "HTTPS, TLS, or HTTP that only redirects to HTTPS")
        return
    # Unset, an Application Load Balancer listener speaks HTTP (pulumi_aws lb.Listener `protocol`).
    if is_set(protocol) and str(protocol).upper() != "HTTP":
        return
    actions = list(items(resource.props, "defaultActions"))
    redirects = [
        read(resource.props, f"{path}.redirect.protocol") for path, action in actions if not isinstance(action, Unknown)
    ]
    if actions and len(redirects) == len(actions) and all(str(r).upper() == "HTTPS" for r in redirects):
        return
    check.fail(
        resource,
        "protocol",
        protocol,
        "HTTPS, TLS, or HTTP that only redirects to HTTPS",
        "the listener serves plain HTTP",
    )


def _inline_website(check: Check, resource: Subject) -> None:
    website = read(resource.props, "website")
    if isinstance(website, Unknown):
        check.cannot_verify(resource, website, "no website configuration")
    elif is_set(website) and website not in ({}, []):
        check.fail(
            resource, "website", website, "no website configuration", "S3 website endpoints serve plain HTTP only"
        )


def _always_plain(message: str) -> Callable[[Check, Subject], None]:
    def verify(check: Check, resource: Subject) -> None:
        check.fail(resource, "", resource.resource_type, "an HTTPS endpoint", message)

    return verify


CHECKS: Mapping[str, Callable[[Check, Subject], None]] = {
    "aws:lb/listener:Listener": _listener,
    "aws:alb/listener:Listener": _listener,
    "gcp:compute/targetHttpProxy:TargetHttpProxy": _always_plain("a TargetHttpProxy serves plain HTTP"),
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": _always_plain(
        "S3 website endpoints serve plain HTTP only"
    ),
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2": _always_plain(
        "S3 website endpoints serve plain HTTP only"
    ),
    "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy": _always_plain(
        "a RegionTargetHttpProxy serves plain HTTP"
    ),
    "aws:s3/bucket:Bucket": _inline_website,
    "aws:s3/bucketV2:BucketV2": _inline_website,
}
"""Each endpoint type and how to tell plain HTTP; a new type is one entry."""


def _check(check: Check, resource: Subject) -> None:
    verify = CHECKS.get(resource.resource_type)
    if verify is not None:
        verify(check, resource)


POLICY = resource_policy(META, _check)
