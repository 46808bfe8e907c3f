"""AIS-TLS-002: no endpoint offers plain HTTP."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence

from pulumi_policy import PolicyResource, Severity

from ..framework import (
    MISSING,
    Check,
    RuleMeta,
    Subject,
    Unknown,
    flows_from,
    is_set,
    items,
    literal,
    read,
    stack_policy,
)

META = RuleMeta(
    id="AIS-TLS-002",
    name="EndpointsDoNotServePlainHttp",
    title="Endpoints do not serve plain HTTP",
    description="Load balancer listeners and their rules, Classic Load Balancers, GCP HTTP proxies and forwarding "
    "rules, Gateway API listeners, CloudFront distributions, OpenSearch/Elasticsearch domains and website endpoints "
    "only serve HTTPS; an HTTP listener or proxy is allowed only when all it does is redirect to HTTPS (every "
    "default action and listener rule a redirect action to HTTPS; every HTTPRoute attached to a Gateway's HTTP "
    "listener a RequestRedirect to https); a TCP listener or external GCP forwarding rule to a passthrough load "
    "balancer or TCP proxy does not take port 80 or 8080; CloudFront reaches no origin over plain HTTP.",
    severity=Severity.HIGH,
    remediation="Serve HTTPS (listener protocol HTTPS/TLS with a certificate, a TargetHttpsProxy or TargetSslProxy, "
    "a Gateway listener with protocol HTTPS); keep port 80 only as a redirect to HTTPS (a listener's redirect "
    "action with every listener rule on it a redirect too, a URL map whose defaultUrlRedirect has httpsRedirect: "
    "true, an HTTPRoute with a RequestRedirect filter to scheme https); leave OpenSearch enforceHttps on; set "
    "CloudFront viewerProtocolPolicy to redirect-to-https or https-only. S3 website endpoints are HTTP-only: serve "
    "through CloudFront with HTTPS.",
)


HTTPS_REDIRECT = 'a redirect action (type "redirect") whose redirect.protocol is "HTTPS"'
LISTENER_EXPECTED = "HTTPS or TLS, or HTTP whose default actions and rules only redirect to HTTPS"
# A TCP listener on one of these ports is taken to carry plain HTTP: 80 is HTTP's registered port
# (https://www.iana.org/assignments/service-names-port-numbers), 8080 its common alternative ("http-alt").
PLAIN_HTTP_PORTS = frozenset({80, 8080})
# pulumi_aws lb/listener.py `protocol`: NLB protocols TCP, TLS, UDP, TCP_UDP, QUIC, TCP_QUIC; those with TCP in
# them carry whatever the client sends, TLS and QUIC are encrypted, UDP carries no HTTP/1.1 or HTTP/2.
PLAIN_TCP_PROTOCOLS = frozenset({"TCP", "TCP_UDP", "TCP_QUIC"})


def _redirects(resource: Subject, path: str) -> tuple[list[Unknown], list[tuple[str, object]]]:
    """The actions at ``path`` (a listener's ``defaultActions``, a rule's ``actions``) that cannot be read, and
    ``(path, value)`` of each that is not a redirect to HTTPS: its ``type`` when that is not ``redirect``
    (a stray ``redirect`` block on a forward action redirects nothing), else its ``redirect.protocol``
    (pulumi_aws lb/_inputs.py ListenerDefaultActionArgs: ``redirect`` "Required if `type` is `redirect`")."""
    unknowns: list[Unknown] = []
    plain: list[tuple[str, object]] = []
    actions = list(items(resource.props, path))
    if not actions:
        plain.append((path, read(resource.props, path)))
    for action_path, action in actions:
        if isinstance(action, Unknown):
            unknowns.append(action)
            continue
        kind = read(resource.props, f"{action_path}.type")
        if isinstance(kind, Unknown):
            unknowns.append(kind)
        elif str(kind).lower() != "redirect":
            plain.append((f"{action_path}.type", kind))
        else:
            protocol = read(resource.props, f"{action_path}.redirect.protocol")
            if isinstance(protocol, Unknown):
                unknowns.append(protocol)
            elif str(protocol).upper() != "HTTPS":
                plain.append((f"{action_path}.redirect.protocol", protocol))
    return unknowns, plain


def _listener(check: Check, resource: Subject) -> None:
    protocol = read(resource.props, "protocol")
    if isinstance(protocol, Unknown):
        check.cannot_verify(resource, protocol, LISTENER_EXPECTED)
        return
    name = str(protocol).upper() if is_set(protocol) else "HTTP"
    if name in PLAIN_TCP_PROTOCOLS:
        _tcp_port(check, resource, "port", protocol)
        return
    # Unset, an Application Load Balancer listener speaks HTTP (pulumi_aws lb.Listener `protocol`).
    if name != "HTTP":
        return
    unknowns, plain = _redirects(resource, "defaultActions")
    for unknown in unknowns:
        check.cannot_verify(resource, unknown, HTTPS_REDIRECT)
    for path, value in plain:
        check.fail(
            resource,
            path,
            value,
            HTTPS_REDIRECT,
            f"the listener serves plain HTTP (protocol {literal(protocol) if is_set(protocol) else 'not set'}): "
            "a default action that is not a redirect to HTTPS",
        )


def _tcp_port(check: Check, resource: Subject, path: str, protocol: object) -> None:
    """A TCP listener on a port that carries plain HTTP; an unknown or missing port cannot be cleared."""
    port = read(resource.props, path)
    if isinstance(port, Unknown):
        check.cannot_verify(resource, port, f"a port other than {sorted(PLAIN_HTTP_PORTS)} for a TCP listener")
    elif port is MISSING or _port(port) in PLAIN_HTTP_PORTS:
        where = "no port given" if port is MISSING else f"port {literal(_port(port) or port)}"
        check.fail(
            resource,
            path,
            port,
            f'a port other than {literal(sorted(PLAIN_HTTP_PORTS))}, or protocol "TLS" with a certificate',
            f"a {literal(protocol)} listener on {where} passes plain HTTP through",
        )


def _port(value: object) -> int | None:
    """A port number: an integer, or a number the engine sends as a float (``80.0``), or its text."""
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number.is_integer() else None


def _joined(
    resource: PolicyResource,
    path: str,
    resources: Sequence[PolicyResource],
    types: Collection[str],
    outputs: Collection[str],
) -> list[PolicyResource]:
    """The resources of ``types`` that ``resource``'s reference at ``path`` names. Known, it is computed from one
    (a property dependency) or equals one of its ``outputs``; unknown until the update, only one it is verbatim
    the output of counts (:func:`flows_from`): a value computed from a resource can be anything."""
    value = read(resource.props, path)
    if isinstance(value, Unknown):
        return [r for r in flows_from(resource, path, outputs) if r.resource_type in types]
    sources = {source.urn for source in resource.property_dependencies.get(path, [])}
    return [
        r
        for r in resources
        if r.resource_type in types
        and (r.urn in sources or (is_set(value) and any(value == read(r.props, key) for key in outputs)))
    ]


def _listener_rules(check: Check, rule: PolicyResource, resources: Sequence[PolicyResource]) -> None:
    """A listener rule (evaluated before the listener's default actions, https://docs.aws.amazon.com/
    elasticloadbalancing/latest/application/listener-rules.html) serves plain HTTP when its listener is HTTP and
    an action is not a redirect to HTTPS. Its listener is the one ``listenerArn`` is computed from (pulumi_aws
    lb/listener_rule.py ``listener_arn``: "The ARN of the listener to which to attach the rule"), or whose ARN it
    equals; a rule whose listener is not in the stack cannot be cleared."""
    unknowns, plain = _redirects(rule, "actions")
    if not unknowns and not plain:
        return  # it only redirects to HTTPS, whatever its listener
    target = read(rule.props, "listenerArn")
    listeners = _joined(rule, "listenerArn", resources, LISTENER_TYPES, LISTENER_OUTPUTS)
    if not listeners:
        if isinstance(target, Unknown):
            check.cannot_verify(rule, target, "a listener in the stack, or actions that only redirect to HTTPS")
        else:
            check.fail(
                rule,
                "listenerArn",
                target,
                f"a listener in the stack (its arn), or actions that are each {HTTPS_REDIRECT}",
                "the rule's listener is not in the stack, so whether the rule serves plain HTTP cannot be told",
            )
        return
    for listener in listeners:
        protocol = read(listener.props, "protocol")
        if isinstance(protocol, Unknown):
            continue  # the listener itself reports that its protocol cannot be verified
        if is_set(protocol) and str(protocol).upper() != "HTTP":
            continue
        for unknown in unknowns:
            check.cannot_verify(rule, unknown, HTTPS_REDIRECT)
        for path, value in plain:
            check.fail(
                rule,
                path,
                value,
                HTTPS_REDIRECT,
                f"the rule serves plain HTTP: its listener {literal(listener.name)} is HTTP, and rules are evaluated "
                "before the listener's default actions",
            )
        return


def _classic_elb(check: Check, resource: Subject) -> None:
    """A Classic Load Balancer's listeners (pulumi_aws elb/_inputs.py LoadBalancerListenerArgs ``lb_protocol``:
    HTTP, HTTPS, TCP or SSL)."""
    for path, listener in items(resource.props, "listeners"):
        if isinstance(listener, Unknown):
            check.cannot_verify(resource, listener, '"HTTPS" or "SSL"')
            continue
        protocol = read(resource.props, f"{path}.lbProtocol")
        if isinstance(protocol, Unknown):
            check.cannot_verify(resource, protocol, '"HTTPS" or "SSL"')
        elif str(protocol).upper() == "HTTP":
            check.fail(
                resource,
                f"{path}.lbProtocol",
                protocol,
                '"HTTPS" or "SSL" (a Classic Load Balancer cannot redirect)',
                "the load balancer serves plain HTTP",
            )
        elif str(protocol).upper() == "TCP":
            _tcp_port(check, resource, f"{path}.lbPort", protocol)


def _search_domain(check: Check, resource: Subject) -> None:
    """OpenSearch and Elasticsearch domains: ``domainEndpointOptions.enforceHttps`` "Whether or not to require
    HTTPS. Defaults to `true`." (pulumi_aws opensearch/_inputs.py and elasticsearch/_inputs.py
    DomainDomainEndpointOptionsArgs)."""
    value = read(resource.props, "domainEndpointOptions.enforceHttps")
    if isinstance(value, Unknown):
        check.cannot_verify(resource, value, "true or not set")
    elif value is not MISSING and value is not None and value is not True:
        check.fail(
            resource,
            "domainEndpointOptions.enforceHttps",
            value,
            "true or not set (defaults to true)",
            "the domain's endpoint accepts plain HTTP",
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


# --- GCP forwarding rules --------------------------------------------------------------------------

# What a forwarding rule hands its TCP connections to (pulumi_gcp compute/forwarding_rule.py ``target`` and
# ``backend_service``; https://cloud.google.com/load-balancing/docs/forwarding-rule-concepts): a passthrough
# load balancer (a backend service, a target pool or instance) or a target TCP proxy pass the bytes on as they
# come, so on port 80 they carry plain HTTP; HTTPS and SSL proxies terminate TLS; HTTP proxies are judged with
# their URL map (:func:`_http_proxy`); gRPC proxies (Traffic Director) and service attachments (Private Service
# Connect) are not internet load balancers.
PASSTHROUGH_TARGETS = {
    "gcp:compute/targetTCPProxy:TargetTCPProxy": "a target TCP proxy",
    "gcp:compute/regionTargetTcpProxy:RegionTargetTcpProxy": "a target TCP proxy",
    "gcp:compute/targetPool:TargetPool": "a target pool",
    "gcp:compute/targetInstance:TargetInstance": "a target instance",
}
PASSTHROUGH_SEGMENTS = {
    "targetTcpProxies": "a target TCP proxy",
    "targetPools": "a target pool",
    "targetInstances": "a target instance",
}
TERMINATING_SEGMENTS = frozenset(
    {
        "targetHttpsProxies",
        "targetSslProxies",
        "targetHttpProxies",
        "targetGrpcProxies",
        "serviceAttachments",
        "targetVpnGateways",
    }
)
TERMINATING_TARGETS = frozenset(
    {
        "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
        "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy",
        "gcp:compute/targetSSLProxy:TargetSSLProxy",
        "gcp:compute/targetGrpcProxy:TargetGrpcProxy",
        "gcp:compute/targetHttpProxy:TargetHttpProxy",
        "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy",
    }
)
TARGET_TYPES = frozenset(PASSTHROUGH_TARGETS) | TERMINATING_TARGETS
TARGET_OUTPUTS = frozenset({"selfLink", "id", "name"})
# ``loadBalancingScheme``: "Default value is `EXTERNAL`" (forwarding_rule.py), "`EXTERNAL_MANAGED`"
# (global_forwarding_rule.py); "" is a Private Service Connect endpoint.
DEFAULT_SCHEMES = {
    "gcp:compute/forwardingRule:ForwardingRule": "EXTERNAL",
    "gcp:compute/globalForwardingRule:GlobalForwardingRule": "EXTERNAL_MANAGED",
}
EXTERNAL_SCHEMES = frozenset({"EXTERNAL", "EXTERNAL_MANAGED"})
# ``ipProtocol``: TCP, UDP, ESP, AH, SCTP, ICMP, L3_DEFAULT; the API's default is TCP.
TCP_PROTOCOLS = frozenset({"TCP", "L3_DEFAULT"})
FORWARDING_EXPECTED = (
    "no port 80 or 8080 on an external forwarding rule to a passthrough load balancer or a target TCP proxy: an "
    "HTTPS or SSL proxy instead, or an HTTP proxy whose URL map only redirects to HTTPS"
)


def _fronts(rule: PolicyResource, resources: Sequence[PolicyResource]) -> tuple[str | None, object]:
    """What ``rule`` hands connections to that passes plain HTTP on (in words), or None when it terminates TLS
    or is no load balancer; with ``"unknown"`` and the value when that cannot be told."""
    backend = read(rule.props, "backendService")
    if is_set(backend) or isinstance(backend, Unknown):
        return "a passthrough backend service", backend
    target = read(rule.props, "target")
    if not is_set(target) and not isinstance(target, Unknown):
        return None, target
    kinds = {r.resource_type for r in _joined(rule, "target", resources, TARGET_TYPES, TARGET_OUTPUTS)}
    if kinds:
        plain = sorted(PASSTHROUGH_TARGETS[kind] for kind in kinds if kind in PASSTHROUGH_TARGETS)
        return (plain[0] if plain else None), target
    if isinstance(target, str):
        segments = target.split("/")
        for segment in segments:
            if segment in PASSTHROUGH_SEGMENTS:
                return PASSTHROUGH_SEGMENTS[segment], target
            if segment in TERMINATING_SEGMENTS:
                return None, target
        if target in {"all-apis", "vpc-sc"}:  # Private Service Connect to Google APIs
            return None, target
    return "unknown", target


def _ports(rule: PolicyResource) -> tuple[list[Unknown], list[tuple[str, object]], bool]:
    """Unknown port fields, ``(path, value)`` of those that include 80 or 8080, and whether any port is given
    (``ports``, ``portRange`` and ``allPorts`` are mutually exclusive)."""
    unknowns: list[Unknown] = []
    plain: list[tuple[str, object]] = []
    given = False
    every = read(rule.props, "allPorts")
    if isinstance(every, Unknown):
        unknowns.append(every)
    elif every is True:
        given = True
        plain.append(("allPorts", every))
    ranges = [("portRange", read(rule.props, "portRange"))]
    ranges += list(items(rule.props, "ports")) if is_set(read(rule.props, "ports")) else []
    for path, value in ranges:
        if isinstance(value, Unknown):
            unknowns.append(value)
        elif is_set(value):
            given = True
            low, _, high = str(value).partition("-")
            first, last = _port(low), _port(high or low)
            if first is None or last is None or any(first <= port <= last for port in PLAIN_HTTP_PORTS):
                plain.append((path, value))
    ports = read(rule.props, "ports")
    if isinstance(ports, Unknown):
        unknowns.append(ports)
    return unknowns, plain, given


def _forwarding_rule(check: Check, rule: PolicyResource, resources: Sequence[PolicyResource]) -> None:
    fronts, target = _fronts(rule, resources)
    if fronts is None:
        return
    protocol = read(rule.props, "ipProtocol")
    if isinstance(protocol, Unknown):
        check.cannot_verify(rule, protocol, '"UDP", or ' + FORWARDING_EXPECTED)
        return
    if is_set(protocol) and str(protocol).upper() not in TCP_PROTOCOLS:
        return
    scheme = read(rule.props, "loadBalancingScheme")
    if isinstance(scheme, Unknown):
        check.cannot_verify(rule, scheme, "an internal scheme, or " + FORWARDING_EXPECTED)
        return
    if scheme is MISSING or scheme is None:
        scheme = DEFAULT_SCHEMES[rule.resource_type]
    if str(scheme).upper() not in EXTERNAL_SCHEMES:
        return
    unknowns, plain, given = _ports(rule)
    for unknown in unknowns:
        check.cannot_verify(rule, unknown, FORWARDING_EXPECTED)
    if not given and not unknowns:
        plain.append(("portRange", MISSING))
    if fronts == "unknown" and plain and isinstance(target, Unknown):
        check.cannot_verify(rule, target, FORWARDING_EXPECTED)
        return
    what = f"a target ({literal(target)}) that is not known to terminate TLS" if fronts == "unknown" else fronts
    for path, value in plain:
        ports = (
            "every port"
            if path == "allPorts"
            else "no port given (any port)"
            if value is MISSING
            else f"port(s) {literal(value)}"
        )
        check.fail(
            rule,
            path,
            value,
            FORWARDING_EXPECTED,
            f"the external forwarding rule sends {ports}, 80 or 8080 among them, to {what}: plain HTTP passes through",
        )


# --- Kubernetes Gateway API ---------------------------------------------------------------------------

GATEWAY_GROUP = "gateway.networking.k8s.io"
GATEWAY_EXPECTED = (
    'protocol "HTTPS" or "TLS"; an "HTTP" listener only when every HTTPRoute attached to it in the stack only '
    'redirects to https (a RequestRedirect filter with scheme "https" and no backendRefs) and one does'
)


def _kind(type_token: str) -> tuple[str, str] | None:
    """``(API group, kind)`` of a Kubernetes type token (``kubernetes:gateway.networking.k8s.io/v1:Gateway``)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes":
        return None
    return (parts[1].rsplit("/", 1)[0] if "/" in parts[1] else ""), parts[2]


