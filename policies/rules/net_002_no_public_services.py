"""AIS-NET-002: nothing in a Kubernetes cluster is exposed to the internet.

Services (their type, load balancer annotations and externalIPs), Service patches, Ingresses, Gateway API
Gateways; the same objects carried in a ``yaml/v2`` ConfigGroup's ``objs`` and ``yaml`` (a remote
component: the engine never registers its objects, :mod:`policies.kubernetes_manifests`); and the
Services and Ingresses a Helm release's values ask for. What makes a load balancer internal is its own
cloud's mark (an annotation, an Ingress or Gateway class), read as that cloud's controller reads it (the
first annotation present decides; on AWS an IngressClassParams scheme overrides an Ingress's annotation):
another cloud's mark is ignored by the cluster's controller, so it counts only when the rule knows the
cluster runs on that cloud. Manifests the gate cannot read (files, URLs, kustomize directories) are
AIS-NET-005's.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, Severity
from pulumi_policy.proxy import UnknownValueError

from ..framework import MISSING, Check, RuleMeta, Unknown, is_set, items, literal, read, stack_policy
from ..kubernetes_manifests import CONFIG_GROUP, Unparsable, api_group, go_truthy, helm_blocks, manifests

META = RuleMeta(
    id="AIS-NET-002",
    name="KubernetesServicesAreNotPublic",
    title="Kubernetes workloads are not exposed to the internet",
    description="A Service (or Service patch) of type LoadBalancer is internal by the annotations its own "
    "cloud's controller reads (the first present decides); NodePort is not used; externalIPs are private "
    "addresses; an Ingress or Gateway API Gateway is internal by its own cloud's annotation or class (on AWS "
    "an IngressClassParams scheme overrides the annotation); the same holds for objects in a yaml/v2 "
    "ConfigGroup's objs and yaml; a Helm release's values ask for no public Service or enabled public "
    "Ingress. Vector databases and model servers stay reachable from inside the network only.",
    severity=Severity.HIGH,
    remediation="Use type ClusterIP, or an internal load balancer of the cluster's cloud: on EKS the annotation "
    "service.beta.kubernetes.io/aws-load-balancer-scheme: internal, with no contradicting legacy "
    "aws-load-balancer-internal (Ingress: alb.ingress.kubernetes.io/scheme: internal, and no IngressClassParams "
    "scheme internet-facing; Gateway: class amazon-vpc-lattice), on GKE networking.gke.io/load-balancer-type: Internal "
    "(Ingress: class gce-internal; Gateway: class gke-l7-rilb). Give the Kubernetes provider the kubeconfig of "
    "the cluster resource, so the rule knows its cloud. Give externalIPs only private addresses.",
)

AWS, GCP = "aws", "gcp"
CLOUDS = (AWS, GCP)


Decision = tuple[tuple[str, tuple[str, ...]], ...]
"""How a controller decides from annotations: the first of these annotations that is present decides,
and the load balancer is internal when its value is one of these (spelled exactly; the first is the one
to write)."""


@dataclass(frozen=True)
class Marks:
    """What makes a load balancer internal on one cloud."""

    service_annotations: Decision
    ingress_annotations: Decision
    ingress_classes: frozenset[str]
    gateway_classes: frozenset[str]


MARKS: Mapping[str, Marks] = {
    # AWS Load Balancer Controller docs, "Service annotations" (aws-load-balancer-scheme: internal |
    # internet-facing; aws-load-balancer-internal "deprecated, in favor of aws-load-balancer-scheme") and
    # "Ingress annotations" (alb.ingress.kubernetes.io/scheme). Its source decides by the scheme
    # annotation when present, else by the legacy boolean (pkg/service/model_build_load_balancer.go,
    # buildLoadBalancerSchemeViaAnnotation; Go's strconv.ParseBool spellings of true). AWS Gateway API
    # Controller docs: the amazon-vpc-lattice GatewayClass creates VPC Lattice services, reachable from
    # associated VPCs only (read 2026-12-01).
    AWS: Marks(
        service_annotations=(
            ("service.beta.kubernetes.io/aws-load-balancer-scheme", ("internal",)),
            (
                "service.beta.kubernetes.io/aws-load-balancer-internal",
                ("true", "True", "TRUE", "t", "T", "1"),
            ),
        ),
        ingress_annotations=(("alb.ingress.kubernetes.io/scheme", ("internal",)),),
        ingress_classes=frozenset(),
        gateway_classes=frozenset({"amazon-vpc-lattice"}),
    ),
    # GKE docs, "Create an internal load balancer" (networking.gke.io/load-balancer-type: Internal; the
    # older cloud.google.com/load-balancer-type, read only when the first is absent, and the older
    # spelling "internal": kubernetes/cloud-provider-gcp providers/gce/gce_annotations.go,
    # GetLoadBalancerAnnotationType), "Configuring Ingress for internal Application Load Balancers" (class
    # gce-internal) and "GatewayClass capabilities" (gke-l7-rilb, gke-l7-rilb-mc,
    # gke-l7-cross-regional-internal-managed-mc are the internal classes) (read 2026-12-01).
    GCP: Marks(
        service_annotations=(
            ("networking.gke.io/load-balancer-type", ("Internal", "internal")),
            ("cloud.google.com/load-balancer-type", ("Internal", "internal")),
        ),
        ingress_annotations=(),
        ingress_classes=frozenset({"gce-internal"}),
        gateway_classes=frozenset({"gke-l7-rilb", "gke-l7-rilb-mc", "gke-l7-cross-regional-internal-managed-mc"}),
    ),
}

# How a cluster's cloud shows: the resource its provider's kubeconfig is computed from, else the
# kubeconfig's text (EKS endpoints and `aws eks get-token`; GKE's auth plugin and DNS endpoint).
CLUSTER_TYPE_PREFIXES: Mapping[str, str] = {"aws:eks/": AWS, "gcp:container/": GCP}
KUBECONFIG_MARKERS: Mapping[str, tuple[str, ...]] = {
    AWS: (".eks.amazonaws.com", "eks get-token", "aws-iam-authenticator"),
    GCP: ("gke-gcloud-auth-plugin", ".gke.goog"),
}

HELM_TYPES = frozenset({"kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"})
PUBLIC_SERVICE_TYPES = frozenset({"LoadBalancer", "NodePort"})
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
ALB_PARAMS = ("elbv2.k8s.aws", "IngressClassParams")
"""AWS Load Balancer Controller's IngressClassParams: its ``spec.scheme``, when set, is the scheme of every
Ingress of a class that names it, whatever the Ingress's own annotation says (controller docs, "IngressClass";
pkg/ingress/model_build_load_balancer.go, buildLoadBalancerScheme, read 2026-12-01)."""
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(block)
    for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
"""RFC 1918, RFC 6598 (carrier-grade NAT) and RFC 4193 (unique local IPv6): addresses not routed on the internet."""
NOT_DECLARED: Any = object()
"""An IngressClassParams an IngressClass of the stack names, which the stack does not declare."""


@dataclass(frozen=True)
class Keys:
    """Where a block holds what the rule reads: an object's (``spec.type``) or Helm values' (``type``)."""

    type: str = "spec.type"
    annotations: str = "metadata.annotations"
    external_ips: str = "spec.externalIPs"
    classes: tuple[str, ...] = ("spec.ingressClassName",)


OBJECT_KEYS = Keys()
HELM_SERVICE_KEYS = Keys(type="type", annotations="annotations", external_ips="externalIPs")
HELM_INGRESS_KEYS = Keys(annotations="annotations", classes=("ingressClassName", "className"))


@dataclass(frozen=True)
class Obj:
    """A Kubernetes object to judge: a resource of its own (``at`` is ``""``), or one a ConfigGroup carries
    (``at`` is where, such as ``objs[0].``), reported on the ConfigGroup."""

    resource: PolicyResource
    group: str
    kind: str
    patch: bool
    block: Mapping[str, Any]
    at: str

    def named(self, groups: tuple[str, ...], kind: str) -> bool:
        return self.kind == kind and self.group in groups


def _kind(type_token: str) -> tuple[str, str] | None:
    """``(API group, kind)`` of a Kubernetes type token (``kubernetes:networking.k8s.io/v1:Ingress``)."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes":
        return None
    group = parts[1].rsplit("/", 1)[0] if "/" in parts[1] else ""
    return group, parts[2]


