"""A served model's in-cluster half (issue 13): the manifests :func:`aistacks.k8s.inference_manifests` makes
from the plan, valid for the cluster's version and locked down, and the component under the offline engine
on a plain ``kubernetes.Provider``."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from aistacks.config import ConfigError, parse_platform_spec
from aistacks.engine import ResourceGraph, load_project, load_stack_file, run_program
from aistacks.engine.graph import display_value
from aistacks.k8s import InferenceService, WeightsLoader, gcs_loader, inference_manifests, s3_loader
from aistacks.k8s.inference import DRAIN_SECONDS, PROGRESS_DEADLINE_SECONDS, SHM_SIZE, STARTUP_SECONDS, TYPE_TOKEN
from aistacks.k8s.snapshots import AWS_CLI_IMAGE, GCLOUD_CLI_IMAGE
from aistacks.plan import plan_platform
from aistacks.plan.model import InferencePlan

from .test_compute import KUBERNETES_VERSION, manifests

QWEN_7B = "Qwen/Qwen2.5-7B-Instruct"
LLAMA_8B = "meta-llama/Llama-3.1-8B-Instruct"
CLASS = "encrypted-gp3-scratch"
ROLE_ARN = "arn:aws:iam::123456789012:role/serve-chat"


def platform(*services: dict[str, Any], environment: str = "staging") -> dict[str, Any]:
    """An inference cluster in eu-central-1 with a pool of single-L4 nodes (g6) and one of four-L4 nodes
    (g6.12xlarge, for tensor parallelism: AWS offers no two-L4 node in the catalog)."""
    return {
        "environment": environment,
        "jurisdiction": "eu",
        "aws": {
            "region": "eu-central-1",
            "kubernetes_version": "1.35",
            "clusters": [
                {
                    "role": "inference",
                    "api_access_cidrs": ["203.0.113.0/24"],
                    "gpu_pools": [
                        {"name": "l4", "gpu": "l4", "max_nodes": 3},
                        {"name": "quad", "gpu": "l4", "gpus_per_node": 4, "max_nodes": 2},
                    ],
                }
            ],
        },
        # Eight sequences of 8,192 tokens: a 7B model in 16 bits fits one L4 (24 GB) with that many.
        "inference": [{"concurrency": 8, **service} for service in services],
    }


def plan_of(service: dict[str, Any], environment: str = "staging") -> InferencePlan:
    """The plan of ``service``. TGI is refused by the validation (its image cannot start as non-root); its
    manifests are planned alike, so its cases are planned from the same spec with the engine swapped in."""
    engine = service.get("engine", "vllm")
    raw = platform({**service, "engine": "vllm"}, environment=environment)
    if environment == "dev":
        del raw["aws"]["clusters"][0]["api_access_cidrs"]
    spec = parse_platform_spec(raw)
    served = tuple(entry.model_copy(update={"engine": engine}) for entry in spec.inference)
    (planned,) = plan_platform(spec.model_copy(update={"inference": served})).inference
    return planned


CASES: dict[str, tuple[dict[str, Any], str]] = {
    "vllm-bucket-floor-1": ({"name": "chat", "model": QWEN_7B}, "staging"),
    "vllm-bucket-dev": ({"name": "chat", "model": QWEN_7B}, "dev"),
    "vllm-hub-tp2-floor-2": (
        {
            "name": "llama",
            "model": LLAMA_8B,
            "pool": "quad",
            "tensor_parallel": 2,
            "source": "hub",
            "hub_token_secret": "hf-token",
            "min_replicas": 2,
        },
        "staging",
    ),
    "tgi-bucket": ({"name": "tgi", "model": QWEN_7B, "engine": "tgi"}, "staging"),
    "tgi-hub-no-token-tp2": (
        {
            "name": "mistral",
            "model": "mistralai/Mistral-7B-Instruct-v0.3",
            "engine": "tgi",
            "pool": "quad",
            "tensor_parallel": 2,
            "source": "hub",
        },
        "staging",
    ),
}


@pytest.fixture(params=sorted(CASES))
def plan(request: pytest.FixtureRequest) -> InferencePlan:
    service, environment = CASES[request.param]
    return plan_of(service, environment)


def render(plan: InferencePlan, **options: Any) -> dict[str, dict[str, Any]]:
    loader = options.pop("loader", s3_loader("models-bucket", plan.model))
    found = inference_manifests(plan, storage_class=CLASS, loader=loader, **options)
    return {m["kind"]: m for m in found}


def pod_of(plan: InferencePlan, **options: Any) -> dict[str, Any]:
    return render(plan, **options)["Deployment"]["spec"]["template"]["spec"]


def server_of(plan: InferencePlan) -> dict[str, Any]:
    (server,) = pod_of(plan)["containers"]
    return server


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


# --- the manifests --------------------------------------------------------------------------------------


def test_every_manifest_validates_strictly(plan: InferencePlan) -> None:
    found = inference_manifests(
        plan,
        storage_class=CLASS,
        annotations={"eks.amazonaws.com/role-arn": ROLE_ARN},
        loader=gcs_loader("models-bucket", plan.model),
    )
    assert [m["kind"] for m in found] == ["ServiceAccount", "Deployment", "Service", "PodDisruptionBudget"]
    for manifest in found:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        assert manifest["metadata"]["namespace"] == plan.namespace == "serving"


def test_the_server_takes_its_gpus_cpu_and_memory_as_requests_and_limits(plan: InferencePlan) -> None:
    server = server_of(plan)
    expected = {"cpu": plan.cpu, "memory": plan.memory, plan.pool.gpu_resource: str(plan.gpus)}
    assert server["resources"] == {"requests": expected, "limits": expected}
    drain = [f"--shutdown-timeout={DRAIN_SECONDS}"] if plan.engine.engine == "vllm" else []
    assert server["image"] == plan.engine.image and server["args"] == [*plan.args, *drain]
    assert "command" not in server, "the image's entrypoint starts the server"
    assert server["ports"] == [{"name": "http", "containerPort": plan.engine.port, "protocol": "TCP"}]


def test_tensor_parallel_replicas_take_two_gpus_of_the_four_gpu_pool() -> None:
    plan = plan_of(CASES["vllm-hub-tp2-floor-2"][0])
    assert plan.gpus == 2 and plan.pool.name == "quad"
    assert server_of(plan)["resources"]["limits"]["nvidia.com/gpu"] == "2"
    assert "--tensor-parallel-size=2" in plan.args


def test_replicas_run_only_on_their_pool_and_tolerate_its_taint(plan: InferencePlan) -> None:
    pod = pod_of(plan)
    assert pod["nodeSelector"] == dict(plan.pool.labels)
    taint = plan.pool.taint
    assert pod["tolerations"] == [{"key": taint.key, "operator": "Equal", "value": taint.value, "effect": taint.effect}]


def test_the_weights_come_from_the_bucket_through_an_init_container_only_for_the_bucket_source(
    plan: InferencePlan,
) -> None:
    pod = pod_of(plan)
    env = env_of(server_of(plan))
    assert env["HF_HOME"].startswith("/models/")
    if plan.source == "bucket":
        (loader,) = pod["initContainers"]
        assert loader["image"] == AWS_CLI_IMAGE
        assert {"name": "weights", "mountPath": "/models"} in loader["volumeMounts"]
        assert env_of(loader)["BUCKET"] == "models-bucket"
        assert env["HF_HUB_OFFLINE"] == "1", "the server never falls back to the Hub"
        assert plan.args[0] == f"/models/{plan.model}" or plan.args[0] == f"--model-id=/models/{plan.model}"
    else:
        assert "initContainers" not in pod
        assert "HF_HUB_OFFLINE" not in env


def test_a_bucket_source_without_a_loader_is_an_error() -> None:
    plan = plan_of(CASES["vllm-bucket-floor-1"][0])
    with pytest.raises(ValueError, match="need a WeightsLoader"):
        inference_manifests(plan, storage_class=CLASS)


def test_the_hub_token_comes_from_the_secret_only_for_the_hub_with_a_secret(plan: InferencePlan) -> None:
    env = env_of(server_of(plan))
    if plan.source == "hub" and plan.hub_token_secret is not None:
        assert env["HF_TOKEN"] == {"secretKeyRef": {"name": plan.hub_token_secret, "key": "HF_TOKEN"}}
    else:
        assert "HF_TOKEN" not in env
    assert all("valueFrom" not in e for e in pod_of(plan).get("initContainers", [{}])[0].get("env", []))


def test_probes_ask_the_engines_health_path_on_its_port_and_wait_for_the_model(plan: InferencePlan) -> None:
    server = server_of(plan)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert server[probe]["httpGet"] == {"path": plan.engine.health_path, "port": plan.engine.port, "scheme": "HTTP"}
    startup = server["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] == STARTUP_SECONDS == 3600
    assert server["livenessProbe"]["failureThreshold"] * server["livenessProbe"]["periodSeconds"] < STARTUP_SECONDS
    deployment = render(plan)["Deployment"]
    assert deployment["spec"]["progressDeadlineSeconds"] == PROGRESS_DEADLINE_SECONDS > STARTUP_SECONDS


def test_rollouts_never_go_below_the_floor(plan: InferencePlan) -> None:
    spec = render(plan)["Deployment"]["spec"]
    assert spec["replicas"] == plan.min_replicas
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()


@pytest.mark.parametrize(
    ("case", "budget"),
    [
        ("vllm-bucket-dev", {"maxUnavailable": 1}),
        ("vllm-bucket-floor-1", {"maxUnavailable": 1}),
        ("vllm-hub-tp2-floor-2", {"maxUnavailable": 1}),
    ],
)
def test_the_disruption_budget_lets_drains_take_one_replica_at_a_time(case: str, budget: dict[str, int]) -> None:
    """A budget of the floor would block every drain: the Deployment runs exactly the floor."""
    service, environment = CASES[case]
    raw = platform(service, environment=environment)
    if environment == "dev":
        del raw["aws"]["clusters"][0]["api_access_cidrs"]
    (plan,) = plan_platform(parse_platform_spec(raw)).inference
    spec = render(plan)["PodDisruptionBudget"]["spec"]
    assert {k: v for k, v in spec.items() if k in ("minAvailable", "maxUnavailable")} == budget
    assert spec["selector"] == render(plan)["Deployment"]["spec"]["selector"]
    assert spec["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def test_each_replica_keeps_its_weights_on_an_encrypted_ephemeral_volume(plan: InferencePlan) -> None:
    volumes = {v["name"]: v for v in pod_of(plan)["volumes"]}
    claim = volumes["weights"]["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim == {
        "storageClassName": CLASS,
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{plan.cache_gib}Gi"}},
    }
    assert volumes["shm"] == {"name": "shm", "emptyDir": {"medium": "Memory", "sizeLimit": SHM_SIZE}}
    mounts = {m["mountPath"]: m["name"] for m in server_of(plan)["volumeMounts"]}
    assert mounts["/models"] == "weights" and mounts["/dev/shm"] == "shm"


def test_every_container_passes_pod_security_restricted(plan: InferencePlan) -> None:
    """The "restricted" profile's checks (Kubernetes docs, "Pod Security Standards"), field for field."""
    pod = pod_of(plan)
    context = pod["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] != 0
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "sysctls" not in context
    containers = [*pod.get("initContainers", []), *pod["containers"]]
    assert len(containers) == (2 if plan.source == "bucket" else 1)
    for container in containers:
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        assert security.get("privileged") is False and security["readOnlyRootFilesystem"] is True
        assert security.get("runAsUser", context["runAsUser"]) != 0
        assert not {"runAsNonRoot", "seccompProfile"} & set(security), "the pod's apply"
        assert env_of(container)["HOME"] == "/home/server"
    assert not any(pod.get(f"host{kind}") for kind in ("Network", "PID", "IPC"))
    assert all(set(v) & {"emptyDir", "ephemeral"} for v in pod["volumes"]), "no hostPath"


def test_tgi_is_refused_until_its_image_runs_as_non_root() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_platform_spec(platform({"name": "tgi", "model": QWEN_7B, "engine": "tgi"}))
    (issue,) = [i for i in caught.value.issues if i.path.endswith("inference[0].engine")]
    assert issue.value == "tgi" and "cannot start as a non-root user" in issue.message and "#3082" in issue.message
    assert plan_of(CASES["tgi-bucket"][0]).engine.port == 8080, "an unprivileged port, passed as --port"


def test_no_api_token_is_mounted_and_the_service_account_carries_the_identity(plan: InferencePlan) -> None:
    found = render(plan, annotations={"eks.amazonaws.com/role-arn": ROLE_ARN})
    account = found["ServiceAccount"]
    assert account["metadata"]["name"] == plan.service_account
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE_ARN}
    assert account["automountServiceAccountToken"] is False
    pod = found["Deployment"]["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == plan.service_account and pod["automountServiceAccountToken"] is False
    assert "annotations" not in render(plan)["ServiceAccount"]["metadata"], "none on GKE"


def test_the_service_is_cluster_internal_on_the_named_port(plan: InferencePlan) -> None:
    found = render(plan)
    spec = found["Service"]["spec"]
    assert found["Service"]["metadata"]["name"] == plan.name
    assert spec["type"] == "ClusterIP"
    assert spec["ports"] == [{"name": "http", "port": plan.engine.port, "targetPort": "http", "protocol": "TCP"}]
    assert spec["selector"] == found["Deployment"]["spec"]["selector"]["matchLabels"]


def test_replicas_spread_over_zones_when_there_can_be_more_than_one(plan: InferencePlan) -> None:
    pod = pod_of(plan)
    if plan.max_replicas > 1:
        (spread,) = pod["topologySpreadConstraints"]
        assert spread["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread["whenUnsatisfiable"] == "ScheduleAnyway"
    else:
        assert "topologySpreadConstraints" not in pod


def test_loaders_copy_the_model_folder_with_the_pinned_clis() -> None:
    s3 = s3_loader("bucket-a", QWEN_7B)
    assert s3.image == AWS_CLI_IMAGE and s3.command[:2] == ("/bin/bash", "-c")
    assert s3.command[2].startswith(f'aws s3 sync "s3://$BUCKET/"{QWEN_7B}/ /models/{QWEN_7B}/ --only-show-errors && ')
    gcs = gcs_loader("bucket-b", QWEN_7B, "/weights")
    assert gcs.image == GCLOUD_CLI_IMAGE
    assert f'gcloud storage rsync --recursive "gs://$BUCKET/"{QWEN_7B} /weights/{QWEN_7B} && ' in gcs.command[2]
    assert s3.environment["BUCKET"] == "bucket-a" and gcs.environment["BUCKET"] == "bucket-b"
    assert gcs.environment["CLOUDSDK_CONFIG"].startswith("/tmp/")


def test_a_loader_may_not_take_the_pods_home() -> None:
    plan = plan_of(CASES["vllm-bucket-floor-1"][0])
    with pytest.raises(ValueError, match="HOME"):
        inference_manifests(plan, storage_class=CLASS, loader=WeightsLoader("image", ("true",), {"HOME": "/"}))


def test_manifests_are_a_pure_function_of_the_plan() -> None:
    plan = plan_of(CASES["vllm-hub-tp2-floor-2"][0])
    first = inference_manifests(plan, storage_class=CLASS)
    second = copy.deepcopy(inference_manifests(plan, storage_class=CLASS))
    assert first == second


# --- the component under the offline engine --------------------------------------------------------------

PROGRAM = textwrap.dedent(
    f'''
    """A served model on a team's own cluster."""
    import json

    import pulumi
    import pulumi_kubernetes as k8s

    from aistacks.config import parse_platform_spec
    from aistacks.k8s import InferenceService, s3_loader
    from aistacks.plan import plan_platform

    raw = json.loads({json.dumps(json.dumps(platform(CASES["vllm-bucket-floor-1"][0])))})
    (plan,) = plan_platform(parse_platform_spec(raw)).inference
    cluster = k8s.Provider("onprem", context="onprem-gpu")
    service = InferenceService(
        plan.resource_name,
        plan,
        cluster,
        storage_class="{CLASS}",
        annotations={{"eks.amazonaws.com/role-arn": "{ROLE_ARN}"}},
        loader=s3_loader(pulumi.Output.from_input("acme-models"), plan.model),
    )
    pulumi.export("endpoint", service.endpoint)
    pulumi.export("service_name", service.service_name)
    '''
)


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ResourceGraph:
    folder = tmp_path_factory.mktemp("serve")
    (folder / "Pulumi.yaml").write_text("name: serve\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.onprem.yaml").write_text("config: {}\n", encoding="utf-8")
    (folder / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    project = load_project(folder)
    return run_program(project, load_stack_file(folder / "Pulumi.onprem.yaml", project.name))


def test_the_component_applies_every_manifest_through_the_given_provider(graph: ResourceGraph) -> None:
    (component,) = graph.of_type(TYPE_TOKEN)
    (provider,) = graph.of_type("pulumi:providers:kubernetes")
    children = [r for r in graph.resources if r.parent == component.urn]
    assert sorted(r.type for r in children) == [
        "kubernetes:apps/v1:Deployment",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:policy/v1:PodDisruptionBudget",
    ]
    assert all(r.custom and r.provider == provider.urn for r in children)
    (deployment,) = graph.of_type("kubernetes:apps/v1:Deployment")
    (account,) = graph.of_type("kubernetes:core/v1:ServiceAccount")
    assert account.urn in deployment.depends_on
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    assert stack.outputs["endpoint"] == "http://chat.serving.svc.cluster.local:8000/v1"
    assert stack.outputs["service_name"] == "chat"


def test_the_applied_manifests_validate_and_carry_the_bucket_output(graph: ResourceGraph) -> None:
    found = manifests(graph)
    for manifest in found:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    (deployment,) = [m for m in found if m["kind"] == "Deployment"]
    (loader,) = deployment["spec"]["template"]["spec"]["initContainers"]
    assert {"name": "BUCKET", "value": "acme-models"} in loader["env"]
    (record,) = graph.of_type("kubernetes:apps/v1:Deployment")
    assert display_value(record.inputs)["metadata"]["name"] == "chat"


def test_inference_service_is_exported() -> None:
    assert InferenceService.__module__ == "aistacks.k8s.inference"


@pytest.mark.parametrize("loader", [s3_loader, gcs_loader])
def test_the_loader_fails_until_the_weights_are_in_the_bucket(loader: Any, tmp_path: Path) -> None:
    """A sync of an empty prefix succeeds; the loader must not, or vLLM starts on an empty folder and the
    init container never runs again. Failing, it is retried with back-off until the weights are uploaded."""
    import subprocess

    command = loader("bucket", "Qwen/Qwen2.5-7B-Instruct", str(tmp_path)).command[2]
    check = command[command.index("{ test -f") :]
    environment = {"BUCKET": "acme-models"}
    run = subprocess.run(
        ["bash", "-c", f"true && {check}"], check=False, env=environment, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "no weights at " in run.stderr and "acme-models/Qwen/Qwen2.5-7B-Instruct/" in run.stderr
    (tmp_path / "Qwen" / "Qwen2.5-7B-Instruct").mkdir(parents=True)
    (tmp_path / "Qwen" / "Qwen2.5-7B-Instruct" / "config.json").write_text("{}", encoding="utf-8")
    assert subprocess.run(["bash", "-c", f"true && {check}"], check=False, env=environment).returncode == 0


def test_a_replica_leaving_serves_until_the_endpoints_drop_it(plan: InferencePlan) -> None:
    (server,) = pod_of(plan)["containers"]
    assert server["lifecycle"] == {"preStop": {"sleep": {"seconds": 15}}}
    assert pod_of(plan)["terminationGracePeriodSeconds"] > 15, "the sleep fits in the grace period"
