"""A team's own cluster (on premises, reached through a kubeconfig context): aistacks' namespaces and
Qdrant on it, on the team's own encrypted StorageClass, with snapshots to the team's S3-compatible
store (its endpoint and a credentials Secret the team manages)."""

import pulumi
import pulumi_kubernetes as k8s

from aistacks.k8s import QdrantPlan, SnapshotPlan, VectorDatabase, WorkloadNamespaces, role_namespaces

config = pulumi.Config()
cluster = k8s.Provider("onprem", context=config.require("context"))
namespaces = WorkloadNamespaces("onprem", role_namespaces("inference", 8, vector=True), cluster)
database = VectorDatabase(
    "onprem-vectors",
    QdrantPlan(replicas=3, storage_class="ceph-rbd-encrypted", storage_gib=100),
    cluster,
    SnapshotPlan(
        "s3",
        "acme-onprem-qdrant-snapshots",
        "30 1 * * *",
        credentials_secret="snapshot-store-credentials",
        environment={"AWS_ENDPOINT_URL": "https://s3.storage.acme.internal"},
    ),
    opts=pulumi.ResourceOptions(depends_on=[namespaces]),
)
pulumi.export("endpoint", database.endpoint)