def _namespace(props: Mapping[str, object], path: str) -> object:
    value = read(props, path)
    return "default" if value is MISSING or value is None or value == "" else value


def _attaches(route: PolicyResource, gateway: PolicyResource, listener: str) -> bool | Unknown:
    """Whether one of ``route``'s ``spec.parentRefs`` names ``gateway``'s listener at ``listener`` (Gateway API
    ParentReference: group and kind default to the Gateway's, namespace to the route's; no sectionName or port
    means every listener); the route's Unknown when that cannot be told."""
    name = read(gateway.props, "metadata.name")
    namespace = _namespace(gateway.props, "metadata.namespace")
    section = read(gateway.props, f"{listener}.name")
    port = read(gateway.props, f"{listener}.port")
    for path, ref in items(route.props, "spec.parentRefs"):
        if isinstance(ref, Unknown):
            return ref
        fields = {
            key: read(route.props, f"{path}.{key}")
            for key in ("group", "kind", "name", "namespace", "sectionName", "port")
        }
        unknown = next((value for value in fields.values() if isinstance(value, Unknown)), None)
        if unknown is not None:
            return unknown
        own = _namespace(route.props, "metadata.namespace")
        ref_namespace = fields["namespace"] if is_set(fields["namespace"]) else own
        if (
            fields["group"] in (MISSING, None, GATEWAY_GROUP)
            and fields["kind"] in (MISSING, None, "Gateway")
            and fields["name"] == name
            and ref_namespace == namespace
            and (not is_set(fields["sectionName"]) or fields["sectionName"] == section)
            and (not is_set(fields["port"]) or _port(fields["port"]) == _port(port))
        ):
            return True
    return False