# --- the cluster's cloud --------------------------------------------------------------------------


def cluster_cloud(resource: PolicyResource, by_urn: Mapping[str, PolicyResource]) -> str | None:
    """``"aws"``, ``"gcp"``, or None when the stack does not tell which cloud runs the cluster."""
    provider = resource.provider
    if provider is None:
        return None
    record = by_urn.get(provider.urn)
    sources = record.property_dependencies.get("kubeconfig", []) if record is not None else []
    for source in sources:
        for prefix, cloud in CLUSTER_TYPE_PREFIXES.items():
            if source.resource_type.startswith(prefix):
                return cloud
    kubeconfig = read(provider.props, "kubeconfig")
    if not is_set(kubeconfig):
        return None
    text = kubeconfig if isinstance(kubeconfig, str) else literal(kubeconfig)
    found = [cloud for cloud, markers in KUBECONFIG_MARKERS.items() if any(m in text for m in markers)]
    return found[0] if len(found) == 1 else None


def _clouds(cloud: str | None) -> tuple[str, ...]:
    """The clouds whose marks an object must carry: its cluster's, or every cloud's when unknown."""
    return (cloud,) if cloud else CLOUDS


def _where(cloud: str | None) -> str:
    return f"on {cloud.upper()}" if cloud else "on a cluster whose cloud the stack does not tell"


