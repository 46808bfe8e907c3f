"""The mock Google Cloud: the resource types and functions aistacks uses, answered as Google Cloud answers them.

Where an input is optional because the provider supplies it (``region``, ``location``), the
provider's region stands in, as the provider itself does.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from aistacks.engine.cloud.base import Called, CloudModel, Created, Handler, digest, project_number, stable_uuid


def _project(c: Created) -> str:
    return c.inputs.get("project", c.project)


def _location(c: Created) -> str:
    return str(c.inputs.get("location") or c.region)


def _key_ring(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return f"projects/{_project(c)}/locations/{c.inputs['location']}/keyRings/{name}", {"name": name}


def _crypto_key(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return f"{c.inputs['keyRing']}/cryptoKeys/{name}", {"name": name, "primaries": []}


def _iam_member(c: Created) -> tuple[str, dict[str, Any]]:
    target = c.inputs.get("cryptoKeyId") or f"b/{c.inputs.get('bucket')}"
    return f"{target}/{c.inputs['role']}/{c.inputs['member']}", {"etag": "BwY" + digest("etag", c.name)[:9]}


def _gcs_bucket(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return name, {
        "name": name,
        "url": f"gs://{name}",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
        "projectNumber": project_number(_project(c)),
    }


def _audit_config(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{_project(c)}/{c.inputs['service']}", {"etag": "BwY" + digest(c.name)[:9]}


def _log_bucket(c: Created) -> tuple[str, dict[str, Any]]:
    bucket_id = f"projects/{_project(c)}/locations/{c.inputs['location']}/buckets/{c.inputs['bucketId']}"
    return bucket_id, {"name": bucket_id, "lifecycleState": "ACTIVE"}


def _log_sink(c: Created) -> tuple[str, dict[str, Any]]:
    project = _project(c)
    name = c.named()
    identity = f"serviceAccount:service-{project_number(project)}@gcp-sa-logging.iam.gserviceaccount.com"
    return f"projects/{project}/sinks/{name}", {"name": name, "writerIdentity": identity}


def _service_account(c: Created) -> tuple[str, dict[str, Any]]:
    project = _project(c)
    email = f"{c.inputs['accountId']}@{project}.iam.gserviceaccount.com"
    return f"projects/{project}/serviceAccounts/{email}", {
        "email": email,
        "member": f"serviceAccount:{email}",
        "name": f"projects/{project}/serviceAccounts/{email}",
        "uniqueId": str(int(digest("sa", email)[:15], 16))[:21],
    }


def path(kind: str, scope: Callable[[Created], str]) -> Handler:
    """A Compute Engine resource named ``projects/<p>/<scope>/<kind>/<name>``, with its selfLink."""

    def handler(c: Created) -> tuple[str, dict[str, Any]]:
        name = c.named()
        resource_path = f"projects/{_project(c)}/{scope(c)}/{kind}/{name}"
        return resource_path, {"name": name, "selfLink": f"https://www.googleapis.com/compute/v1/{resource_path}"}

    return handler


def _global(c: Created) -> str:
    return "global"


def _regional(c: Created) -> str:
    return f"regions/{c.region}"


def _gke_cluster(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    cluster_path = f"projects/{_project(c)}/locations/{_location(c)}/clusters/{name}"
    return cluster_path, {
        "name": name,
        "endpoint": f"172.16.{int(digest(name)[:2], 16)}.2",
        "masterAuth": {"clusterCaCertificate": base64.b64encode(f"mock CA of {name}".encode()).decode()},
        "selfLink": f"https://container.googleapis.com/v1/{cluster_path}",
        # The DNS endpoint's form. Source: GKE docs, "About network isolation in GKE" (read 2026-11-30).
        "controlPlaneEndpointsConfig": _with_dns_endpoint(c, name),
    }


PREVIEW_COMPUTED: dict[str, tuple[tuple[str, ...], ...]] = {
    "gcp:container/cluster:Cluster": (("controlPlaneEndpointsConfig", "dnsEndpointConfig", "endpoint"),),
}
"""Outputs the provider computes inside an input block: unknown at preview, though the block is known."""


def _with_dns_endpoint(c: Created, name: str) -> dict[str, Any]:
    asked: dict[str, Any] = dict(c.inputs.get("controlPlaneEndpointsConfig") or {})
    dns = {**(asked.get("dnsEndpointConfig") or {}), "endpoint": f"gke-{digest(name)[:32]}.{_location(c)}.gke.goog"}
    return {**asked, "dnsEndpointConfig": dns}


def _gke_node_pool(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    cluster = f"projects/{_project(c)}/locations/{_location(c)}/clusters/{c.inputs['cluster']}"
    return f"{cluster}/nodePools/{name}", {"name": name, "instanceGroupUrls": []}


def _project_member(c: Created) -> tuple[str, dict[str, Any]]:
    return f"{c.inputs['project']}/{c.inputs['role']}/{c.inputs['member']}", {"etag": "BwY" + digest(c.name)[:9]}


def _vertex(kind: str) -> Handler:
    def handler(c: Created) -> tuple[str, dict[str, Any]]:
        number = project_number(str(c.inputs.get("project") or c.project))
        resource_id = str(int(digest("vertex", c.name)[:15], 16))
        outputs: dict[str, Any] = {"name": resource_id, "createTime": "2026-11-27T00:00:00Z"}
        if c.inputs.get("publicEndpointEnabled"):
            outputs["publicEndpointDomainName"] = f"{resource_id}.{c.region}-{number}.vdb.vertexai.goog"
        return f"projects/{number}/locations/{c.region}/{kind}/{resource_id}", outputs

    return handler


def _deployed_index(c: Created) -> tuple[str, dict[str, Any]]:
    endpoint, deployed = str(c.inputs["indexEndpoint"]), str(c.inputs["deployedIndexId"])
    # projects/<number>/locations/<region>/indexEndpoints/<id>
    parts = endpoint.split("/")
    region = parts[3] if len(parts) > 3 else c.region
    attachment = f"projects/{digest('tenant', c.name)[:12]}-tp/regions/{region}/serviceAttachments/sa-{deployed}"
    return f"{endpoint}/deployedIndex/{deployed}", {
        "name": deployed,
        "privateEndpoints": [{"matchGrpcAddress": "", "serviceAttachment": attachment, "pscAutomatedEndpoints": []}],
    }


def _internal_address(c: Created) -> tuple[str, dict[str, Any]]:
    address_path, outputs = path("addresses", _regional)(c)
    return address_path, outputs | {"address": f"10.16.0.{int(digest('ip', c.name)[:2], 16) % 200 + 20}"}


def _service_identity(c: Created) -> tuple[str, dict[str, Any]]:
    number = project_number(str(c.inputs.get("project") or c.project))
    agent = str(c.inputs["service"]).split(".", 1)[0]
    email = f"service-{number}@gcp-sa-{agent}.iam.gserviceaccount.com"
    return f"projects/{number}/services/{c.inputs['service']}", {"email": email, "member": f"serviceAccount:{email}"}


def _pubsub_topic(c: Created) -> tuple[str, dict[str, Any]]:
    name = c.named()
    return f"projects/{_project(c)}/topics/{name}", {"name": name}


def _notification_channel(c: Created) -> tuple[str, dict[str, Any]]:
    # Cloud Monitoring assigns the channel's numeric ID: ``projects/<p>/notificationChannels/<id>``.
    channel = f"projects/{_project(c)}/notificationChannels/{int(digest('channel', c.name)[:15], 16)}"
    return channel, {"name": channel, "verificationStatus": "UNVERIFIED"}


def _billing_budget(c: Created) -> tuple[str, dict[str, Any]]:
    # Cloud Billing assigns the budget's ID: ``billingAccounts/<account>/budgets/<uuid>``.
    budget_id = f"billingAccounts/{c.inputs['billingAccount']}/budgets/{stable_uuid('budget', c.name)}"
    return budget_id, {"name": budget_id}


def _storage_service_account(c: Called) -> dict[str, Any]:
    email = f"service-{c.number}@gs-project-accounts.iam.gserviceaccount.com"
    return {"emailAddress": email, "member": f"serviceAccount:{email}", "project": c.project, "id": email}


def _project_info(c: Called) -> dict[str, Any]:
    return {"number": c.number, "projectId": c.project, "name": c.project, "id": f"projects/{c.project}"}


def _logging_cmek_settings(c: Called) -> dict[str, Any]:
    return {
        "serviceAccountId": f"service-{c.number}@gcp-sa-logging.iam.gserviceaccount.com",
        "name": f"projects/{c.project}/cmekSettings",
        "project": c.project,
        "id": f"projects/{c.project}/cmekSettings",
    }


MODEL = CloudModel(
    package="gcp",
    resources={
        "gcp:kms/keyRing:KeyRing": _key_ring,
        "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": _iam_member,
        "gcp:storage/bucket:Bucket": _gcs_bucket,
        "gcp:storage/bucketIAMMember:BucketIAMMember": _iam_member,
        "gcp:serviceaccount/account:Account": _service_account,
        "gcp:projects/iAMMember:IAMMember": _project_member,
        "gcp:projects/iAMAuditConfig:IAMAuditConfig": _audit_config,
        "gcp:projects/serviceIdentity:ServiceIdentity": _service_identity,
        "gcp:compute/network:Network": path("networks", _global),
        "gcp:compute/subnetwork:Subnetwork": path("subnetworks", _regional),
        "gcp:compute/router:Router": path("routers", _regional),
        "gcp:compute/routerNat:RouterNat": path("nats", _regional),
        "gcp:compute/address:Address": _internal_address,
        "gcp:compute/forwardingRule:ForwardingRule": path("forwardingRules", _regional),
        "gcp:compute/firewall:Firewall": path("firewalls", _global),
        "gcp:container/cluster:Cluster": _gke_cluster,
        "gcp:container/nodePool:NodePool": _gke_node_pool,
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": _log_bucket,
        "gcp:logging/projectSink:ProjectSink": _log_sink,
        "gcp:vertex/aiIndex:AiIndex": _vertex("indexes"),
        "gcp:vertex/aiIndexEndpoint:AiIndexEndpoint": _vertex("indexEndpoints"),
        "gcp:vertex/aiIndexEndpointDeployedIndex:AiIndexEndpointDeployedIndex": _deployed_index,
        "gcp:pubsub/topic:Topic": _pubsub_topic,
        "gcp:monitoring/notificationChannel:NotificationChannel": _notification_channel,
        "gcp:billing/budget:Budget": _billing_budget,
    },
    functions={
        "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": _storage_service_account,
        "gcp:organizations/getProject:getProject": _project_info,
        "gcp:logging/getProjectCmekSettings:getProjectCmekSettings": _logging_cmek_settings,
    },
)
