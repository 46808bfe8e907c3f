"""AIS-TLS-002: no endpoint offers plain HTTP."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, RuleMeta, Subject, Unknown, is_set, items, read, stack_policy

META = RuleMeta(
    id="AIS-TLS-002",
    name="EndpointsDoNotServePlainHttp",
    title="Endpoints do not serve plain HTTP",
    description="Load balancer listeners, HTTP proxies, CloudFront distributions and website endpoints only "
    "serve HTTPS; an HTTP listener or proxy is allowed only when all it does is redirect to HTTPS; CloudFront "
    "reaches no origin over plain HTTP.",
    severity=Severity.HIGH,
    remediation="Serve HTTPS (listener protocol HTTPS/TLS with a certificate, a TargetHttpsProxy); keep port 80 "
    "only as a redirect to HTTPS (a listener's redirect action, a URL map whose defaultUrlRedirect has "
    "httpsRedirect: true); set CloudFront viewerProtocolPolicy to redirect-to-https or https-only. S3 website "
    "endpoints are HTTP-only: serve through CloudFront with HTTPS.",
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


def _distribution(check: Check, resource: Subject) -> None:
    """CloudFront: every cache behaviour redirects or refuses plain HTTP, and no origin is reached over it."""
    expected = '"redirect-to-https" or "https-only"'
    behaviours = ["defaultCacheBehavior", *(path for path, _ in items(resource.props, "orderedCacheBehaviors"))]
    for behaviour in behaviours:
        policy = read(resource.props, f"{behaviour}.viewerProtocolPolicy")
        if isinstance(policy, Unknown):
            check.cannot_verify(resource, policy, expected)
        elif policy not in ("redirect-to-https", "https-only"):
            check.fail(
                resource,
                f"{behaviour}.viewerProtocolPolicy",
                policy,
                expected,
                "the distribution serves viewers over plain HTTP",
            )
    for origin, _ in items(resource.props, "origins"):
        policy = read(resource.props, f"{origin}.customOriginConfig.originProtocolPolicy")
        if isinstance(policy, Unknown):
            check.cannot_verify(resource, policy, '"https-only" or "match-viewer"')
        elif policy == "http-only":
            check.fail(
                resource,
                f"{origin}.customOriginConfig.originProtocolPolicy",
                policy,
                '"https-only" or "match-viewer"',
                "the distribution reaches its origin over plain HTTP",
            )


def _redirects_to_https(url_map: PolicyResource) -> bool:
    """A URL map that does nothing but redirect every request to HTTPS."""
    return (
        read(url_map.props, "defaultUrlRedirect.httpsRedirect") is True
        and not is_set(read(url_map.props, "hostRules"))
        and not is_set(read(url_map.props, "pathMatchers"))
    )


def _http_proxy(check: Check, proxy: PolicyResource, resources: Sequence[PolicyResource]) -> None:
    """A target HTTP proxy is allowed only in front of a URL map that redirects everything to HTTPS."""
    target = read(proxy.props, "urlMap")
    # The map it is computed from (an output of that map, in any form), else the map it names.
    sources = {source.urn for source in proxy.property_dependencies.get("urlMap", [])}
    maps = [
        r
        for r in resources
        if r.resource_type in URL_MAP_TYPES
        and (r.urn in sources or (is_set(target) and target in (read(r.props, "name"), read(r.props, "selfLink"))))
    ]
    if maps and all(_redirects_to_https(url_map) for url_map in maps):
        return
    if isinstance(target, Unknown) and not maps:
        check.cannot_verify(proxy, target, "a URL map that only redirects to HTTPS")
        return
    check.fail(
        proxy,
        "urlMap",
        target,
        "a URL map that only redirects to HTTPS (defaultUrlRedirect.httpsRedirect: true)",
        f"a {proxy.resource_type.rsplit(':', 1)[-1]} serves plain HTTP",
    )


URL_MAP_TYPES = frozenset({"gcp:compute/uRLMap:URLMap", "gcp:compute/regionUrlMap:RegionUrlMap"})
HTTP_PROXY_TYPES = frozenset(
    {"gcp:compute/targetHttpProxy:TargetHttpProxy", "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy"}
)

CHECKS: Mapping[str, Callable[[Check, Subject], None]] = {
    "aws:lb/listener:Listener": _listener,
    "aws:alb/listener:Listener": _listener,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": _always_plain(
        "S3 website endpoints serve plain HTTP only"
    ),
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2": _always_plain(
        "S3 website endpoints serve plain HTTP only"
    ),
    "aws:s3/bucket:Bucket": _inline_website,
    "aws:s3/bucketV2:BucketV2": _inline_website,
}
"""Each endpoint type and how to tell plain HTTP; a new type is one entry. GCP HTTP proxies are judged
with the URL map they serve (:data:`HTTP_PROXY_TYPES`)."""


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for resource in resources:
        if resource.resource_type in HTTP_PROXY_TYPES:
            _http_proxy(check, resource, resources)
            continue
        verify = CHECKS.get(resource.resource_type)
        if verify is not None:
            verify(check, resource)


POLICY = stack_policy(META, _check)