# --- reading annotations --------------------------------------------------------------------------


def _names(clouds: Sequence[str]) -> str:
    return " and ".join(cloud.upper() for cloud in clouds)


def _plain(annotations: Any, path: str) -> dict[str, Any]:
    """Annotations as a plain mapping (to read, and to show in a finding), a value unknown until the update
    as :class:`Unknown`; none when not a mapping."""
    if not isinstance(annotations, Mapping):
        return {}
    found: dict[str, Any] = {}
    for key in list(annotations):
        try:
            found[str(key)] = annotations[key]
        except UnknownValueError:
            found[str(key)] = Unknown(f"{path}.{key}")
    return found


def _decide(annotations: Mapping[str, Any], decision: Decision) -> bool | Unknown | None:
    """Whether the first annotation of ``decision`` present makes the load balancer internal; None when none
    is present; the :class:`Unknown` when that annotation is unknown until the update."""
    for key, internal in decision:
        if key in annotations:
            value = annotations[key]
            return value if isinstance(value, Unknown) else str(value) in internal
    return None


def _spelled(decision: Decision) -> str:
    """``decision`` in words, for a finding's expected value."""
    words = [f"{key}: {values[0]}" for key, values in decision]
    return words[0] + "".join(f" (or, without it, {more})" for more in words[1:]) if words else ""


# --- the checks -----------------------------------------------------------------------------------


def _service(check: Check, obj: Obj, cloud: str | None, keys: Keys) -> None:
    """A Service's (or a Service block of Helm values') type and annotations."""
    clouds = _clouds(cloud)
    expected = "ClusterIP, or a LoadBalancer annotated " + " and ".join(
        _spelled(MARKS[c].service_annotations) for c in clouds
    )
    type_path, annotations_path = obj.at + keys.type, obj.at + keys.annotations
    service_type = read(obj.block, keys.type)
    annotations = read(obj.block, keys.annotations)
    if isinstance(service_type, Unknown):
        check.cannot_verify(obj.resource, Unknown(type_path), expected)
        return
    if isinstance(annotations, Unknown):
        if service_type == "LoadBalancer" or (obj.patch and not is_set(service_type)):
            check.cannot_verify(obj.resource, Unknown(annotations_path), expected)
        return
    found = _plain(annotations, annotations_path)
    decisions = {c: _decide(found, MARKS[c].service_annotations) for c in clouds}
    unknown = next((d for d in decisions.values() if isinstance(d, Unknown)), None)
    if service_type == "NodePort":
        check.fail(obj.resource, type_path, service_type, expected, "a NodePort Service opens a port on every node")
    elif unknown is not None and (service_type == "LoadBalancer" or obj.patch):
        check.cannot_verify(obj.resource, unknown, expected)
    elif service_type == "LoadBalancer":
        missing = [c for c, internal in decisions.items() if internal is not True]
        if missing:
            check.fail(
                obj.resource,
                annotations_path,
                found,
                expected,
                f"{_where(cloud)}, a LoadBalancer Service without the internal annotation of {_names(missing)} gets "
                "a public address (the first of a cloud's annotations present decides; the controller ignores "
                "another cloud's annotation)",
            )
    elif obj.patch and not is_set(service_type):
        public = [c for c, internal in decisions.items() if internal is False]
        if public:
            check.fail(
                obj.resource,
                annotations_path,
                found,
                expected,
                f"the patch sets the annotation that decides on {_names(public)} to a value that makes the load "
                "balancer public",
            )


