"""AIS-TLS-002 (``policies/rules/tls_002_plain_http.py``): no endpoint serves plain HTTP.

Load balancer listeners (HTTPS, HTTP, HTTP that only redirects, no protocol, TCP on 80/8080) and their
listener rules (joined by dependency or ARN; a rule whose listener is not in the stack), Classic Load
Balancers, HTTP proxies (alone, and in front of a URL map that only redirects to HTTPS), GCP forwarding
rules to passthrough load balancers and TCP proxies, Gateway API HTTP listeners and their HTTPRoutes,
CloudFront cache behaviours and origins, OpenSearch/Elasticsearch enforceHttps, and S3 website endpoints.
"""

from __future__ import annotations

from typing import Any

import pytest

from .fixtures import K8S, UNKNOWN, findings, only, res, run


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


# --- issue 12, review findings 7 and 8 ----------------------------------------------------------------

LISTENER = "aws:lb/listener:Listener"
REDIRECT_ACTION = {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}
FORWARD = {"type": "forward", "targetGroupArn": "arn:tg"}


def test_a_default_action_redirects_only_as_a_redirect() -> None:
    stray = res(
        LISTENER,
        "odd",
        {"port": 80, "protocol": "HTTP", "defaultActions": [{**FORWARD, "redirect": {"protocol": "HTTPS"}}]},
    )
    assert only(run(stray), "AIS-TLS-002")[1:] == (
        "defaultActions[0].type",
        'the listener serves plain HTTP (protocol "HTTP"): a default action that is not a redirect to HTTPS',
    )
    same_protocol = res(
        LISTENER,
        "same",
        {"protocol": "HTTP", "defaultActions": [{"type": "redirect", "redirect": {"protocol": "#{protocol}"}}]},
    )
    assert only(run(same_protocol), "AIS-TLS-002")[1] == "defaultActions[0].redirect.protocol"


