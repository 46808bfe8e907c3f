"""In-cluster metrics collection on EKS (issue 13): the Prometheus agent that scrapes the model servers and the
DCGM exporter and remote-writes to AMP (:mod:`aistacks.k8s.prometheus_agent`), and the DCGM exporter
(:mod:`aistacks.k8s.dcgm_exporter`): manifests valid for the cluster's version, a configuration that scrapes
only what it is given, least-privilege RBAC, a "restricted" collector pod."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import textwrap
from typing import Any

import kubernetes_validate
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from aistacks.engine import ResourceGraph, load_project, load_stack_file, run_program
from aistacks.k8s.dcgm_exporter import (
    DCGM_EXPORTER_IMAGE,
    DCGM_NAMESPACE,
    METRICS,
    dcgm_exporter_manifests,
    dcgm_scrape_target,
    dcgm_selector,
    metrics_csv,
)
from aistacks.k8s.prometheus_agent import (
    COLLECTOR_NAME,
    CONFIG_CHECKSUM_ANNOTATION,
    MONITORING_NAMESPACE,
    PROMETHEUS_IMAGE,
    RemoteWrite,
    ScrapeTarget,
    amp_remote_write_url,
    collector_selector,
    prometheus_agent_manifests,
    prometheus_config,
)

from .test_compute import manifests

KUBERNETES_VERSION = "1.33"
REGION = "eu-central-1"
WORKSPACE = f"https://aps-workspaces.{REGION}.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/"
REMOTE_WRITE_URL = WORKSPACE + "api/v1/remote_write"
ROLE_ARN = "arn:aws:iam::123456789012:role/inference-prometheus-agent"
SYSTEM_NODES = {"aistacks.io/pool": "system"}
GPU_NODES = ("aistacks.io/pool", ["l4", "h100"])
GPU_TAINT = {"key": "nvidia.com/gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
VLLM = ScrapeTarget(job="vllm-chat", namespace="serving", selector={"app.kubernetes.io/name": "chat"})


def agent(
    targets: list[ScrapeTarget] | None = None, url: Any = REMOTE_WRITE_URL, **overrides: Any
) -> list[dict[str, Any]]:
    settings: dict[str, Any] = {
        "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN},
        "external_labels": {"cluster": "acme-staging-inference"},
        "node_selector": SYSTEM_NODES,
        **overrides,
    }
    chosen = [VLLM, dcgm_scrape_target()] if targets is None else targets
    return prometheus_agent_manifests(chosen, RemoteWrite(url, REGION), **settings)


def dcgm() -> list[dict[str, Any]]:
    return dcgm_exporter_manifests(nodes=GPU_NODES, tolerations=[GPU_TAINT])


def one(found: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    (manifest,) = [m for m in found if m["kind"] == kind]
    return manifest


def rendered_config(found: list[dict[str, Any]]) -> dict[str, Any]:
    return yaml.safe_load(one(found, "ConfigMap")["data"]["prometheus.yml"])


def pod_spec(found: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return one(found, kind)["spec"]["template"]["spec"]


# --- every manifest ---------------------------------------------------------------------------------------


def test_every_manifest_validates_strictly() -> None:
    collector, exporter = agent(), dcgm()
    assert [m["kind"] for m in collector] == [
        "Namespace",
        "NetworkPolicy",
        "ServiceAccount",
        "Role",
        "Role",
        "RoleBinding",
        "RoleBinding",
        "ConfigMap",
        "Deployment",
    ]
    assert [m["kind"] for m in exporter] == ["ServiceAccount", "ConfigMap", "DaemonSet", "Service"]
    for manifest in [*collector, *exporter]:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)


def test_a_misspelt_field_fails_the_validation() -> None:
    """The validation above can fail: a field the schema lacks is refused in strict mode."""
    deployment = one(agent(), "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["readOnlyRootFileSystem"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


# --- the collector's configuration ------------------------------------------------------------------------


def test_the_configuration_scrapes_only_the_targets_namespaces_pods_and_ports() -> None:
    config = rendered_config(agent())
    assert config["global"] == {"scrape_interval": "30s", "external_labels": {"cluster": "acme-staging-inference"}}
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    assert set(jobs) == {"vllm-chat", "dcgm-exporter"}
    for target in (VLLM, dcgm_scrape_target()):
        job = jobs[target.job]
        (discovery,) = job["kubernetes_sd_configs"]
        assert discovery["role"] == "pod"
        assert discovery["namespaces"] == {"names": [target.namespace]}
        assert discovery["selectors"] == [
            {"role": "pod", "label": ",".join(f"{k}={v}" for k, v in target.selector.items())}
        ]
        keeps = {
            tuple(rule["source_labels"]): rule["regex"] for rule in job["relabel_configs"] if rule["action"] == "keep"
        }
        for key, value in target.selector.items():
            meta = "__meta_kubernetes_pod_label_" + re.sub(r"[^a-zA-Z0-9_]", "_", key)
            assert re.fullmatch(keeps[(meta,)], value)
        assert keeps[("__meta_kubernetes_pod_container_port_name",)] == target.port
        assert keeps[("__meta_kubernetes_pod_phase",)] == "Running"
        replaced = {rule["target_label"]: rule for rule in job["relabel_configs"] if rule["action"] == "replace"}
        assert replaced["__metrics_path__"]["replacement"] == "/metrics"
        assert replaced["namespace"]["source_labels"] == ["__meta_kubernetes_namespace"]
        assert replaced["pod"]["source_labels"] == ["__meta_kubernetes_pod_name"]
    assert keeps_for(jobs["vllm-chat"]) == {
        "__meta_kubernetes_pod_label_app_kubernetes_io_name": "chat",
        "__meta_kubernetes_pod_container_port_name": "http",
        "__meta_kubernetes_pod_phase": "Running",
    }


def keeps_for(job: dict[str, Any]) -> dict[str, str]:
    return {rule["source_labels"][0]: rule["regex"] for rule in job["relabel_configs"] if rule["action"] == "keep"}


def test_remote_write_goes_to_the_workspace_signed_for_its_region() -> None:
    (remote,) = rendered_config(agent())["remote_write"]
    assert remote["url"] == REMOTE_WRITE_URL
    assert remote["sigv4"] == {"region": REGION}
    assert remote["queue_config"] == {"max_samples_per_send": 1000, "max_shards": 200, "capacity": 2500}


@pytest.mark.parametrize(
    "endpoint",
    [
        WORKSPACE,
        WORKSPACE.rstrip("/"),
        WORKSPACE + "api/v1/",
        WORKSPACE + "api/v1",
    ],
)
def test_the_remote_write_url_of_a_workspace_endpoint(endpoint: str) -> None:
    assert amp_remote_write_url(endpoint) == REMOTE_WRITE_URL


def test_the_pod_rolls_when_the_configuration_changes() -> None:
    def checksum(found: list[dict[str, Any]]) -> str:
        return one(found, "Deployment")["spec"]["template"]["metadata"]["annotations"][CONFIG_CHECKSUM_ANNOTATION]

    first, second = agent(), agent(scrape_interval_seconds=15)
    text = one(first, "ConfigMap")["data"]["prometheus.yml"]
    assert checksum(first) == hashlib.sha256(text.encode()).hexdigest()
    assert checksum(first) != checksum(second)
    assert rendered_config(second)["global"]["scrape_interval"] == "15s"


LABEL_VALUES = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?", fullmatch=True)


@given(value=LABEL_VALUES, other=LABEL_VALUES)
def test_a_selector_value_keeps_that_value_and_no_other(value: str, other: str) -> None:
    """The keep rule's regex is the label value as a literal (Prometheus anchors it): a ``.`` in the value
    matches only a dot, so ``chat.v1`` does not keep pods labelled ``chatxv1``."""
    target = ScrapeTarget(job="j", namespace="serving", selector={"app": value})
    (job,) = prometheus_config([target], remote_write_url=REMOTE_WRITE_URL, region=REGION, external_labels={})[
        "scrape_configs"
    ]
    regex = keeps_for(job)["__meta_kubernetes_pod_label_app"]
    assert re.fullmatch(regex, value)
    assert bool(re.fullmatch(regex, other)) == (other == value)
    if "." in value:
        assert not re.fullmatch(regex, value.replace(".", "x"))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"selector": {}}, "no selector"),
        ({"selector": {"app": "chat bot"}}, "not a non-empty label value"),
        ({"selector": {"-app": "chat"}}, "not a label key"),
        ({"port": "8000"}, "not a container port name"),
        ({"port": "http-metrics-port"}, "not a container port name"),
        ({"namespace": "Serving"}, "not a namespace name"),
        ({"path": "metrics"}, "does not start with /"),
        ({"job": " "}, "empty job name"),
    ],
)
def test_a_target_that_would_scrape_the_wrong_pods_is_refused(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ScrapeTarget(**{"job": "vllm", "namespace": "serving", "selector": {"app": "chat"}, **fields})


def test_two_targets_with_one_job_name_are_refused_before_any_output_resolves() -> None:
    twin = ScrapeTarget(job="vllm-chat", namespace="serving", selector={"app.kubernetes.io/name": "code"})
    with pytest.raises(ValueError, match="repeated: vllm-chat"):
        agent([VLLM, twin], url=object())
    with pytest.raises(ValueError, match="at least 1"):
        agent(scrape_interval_seconds=0)


# --- the collector's identity and pod ------------------------------------------------------------------


def test_the_roles_are_namespaced_and_read_only_pods() -> None:
    second = ScrapeTarget(job="vllm-code", namespace="serving", selector={"app.kubernetes.io/name": "code"})
    found = agent([VLLM, second, dcgm_scrape_target()])
    assert not [m for m in found if m["kind"].startswith("Cluster")]
    roles = [m for m in found if m["kind"] == "Role"]
    bindings = [m for m in found if m["kind"] == "RoleBinding"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["kube-system", "serving"], "one per namespace"
    for role in roles:
        assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]
    for binding in bindings:
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": COLLECTOR_NAME}
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": COLLECTOR_NAME, "namespace": MONITORING_NAMESPACE}
        ]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["kube-system", "serving"]


def test_the_service_account_is_the_irsa_role_and_only_the_pod_mounts_a_token() -> None:
    found = agent()
    account = one(found, "ServiceAccount")
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN}
    assert account["automountServiceAccountToken"] is False
    spec = pod_spec(found, "Deployment")
    assert spec["serviceAccountName"] == COLLECTOR_NAME
    assert spec["automountServiceAccountToken"] is True


def test_the_collector_pod_meets_the_restricted_standard() -> None:
    found = agent()
    namespace = one(found, "Namespace")
    assert namespace["metadata"]["name"] == MONITORING_NAMESPACE
    for mode in ("enforce", "audit", "warn"):
        assert namespace["metadata"]["labels"][f"pod-security.kubernetes.io/{mode}"] == "restricted"
    spec = pod_spec(found, "Deployment")
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] != 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["securityContext"]["fsGroup"] == spec["securityContext"]["runAsGroup"], "reads the IRSA token"
    assert not {"hostNetwork", "hostPID", "hostIPC"} & set(spec)
    assert all(set(volume) & {"configMap", "emptyDir"} for volume in spec["volumes"]), "no hostPath"
    (container,) = spec["containers"]
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"] == {"drop": ["ALL"]}
    assert container["resources"]["requests"] == container["resources"]["limits"]
    assert spec["nodeSelector"] == SYSTEM_NODES
    assert one(found, "Deployment")["spec"]["template"]["metadata"]["labels"].items() >= collector_selector().items()


def test_the_collector_runs_prometheus_in_agent_mode_probed_on_its_health_endpoints() -> None:
    deployment = one(agent(), "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}, "never two agents sending the same series"
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == PROMETHEUS_IMAGE
    assert re.fullmatch(r"quay\.io/prometheus/prometheus:v3\.\d+\.\d+@sha256:[0-9a-f]{64}", PROMETHEUS_IMAGE)
    assert container["args"] == [
        "--agent",
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.agent.path=/prometheus",
        "--web.listen-address=:9090",
    ]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"config": "/etc/prometheus", "storage": "/prometheus"}
    assert container["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    assert container["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"web": 9090}


def test_nothing_may_connect_into_the_monitoring_namespace() -> None:
    policy = one(agent(), "NetworkPolicy")
    assert policy["metadata"]["namespace"] == MONITORING_NAMESPACE
    assert policy["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}


# --- the DCGM exporter -------------------------------------------------------------------------------------


def test_the_exporter_runs_on_the_given_gpu_nodes_tolerating_their_taint() -> None:
    spec = pod_spec(dcgm(), "DaemonSet")
    (term,) = spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term == {"matchExpressions": [{"key": "aistacks.io/pool", "operator": "In", "values": ["l4", "h100"]}]}
    assert "nodeSelector" not in spec
    assert spec["tolerations"] == [GPU_TAINT]
    untainted = pod_spec(dcgm_exporter_manifests(nodes=GPU_NODES, tolerations=[]), "DaemonSet")
    assert "tolerations" not in untainted
    with pytest.raises(ValueError, match="no GPU nodes"):
        dcgm_exporter_manifests(nodes=("aistacks.io/pool", []), tolerations=[])


def test_the_exporter_keeps_the_charts_privileges_and_host_mount() -> None:
    found = dcgm()
    daemon_set = one(found, "DaemonSet")
    assert daemon_set["metadata"]["namespace"] == DCGM_NAMESPACE == "kube-system"
    spec = daemon_set["spec"]["template"]["spec"]
    assert spec["priorityClassName"] == "system-node-critical"
    assert spec["automountServiceAccountToken"] is False
    (container,) = spec["containers"]
    assert container["image"] == DCGM_EXPORTER_IMAGE == "nvcr.io/nvidia/k8s/dcgm-exporter:4.5.3-4.8.2-distroless"
    assert container["securityContext"]["capabilities"] == {"add": ["SYS_ADMIN"], "drop": ["ALL"]}
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["args"] == ["-f", "/etc/dcgm-exporter/default-counters.csv"]
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["pod-gpu-resources"]["hostPath"] == {"path": "/var/lib/kubelet/pod-resources"}
    assert volumes["exporter-metrics-volume"]["configMap"]["name"] == one(found, "ConfigMap")["metadata"]["name"]
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert mounts["pod-gpu-resources"]["readOnly"] is True
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"metrics": 9400}
    service = one(found, "Service")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["selector"] == dcgm_selector()


def test_the_scrape_target_picks_the_exporter_pods_by_their_port() -> None:
    target = dcgm_scrape_target()
    daemon_set = one(dcgm(), "DaemonSet")
    assert target.namespace == daemon_set["metadata"]["namespace"]
    assert daemon_set["spec"]["selector"]["matchLabels"] == dict(target.selector)
    assert daemon_set["spec"]["template"]["metadata"]["labels"].items() >= target.selector.items()
    (container,) = daemon_set["spec"]["template"]["spec"]["containers"]
    assert target.port in {port["name"] for port in container["ports"]}


def test_the_metrics_file_parses_as_the_exporter_reads_it() -> None:
    text = one(dcgm(), "ConfigMap")["data"]["metrics"]
    assert text == metrics_csv()
    rows = [
        [field.strip(" ") for field in row]
        for row in csv.reader(line for line in text.splitlines() if not line.startswith("#"))
    ]
    assert all(len(row) == 3 for row in rows), "field, type, help: a comma in a help text would break a line"
    assert {row[1] for row in rows} <= {"gauge", "counter"}
    fields = [row[0] for row in rows]
    assert fields == [metric[0] for metric in METRICS]
    assert {"DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE"} <= set(fields)
    assert any(field.startswith("DCGM_FI_PROF_") for field in fields), "the profiling metrics SYS_ADMIN is for"


# --- with the workspace's endpoint as a Pulumi output -----------------------------------------------------

PROGRAM = textwrap.dedent(
    f"""
    import pulumi
    import pulumi_kubernetes as k8s

    from aistacks.k8s.apply import apply_manifest
    from aistacks.k8s.dcgm_exporter import dcgm_exporter_manifests, dcgm_scrape_target
    from aistacks.k8s.prometheus_agent import (
        RemoteWrite, ScrapeTarget, amp_remote_write_url, prometheus_agent_manifests,
    )

    endpoint = pulumi.Output.from_input({WORKSPACE!r})
    cluster = k8s.Provider("eks", context="eks")
    found = [
        *prometheus_agent_manifests(
            [ScrapeTarget(job="vllm-chat", namespace="serving", selector={{"app.kubernetes.io/name": "chat"}}),
             dcgm_scrape_target()],
            RemoteWrite(amp_remote_write_url(endpoint), {REGION!r}),
            annotations={{"eks.amazonaws.com/role-arn": {ROLE_ARN!r}}},
            external_labels={{"cluster": "acme-staging-inference"}},
            node_selector={json.dumps(SYSTEM_NODES)},
        ),
        *dcgm_exporter_manifests(nodes={GPU_NODES!r}, tolerations=[{json.dumps(GPU_TAINT)}]),
    ]
    for manifest in found:
        metadata = manifest["metadata"]
        name = f"{{manifest['kind']}}-{{metadata.get('namespace', 'cluster')}}-{{metadata['name']}}".lower()
        apply_manifest(name, manifest, pulumi.ResourceOptions(provider=cluster))
    """
)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    folder = tmp_path_factory.mktemp("metrics")
    (folder / "Pulumi.yaml").write_text("name: metrics\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.eks.yaml").write_text("config: {}\n", encoding="utf-8")
    (folder / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    project = load_project(folder)
    return run_program(project, load_stack_file(folder / "Pulumi.eks.yaml", project.name))


def test_an_output_endpoint_reaches_the_applied_configuration(graph: ResourceGraph) -> None:
    applied = manifests(graph)
    assert len(applied) == len(agent()) + len(dcgm())
    for manifest in applied:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    config_map = next(m for m in applied if m["kind"] == "ConfigMap" and m["metadata"]["name"] == COLLECTOR_NAME)
    text = config_map["data"]["prometheus.yml"]
    assert yaml.safe_load(text)["remote_write"][0]["url"] == REMOTE_WRITE_URL
    assert text == one(agent(), "ConfigMap")["data"]["prometheus.yml"], "the same file as from a string URL"
    deployment = next(m for m in applied if m["kind"] == "Deployment")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations[CONFIG_CHECKSUM_ANNOTATION] == hashlib.sha256(text.encode()).hexdigest()