def _external_ips(check: Check, obj: Obj, keys: Keys) -> None:
    """A Service's externalIPs: every node accepts the Service's traffic on them (Kubernetes API,
    ServiceSpec.externalIPs), so each must be an address the internet cannot route to."""
    path = obj.at + keys.external_ips
    addresses = read(obj.block, keys.external_ips)
    expected = (
        "no externalIPs, or only private addresses (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)"
    )
    if isinstance(addresses, Unknown):
        check.cannot_verify(obj.resource, Unknown(path), expected)
        return
    if not is_set(addresses):
        return
    if isinstance(addresses, str):
        entries = [(path, addresses)]
    else:
        entries = [(obj.at + where, address) for where, address in items(obj.block, keys.external_ips)]
    for where, address in entries:
        if isinstance(address, Unknown):
            check.cannot_verify(obj.resource, Unknown(where), expected)
        elif not _private(address):
            check.fail(
                obj.resource,
                where,
                address,
                expected,
                "every node of the cluster accepts the Service's traffic on an external IP; this one is not a "
                "private address, so the Service is reachable wherever the internet routes it to a node",
            )


def _private(address: Any) -> bool:
    try:
        ip = ipaddress.ip_address(str(address))
    except ValueError:
        return False
    return any(ip in network for network in PRIVATE_NETWORKS)


def _ingress(check: Check, obj: Obj, cloud: str | None, keys: Keys, class_schemes: Mapping[str, Any]) -> None:
    """An Ingress (or an Ingress block of Helm values): internal by its cloud's annotation or class; on
    AWS, an IngressClassParams scheme of its class overrides the annotation."""
    clouds = _clouds(cloud)
    expected = f"an internal Ingress {_where(cloud)}: " + "; ".join(
        f"{c.upper()}: "
        + " or ".join(
            [_spelled(MARKS[c].ingress_annotations)]
            if MARKS[c].ingress_annotations
            else [] + [f"class {name}" for name in sorted(MARKS[c].ingress_classes)]
        )
        for c in clouds
    )
    annotations_path = obj.at + keys.annotations
    annotations = read(obj.block, keys.annotations)
    class_names = {key: read(obj.block, key) for key in keys.classes}
    for key, value in [(keys.annotations, annotations), *class_names.items()]:
        if isinstance(value, Unknown):
            check.cannot_verify(obj.resource, Unknown(obj.at + key), expected)
            return
    found = _plain(annotations, annotations_path)
    class_name = next((str(v) for v in class_names.values() if is_set(v)), None)
    classes = {c for c in (class_name, found.get(INGRESS_CLASS_ANNOTATION)) if isinstance(c, str) and c}
    params = class_schemes.get(class_name, MISSING) if class_name else MISSING
    decisions = {c: _decide(found, MARKS[c].ingress_annotations) for c in clouds}
    if AWS in decisions and params is not MISSING:
        decisions[AWS] = params == "internal" if isinstance(params, str) else False
    if obj.patch and not classes and not any(d is False for d in decisions.values()):
        return  # the patch leaves how the Ingress is exposed as it was
    unknown = next((d for d in decisions.values() if isinstance(d, Unknown)), None)
    if unknown is not None:
        check.cannot_verify(obj.resource, unknown, expected)
        return
    missing = [c for c in clouds if not (decisions[c] is True or classes & MARKS[c].ingress_classes)]
    if missing:
        actual = {"annotations": found, "ingressClassName": class_name}
        why = ""
        if params is not MISSING:
            actual["ingressClassParams.scheme"] = "not declared in the stack" if params is NOT_DECLARED else params
            why = f" (the IngressClassParams of class {literal(class_name)} sets the scheme of all its Ingresses)"
        check.fail(
            obj.resource,
            annotations_path,
            actual,
            expected,
            f"{_where(cloud)}, the Ingress gets an internet-facing load balancer: it is not internal by the marks "
            f"of {_names(missing)}{why}; an Ingress of another controller is as public as that controller's Service",
        )


def _gateway(check: Check, obj: Obj, cloud: str | None) -> None:
    classes = sorted({name for c in _clouds(cloud) for name in MARKS[c].gateway_classes})
    expected = f"an internal GatewayClass {_where(cloud)}: {literal(classes)}"
    path = obj.at + "spec.gatewayClassName"
    class_name = read(obj.block, "spec.gatewayClassName")
    if isinstance(class_name, Unknown):
        check.cannot_verify(obj.resource, Unknown(path), expected)
        return
    if obj.patch and not is_set(class_name):
        return
    if cloud is None or class_name not in MARKS[cloud].gateway_classes:
        check.fail(
            obj.resource,
            path,
            class_name,
            expected,
            "the Gateway's class is not an internal class of the cluster's cloud"
            if cloud
            else "the stack does not tell the cluster's cloud, so no class can be known to be internal",
        )