@pytest.mark.parametrize("rule_type", ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"])
@pytest.mark.parametrize(
    ("protocol", "actions", "violations"),
    [
        ("HTTP", [REDIRECT_ACTION], 0),
        ("HTTPS", [FORWARD], 0),
        ("HTTP", [FORWARD], 1),
        ("HTTP", [{"type": "fixed-response", "fixedResponse": {"contentType": "text/plain"}}], 1),
    ],
)
def test_listener_rules_are_judged_with_their_listener(
    rule_type: str, protocol: str, actions: list[Any], violations: int
) -> None:
    listener = res(
        LISTENER, "web", {"port": 80, "protocol": protocol, "defaultActions": [REDIRECT_ACTION], "arn": "arn:listener"}
    )
    conditions = [{"pathPattern": {"values": ["/*"]}}]
    by_dependency = res(
        rule_type,
        "rule",
        {"listenerArn": UNKNOWN, "actions": actions, "conditions": conditions},
        deps={"listenerArn": [listener]},
    )
    by_dependency.verbatim_sources = {"listenerArn": (listener.urn, "arn")}
    by_arn = res(rule_type, "rule", {"listenerArn": "arn:listener", "actions": actions, "conditions": conditions})
    for rule in (by_dependency, by_arn):
        found = findings(run(listener, rule, preview=rule is by_dependency), "AIS-TLS-002")
        assert [(name, path) for name, path, _ in found] == [("rule", "actions[0].type")] * violations


def test_at_preview_a_reference_computed_from_a_resource_is_not_trusted() -> None:
    """Unknown until the update, a listener ARN or forwarding target counts only as verbatim an output: computed
    from the HTTPS listener or proxy (``listener.arn.apply(...)``), it can be anything."""
    listener = res(LISTENER, "web", {"port": 443, "protocol": "HTTPS", "defaultActions": [FORWARD]})
    rule = res(
        "aws:lb/listenerRule:ListenerRule",
        "rule",
        {"listenerArn": UNKNOWN, "actions": [FORWARD]},
        deps={"listenerArn": [listener]},
    )
    assert only(run(listener, rule, preview=True), "AIS-TLS-002")[:2] == ("rule", "listenerArn")
    proxy = res("gcp:compute/targetHttpsProxy:TargetHttpsProxy", "https", {"name": "https"})
    forwarding = res(GLOBAL_RULE, "rule", {"target": UNKNOWN, "portRange": "80"}, deps={"target": [proxy]})
    assert only(run(proxy, forwarding, preview=True), "AIS-TLS-002")[:2] == ("rule", "target")


def test_a_rule_whose_listener_is_not_in_the_stack_fails_closed() -> None:
    rule = res("aws:lb/listenerRule:ListenerRule", "rule", {"listenerArn": "arn:elsewhere", "actions": [FORWARD]})
    assert only(run(rule), "AIS-TLS-002")[1:] == (
        "listenerArn",
        "the rule's listener is not in the stack, so whether the rule serves plain HTTP cannot be told",
    )
    unknown = res("aws:lb/listenerRule:ListenerRule", "rule", {"listenerArn": UNKNOWN, "actions": [FORWARD]})
    assert only(run(unknown, preview=True), "AIS-TLS-002")[2].startswith("could not verify listenerArn")
    redirecting = res(
        "aws:lb/listenerRule:ListenerRule", "rule", {"listenerArn": "arn:elsewhere", "actions": [REDIRECT_ACTION]}
    )
    assert findings(run(redirecting), "AIS-TLS-002") == []


@pytest.mark.parametrize(
    ("type_token", "props", "paths"),
    [
        (LISTENER, {"protocol": "TLS", "port": 443, "certificateArn": "arn:cert"}, []),
        (LISTENER, {"protocol": "TCP", "port": 5432}, []),
        (LISTENER, {"protocol": "UDP", "port": 80}, []),
        (LISTENER, {"protocol": "TCP", "port": 80}, ["port"]),
        (LISTENER, {"protocol": "TCP_UDP", "port": 8080}, ["port"]),
        (
            "aws:elb/loadBalancer:LoadBalancer",
            {"listeners": [{"lbProtocol": "https", "lbPort": 443, "instancePort": 8443, "instanceProtocol": "https"}]},
            [],
        ),
        (
            "aws:elb/loadBalancer:LoadBalancer",
            {"listeners": [{"lbProtocol": "http", "lbPort": 80, "instancePort": 80, "instanceProtocol": "http"}]},
            ["listeners[0].lbProtocol"],
        ),
        (
            "aws:elb/loadBalancer:LoadBalancer",
            {"listeners": [{"lbProtocol": "tcp", "lbPort": 80, "instancePort": 80, "instanceProtocol": "tcp"}]},
            ["listeners[0].lbPort"],
        ),
        ("aws:opensearch/domain:Domain", {}, []),  # enforceHttps defaults to true
        ("aws:opensearch/domain:Domain", {"domainEndpointOptions": {"enforceHttps": True}}, []),
        (
            "aws:opensearch/domain:Domain",
            {"domainEndpointOptions": {"enforceHttps": False}},
            ["domainEndpointOptions.enforceHttps"],
        ),
        (
            "aws:elasticsearch/domain:Domain",
            {"domainEndpointOptions": {"enforceHttps": False}},
            ["domainEndpointOptions.enforceHttps"],
        ),
    ],
)
def test_nlb_classic_elb_and_search_domains(type_token: str, props: dict[str, Any], paths: list[str]) -> None:
    assert [path for _, path, _ in findings(run(res(type_token, "endpoint", props)), "AIS-TLS-002")] == paths


FORWARDING_RULE = "gcp:compute/forwardingRule:ForwardingRule"
GLOBAL_RULE = "gcp:compute/globalForwardingRule:GlobalForwardingRule"


@pytest.mark.parametrize(
    ("target_type", "rule_type", "props", "paths"),
    [
        ("gcp:compute/targetHttpsProxy:TargetHttpsProxy", GLOBAL_RULE, {"portRange": "443"}, []),
        ("gcp:compute/targetHttpsProxy:TargetHttpsProxy", GLOBAL_RULE, {"portRange": "80"}, []),  # TLS on any port
        ("gcp:compute/targetSSLProxy:TargetSSLProxy", GLOBAL_RULE, {"portRange": "443"}, []),
        ("gcp:compute/targetTCPProxy:TargetTCPProxy", GLOBAL_RULE, {"portRange": "443"}, []),
        ("gcp:compute/targetTCPProxy:TargetTCPProxy", GLOBAL_RULE, {"portRange": "80"}, ["portRange"]),
        ("gcp:compute/targetTCPProxy:TargetTCPProxy", GLOBAL_RULE, {"portRange": "1-1000"}, ["portRange"]),
        (
            "gcp:compute/targetTCPProxy:TargetTCPProxy",
            GLOBAL_RULE,
            {"portRange": "80", "loadBalancingScheme": "INTERNAL_MANAGED"},
            [],
        ),
        ("gcp:compute/targetPool:TargetPool", FORWARDING_RULE, {"portRange": "8080"}, ["portRange"]),
        ("gcp:compute/targetPool:TargetPool", FORWARDING_RULE, {"portRange": "80", "ipProtocol": "UDP"}, []),
    ],
)
def test_gcp_forwarding_rules_to_tcp_passthrough(
    target_type: str, rule_type: str, props: dict[str, Any], paths: list[str]
) -> None:
    target = res(target_type, "target", {"name": "target"})
    by_dependency = res(rule_type, "rule", {"target": UNKNOWN, **props}, deps={"target": [target]})
    by_dependency.verbatim_sources = {"target": (target.urn, "selfLink")}
    by_name = res(rule_type, "rule", {"target": "target", **props})
    assert [path for _, path, _ in findings(run(target, by_dependency, preview=True), "AIS-TLS-002")] == paths
    assert [path for _, path, _ in findings(run(target, by_name), "AIS-TLS-002")] == paths


@pytest.mark.parametrize(
    ("props", "paths"),
    [
        ({"backendService": "bs", "ports": ["443"]}, []),
        ({"backendService": "bs", "ports": ["443", "80"]}, ["ports[1]"]),
        ({"backendService": "bs", "allPorts": True}, ["allPorts"]),
        ({"backendService": "bs", "ports": ["80"], "loadBalancingScheme": "INTERNAL"}, []),
        ({"backendService": "bs"}, ["portRange"]),  # no port given: any port
        ({"target": "projects/p/regions/r/targetInstances/vm", "portRange": "80"}, ["portRange"]),
        ({"target": "projects/p/global/targetHttpsProxies/https", "portRange": "443"}, []),
        ({"target": "somewhere", "portRange": "80"}, ["portRange"]),  # cannot be told to terminate TLS
    ],
)
def test_gcp_regional_forwarding_rules(props: dict[str, Any], paths: list[str]) -> None:
    rule = res(FORWARDING_RULE, "rule", {"region": "europe-west4", **props})
    assert [path for _, path, _ in findings(run(rule), "AIS-TLS-002")] == paths


GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
HTTP_LISTENER = {"name": "http", "port": 80, "protocol": "HTTP"}
HTTPS_LISTENER = {"name": "https", "port": 443, "protocol": "HTTPS", "tls": {"certificateRefs": [{"name": "cert"}]}}
TO_HTTPS = {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
SERVE = {"backendRefs": [{"name": "api", "port": 8080}]}


def gateway(*listeners: dict[str, Any]) -> Any:
    spec = {"gatewayClassName": "gke-l7-rilb", "listeners": list(listeners)}
    return res(GATEWAY, "gw", {"metadata": {"name": "gw", "namespace": "apps"}, "spec": spec}, K8S)


def route(name: str, rule: dict[str, Any], section: str | None = "http", namespace: str = "apps") -> Any:
    parent = {"name": "gw", **({"sectionName": section} if section else {})}
    props = {"metadata": {"name": name, "namespace": namespace}, "spec": {"parentRefs": [parent], "rules": [rule]}}
    return res(HTTP_ROUTE, name, props, K8S)


@pytest.mark.parametrize(
    ("routes", "violations"),
    [
        ([route("redirect", TO_HTTPS)], 0),
        ([route("redirect", TO_HTTPS), route("api", SERVE, section="https")], 0),
        ([], 1),  # nothing in the stack says the HTTP listener only redirects
        ([route("api", SERVE)], 1),
        ([route("redirect", TO_HTTPS), route("api", SERVE, section=None)], 1),  # no sectionName: every listener
        ([route("redirect", TO_HTTPS, namespace="other")], 1),  # attaches to a Gateway gw in its own namespace
    ],
)
def test_gateway_http_listeners_only_redirect(routes: list[Any], violations: int) -> None:
    found = findings(run(gateway(HTTP_LISTENER, HTTPS_LISTENER), *routes), "AIS-TLS-002")
    assert [(name, path) for name, path, _ in found] == [("gw", "spec.listeners[0].protocol")] * violations
    assert all('the Gateway listener "http" serves plain HTTP' in message for _, _, message in found)


def test_an_https_only_gateway_passes() -> None:
    assert findings(run(gateway(HTTPS_LISTENER)), "AIS-TLS-002") == []