def _only_redirects(route: PolicyResource) -> bool | Unknown:
    """Whether every rule of an HTTPRoute only redirects to https (a ``RequestRedirect`` filter with scheme
    ``https`` and no ``backendRefs``), and it has one; the route's Unknown when that cannot be told."""
    rules = list(items(route.props, "spec.rules"))
    if not rules:
        return False
    for path, rule in rules:
        if isinstance(rule, Unknown):
            return rule
        backends = read(route.props, f"{path}.backendRefs")
        if isinstance(backends, Unknown):
            return backends
        if is_set(backends) and len(backends) > 0:
            return False
        redirects = False
        for filter_path, _ in items(route.props, f"{path}.filters"):
            kind = read(route.props, f"{filter_path}.type")
            scheme = read(route.props, f"{filter_path}.requestRedirect.scheme")
            unknown = next((value for value in (kind, scheme) if isinstance(value, Unknown)), None)
            if unknown is not None:
                return unknown
            redirects = redirects or (kind == "RequestRedirect" and str(scheme).lower() == "https")
        if not redirects:
            return False
    return True


def _gateway(check: Check, gateway: PolicyResource, resources: Sequence[PolicyResource]) -> None:
    """A Gateway API Gateway's ``spec.listeners``: an ``HTTP`` listener serves plain HTTP unless the routes
    attached to it in the stack (HTTPRoute, GRPCRoute) are all HTTPRoutes that only redirect to https, and there
    is one. Routes from outside the stack cannot be seen."""
    routes = [(r, kind[1]) for r in resources if (kind := _kind(r.resource_type)) and kind[0] == GATEWAY_GROUP]
    routes = [(r, kind) for r, kind in routes if kind in ("HTTPRoute", "GRPCRoute")]
    for listener, value in items(gateway.props, "spec.listeners"):
        protocol = value if isinstance(value, Unknown) else read(gateway.props, f"{listener}.protocol")
        if isinstance(protocol, Unknown):
            check.cannot_verify(gateway, protocol, GATEWAY_EXPECTED)
            continue
        if str(protocol).upper() != "HTTP":
            continue
        redirecting = 0
        serving: list[str] = []
        unclear: list[tuple[PolicyResource, Unknown]] = []
        for route, kind in routes:
            joined = _attaches(route, gateway, listener)
            if isinstance(joined, Unknown):
                unclear.append((route, joined))
                continue
            if not joined:
                continue
            verdict = _only_redirects(route) if kind == "HTTPRoute" else False
            if isinstance(verdict, Unknown):
                unclear.append((route, verdict))
            elif verdict:
                redirecting += 1
            else:
                serving.append(f"{kind} {literal(route.name)}")
        if redirecting and not serving and not unclear:
            continue
        if unclear and not serving:
            for route, unknown in unclear:
                check.cannot_verify(route, unknown, GATEWAY_EXPECTED)
            continue
        why = (
            f"routes attached to it serve content over it ({', '.join(serving)})"
            if serving
            else "no HTTPRoute in the stack attached to it redirects it to https"
        )
        check.fail(
            gateway,
            f"{listener}.protocol",
            protocol,
            GATEWAY_EXPECTED,
            f"the Gateway listener {literal(read(gateway.props, f'{listener}.name'))} serves plain HTTP: {why}",
        )