def _helm(check: Check, resource: PolicyResource, cloud: str | None, class_schemes: Mapping[str, Any]) -> None:
    """The Services and Ingresses a release's values ask for (:func:`helm_blocks`); what the chart's own
    defaults create is AIS-NET-005's question."""
    values = read(resource.props, "values")
    expected = "values that create no public Service or Ingress"
    if isinstance(values, Unknown):
        check.cannot_verify(resource, values, expected)
        return
    for what, path, block in helm_blocks(values):
        obj = Obj(resource, "", what, False, block, f"{path}.")
        if what == "unknown":
            check.cannot_verify(resource, block, expected)
        elif what == "service":
            _service(check, obj, cloud, HELM_SERVICE_KEYS)
            _external_ips(check, obj, HELM_SERVICE_KEYS)
        else:
            enabled = read(block, "enabled")
            if isinstance(enabled, Unknown):
                check.cannot_verify(resource, Unknown(f"{path}.enabled"), expected)
            elif go_truthy(enabled):
                _ingress(check, obj, cloud, HELM_INGRESS_KEYS, class_schemes)


# --- the objects ----------------------------------------------------------------------------------


def _objects(check: Check, resources: Sequence[PolicyResource]) -> list[Obj]:
    """Every Kubernetes object of the stack: its resources, and the objects in ConfigGroups' inputs."""
    objs: list[Obj] = []
    for resource in resources:
        if resource.resource_type == CONFIG_GROUP:
            objs.extend(_carried(check, resource))
            continue
        kind = _kind(resource.resource_type)
        if kind is not None:
            group, name = kind
            objs.append(Obj(resource, group, name.removesuffix("Patch"), name.endswith("Patch"), resource.props, ""))
    return objs


def _carried(check: Check, resource: PolicyResource) -> Iterator[Obj]:
    expected = "Kubernetes objects the gate can read"
    for found in manifests(resource.props):
        if isinstance(found, Unknown):
            check.cannot_verify(resource, found, expected)
        elif isinstance(found, Unparsable):
            check.fail(
                resource,
                found.path,
                found.error,
                "YAML text that parses",
                "the YAML does not parse, so the gate cannot see which Services, Ingresses and Gateways it creates",
            )
        else:
            kind, api_version = read(found.object, "kind"), read(found.object, "apiVersion")
            for key, value in (("kind", kind), ("apiVersion", api_version)):
                if isinstance(value, Unknown):
                    check.cannot_verify(resource, Unknown(f"{found.path}.{key}"), expected)
            if isinstance(kind, str) and not isinstance(api_version, Unknown):
                yield Obj(resource, api_group(api_version), kind, False, found.object, f"{found.path}.")


def _class_schemes(objs: Sequence[Obj]) -> dict[str, Any]:
    """The scheme each IngressClass of the stack takes from an AWS IngressClassParams: its ``spec.scheme``
    (:data:`MISSING` when it sets none), or :data:`NOT_DECLARED` when the stack does not declare it."""
    params = {
        read(o.block, "metadata.name"): read(o.block, "spec.scheme")
        for o in objs
        if o.named((ALB_PARAMS[0],), ALB_PARAMS[1]) and not o.patch
    }
    schemes: dict[str, Any] = {}
    for o in objs:
        name, ref = read(o.block, "metadata.name"), read(o.block, "spec.parameters")
        if (
            o.named(("networking.k8s.io",), "IngressClass")
            and isinstance(name, str)
            and isinstance(ref, Mapping)
            and (read(ref, "apiGroup"), read(ref, "kind")) == ALB_PARAMS
        ):
            schemes[name] = params.get(read(ref, "name"), NOT_DECLARED)
    return schemes


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    by_urn = {resource.urn: resource for resource in resources}
    objs = _objects(check, resources)
    class_schemes = _class_schemes(objs)
    for resource in resources:
        if resource.resource_type in HELM_TYPES:
            _helm(check, resource, cluster_cloud(resource, by_urn), class_schemes)
    for obj in objs:
        cloud = cluster_cloud(obj.resource, by_urn)
        if obj.named(("core", ""), "Service"):
            _service(check, obj, cloud, OBJECT_KEYS)
            _external_ips(check, obj, OBJECT_KEYS)
        elif obj.named(("networking.k8s.io", "extensions"), "Ingress"):
            _ingress(check, obj, cloud, OBJECT_KEYS, class_schemes)
        elif obj.named(("gateway.networking.k8s.io",), "Gateway"):
            _gateway(check, obj, cloud)


POLICY = stack_policy(META, _check)