URL_MAP_TYPES = frozenset({"gcp:compute/uRLMap:URLMap", "gcp:compute/regionUrlMap:RegionUrlMap"})
HTTP_PROXY_TYPES = frozenset(
    {"gcp:compute/targetHttpProxy:TargetHttpProxy", "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy"}
)

CHECKS: Mapping[str, Callable[[Check, Subject], None]] = {
    "aws:lb/listener:Listener": _listener,
    "aws:alb/listener:Listener": _listener,
    "aws:elb/loadBalancer:LoadBalancer": _classic_elb,
    "aws:opensearch/domain:Domain": _search_domain,
    "aws:elasticsearch/domain:Domain": _search_domain,
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
"""Each endpoint type and how to tell plain HTTP; a new type is one entry. Types judged with other resources of
the stack: GCP HTTP proxies with the URL map they serve (:data:`HTTP_PROXY_TYPES`), listener rules with their
listener (:data:`LISTENER_RULE_TYPES`), forwarding rules with their target (:data:`FORWARDING_RULE_TYPES`),
Gateway API Gateways with their routes."""

LISTENER_TYPES = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})
LISTENER_OUTPUTS = frozenset({"arn", "id"})  # pulumi_aws lb.Listener: its id is its ARN
LISTENER_RULE_TYPES = frozenset({"aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"})
FORWARDING_RULE_TYPES = frozenset(DEFAULT_SCHEMES)
STACK_CHECKS: Mapping[str, Callable[[Check, PolicyResource, Sequence[PolicyResource]], None]] = {
    **dict.fromkeys(HTTP_PROXY_TYPES, _http_proxy),
    **dict.fromkeys(LISTENER_RULE_TYPES, _listener_rules),
    **dict.fromkeys(FORWARDING_RULE_TYPES, _forwarding_rule),
}


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    for resource in resources:
        joined = STACK_CHECKS.get(resource.resource_type)
        if joined is not None:
            joined(check, resource, resources)
            continue
        if _kind(resource.resource_type) == (GATEWAY_GROUP, "Gateway"):
            _gateway(check, resource, resources)
            continue
        verify = CHECKS.get(resource.resource_type)
        if verify is not None:
            verify(check, resource)


POLICY = stack_policy(META, _check)
