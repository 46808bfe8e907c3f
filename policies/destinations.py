"""Where data goes: the egress routes AIS-RES-002 judges, and how each destination is located.

A route is a property path of a type and a :class:`Locator` for the value there: a region in an ARN or an AWS
endpoint's host name, a bucket or dataset of the stack by its name, or nothing (an HTTP endpoint, an
on-premises file system: they cannot be located, and fail). :data:`ROUTES` is the table, one entry per type;
a new route is one entry. The provider catalog's replica placements (``replicas[].regionName``, S3
replication destination buckets, ...) are routes too (:func:`catalog_replicas`).

An unknown value (preview) is located only when it is verbatim a resource's output
(:func:`policies.framework.flows_from`): that resource is then the destination; otherwise it cannot be
verified, and fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pulumi_policy import PolicyResource

from aistacks.engine.names import physical_name
from aistacks.vocabulary import Cloud

from .framework import MISSING, Unknown, flows_from, is_set, read
from .placement import cloud_of, locations_at, normalize, values_at
from .provider_catalog import placement_paths

S3_BUCKETS = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
GCS_BUCKETS = frozenset({"gcp:storage/bucket:Bucket"})
LOG_BUCKETS = frozenset({"gcp:logging/projectBucketConfig:ProjectBucketConfig"})
DATASETS = frozenset({"gcp:bigquery/dataset:Dataset"})

NOT_IN_STACK = "the destination is not in this stack and its location cannot be established"


@dataclass(frozen=True)
class Destination:
    """Where one route delivers: a location, or a resource of the stack to locate, or unknown, or unresolved
    (set, but it cannot be located: ``why`` says so)."""

    path: str
    location: str | None = None
    cloud: Cloud | None = None
    """The cloud of ``location`` (None: the routing resource's)."""
    resource: PolicyResource | None = None
    unknown: Unknown | None = None
    unresolved: str | None = None
    why: str = NOT_IN_STACK


Resources = Sequence[PolicyResource]
Find = Callable[[PolicyResource, Resources], list[Destination]]
"""Every destination of one route of a resource, given the stack's resources."""


# --- locating one value ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Locator:
    """How to locate a destination given at a path: ``locate(path, value, resources)`` for a known value;
    an unknown value is located as the resource it is verbatim an output of, if of one of ``sources``
    (None: any resource, placed where it is)."""

    locate: Callable[[str, str, Resources], Destination]
    sources: frozenset[str] | None = None


def _by_property(resources: Resources, types: frozenset[str], key: str, value: str) -> PolicyResource | None:
    """The stack's resource of one of ``types`` whose ``key`` is ``value``; a resource that leaves ``key``
    unset is known by the name its provider makes up (the Pulumi CLI hands a policy that auto-name among the
    inputs; the offline engine makes up the same one it gives the resource's outputs)."""
    return next((r for r in resources if r.resource_type in types and _name(r, key) == value), None)


def _name(resource: PolicyResource, key: str) -> object:
    value = read(resource.props, key)
    if value is MISSING:
        return physical_name(resource.resource_type, resource.name, resource.props)
    return value


def _in_stack(path: str, resource: PolicyResource | None, value: str, what: str) -> Destination:
    if resource is not None:
        return Destination(path, resource=resource)
    return Destination(
        path, unresolved=value, why=f"{what} is not in this stack and its location cannot be established"
    )


_ARN = re.compile(r"^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):")
_AWS_HOST = re.compile(r"[./@]([a-z]{2}(?:-[a-z]+)+-\d+)\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?(?::\d+)?(?:/|$)")


def _s3_bucket(path: str, value: str, resources: Resources) -> Destination:
    """A bucket name or ARN (``arn:aws:s3:::name``): the stack's bucket of that name."""
    name = value.rsplit(":", 1)[-1]
    return _in_stack(path, _by_property(resources, S3_BUCKETS, "bucket", name), value, f"the S3 bucket {name!r}")


def _aws_arn(path: str, value: str, resources: Resources) -> Destination:
    """An ARN's region field; an S3 bucket's ARN has none: the stack's bucket of that name."""
    match = _ARN.match(value)
    if match is None:
        return Destination(path, unresolved=value, why="the destination is not an ARN and cannot be located")
    service, region = match.groups()
    if region:
        return Destination(path, location=region, cloud="aws")
    if service == "s3":
        return _s3_bucket(path, value, resources)
    return Destination(path, unresolved=value, why="the destination's ARN names no region")


def _aws_endpoint(path: str, value: str, _: Resources) -> Destination:
    """An AWS service endpoint (``https://x.eu-west-1.es.amazonaws.com``, a Redshift JDBC URL): the region of
    its host name; any other host cannot be located."""
    match = _AWS_HOST.search(value)
    if match is None:
        why = "the endpoint is not an AWS regional host name, and where it sends data cannot be located"
        return Destination(path, unresolved=value, why=why)
    return Destination(path, location=match.group(1), cloud="aws")


def _aws_region(path: str, value: str, _: Resources) -> Destination:
    return Destination(path, location=normalize("aws", value), cloud="aws")


def _unlocatable(what: str) -> Callable[[str, str, Resources], Destination]:
    def locate(path: str, value: str, _: Resources) -> Destination:
        return Destination(path, unresolved=value, why=f"{what} cannot be located")

    return locate


def _gcs_bucket(path: str, value: str, resources: Resources) -> Destination:
    """A bucket name or ``gs://name/object`` URI: the stack's bucket of that name."""
    name = value.removeprefix("gs://").split("/", 1)[0]
    return _in_stack(
        path, _by_property(resources, GCS_BUCKETS, "name", name), value, f"the Cloud Storage bucket {name!r}"
    )


_DATASET_NAME = re.compile(r"^projects/[^/]+/datasets/([^/]+)")
_TABLE_REFERENCE = re.compile(r"^(?:[^.:]+[.:])?([^.:]+)\.[^.]+$")


def _dataset(path: str, value: str, resources: Resources) -> Destination:
    """A dataset ID (or ``projects/p/datasets/d/...``): the stack's dataset of that ID."""
    match = _DATASET_NAME.match(value)
    dataset_id = match.group(1) if match else value
    found = _by_property(resources, DATASETS, "datasetId", dataset_id)
    return _in_stack(path, found, value, f"the BigQuery dataset {dataset_id!r}")


def _table(path: str, value: str, resources: Resources) -> Destination:
    """A table reference ``project.dataset.table`` or ``project:dataset.table``: its dataset in the stack."""
    match = _TABLE_REFERENCE.match(value)
    if match is None:
        return _dataset(path, value, resources)
    return _dataset(path, match.group(1), resources)


AWS_ARN = Locator(_aws_arn)
AWS_ENDPOINT = Locator(_aws_endpoint)
AWS_REGION = Locator(_aws_region)
S3_BUCKET = Locator(_s3_bucket, S3_BUCKETS)
GCS_BUCKET = Locator(_gcs_bucket, GCS_BUCKETS)
DATASET = Locator(_dataset, DATASETS)
TABLE = Locator(_table, DATASETS)
HTTP_ENDPOINT = Locator(_unlocatable("an HTTP endpoint (any host, anywhere)"))
ON_PREMISES = Locator(_unlocatable("a file system reached through a transfer agent (outside any cloud region)"))


def locate(resource: PolicyResource, resources: Resources, path: str, locator: Locator) -> list[Destination]:
    """Every destination at a path (``a[].b``: each element's), located by ``locator``."""
    found: list[Destination] = []
    for concrete, value in values_at(resource.props, path):
        if isinstance(value, Unknown):
            sources = [
                source
                for source in flows_from(resource, concrete)
                if locator.sources is None or source.resource_type in locator.sources
            ]
            found += [Destination(concrete, resource=source) for source in sources]
            found += [] if sources else [Destination(concrete, unknown=value)]
        elif is_set(value):
            found.append(locator.locate(concrete, str(value), resources))
    return found


@dataclass(frozen=True)
class At:
    """A route: the destinations at ``path``, located by ``locator``; with ``when``, only if the resource's
    ``when[0]`` is ``when[1]`` (an unknown one cannot be verified)."""

    path: str
    locator: Locator
    when: tuple[str, str] | None = None

    def __call__(self, resource: PolicyResource, resources: Resources) -> list[Destination]:
        if self.when is not None:
            key, expected = self.when
            value = read(resource.props, key)
            if isinstance(value, Unknown):
                return [Destination(key, unknown=value)]
            if value != expected:
                return []
        return locate(resource, resources, self.path, self.locator)


# --- routes that are not one path -------------------------------------------------------------------

_LOG_BUCKET = re.compile(r"^logging\.googleapis\.com/projects/[^/]+/locations/([^/]+)/buckets/")
_STORAGE = re.compile(r"^storage\.googleapis\.com/(.+)$")
_BIGQUERY = re.compile(r"^bigquery\.googleapis\.com/(projects/[^/]+/datasets/.+)$")


def _sink_destination(path: str, value: str, resources: Resources) -> Destination:
    if match := _LOG_BUCKET.match(value):
        return Destination(path, location=match.group(1), cloud="gcp")
    if match := _STORAGE.match(value):
        return _gcs_bucket(path, match.group(1), resources)
    if match := _BIGQUERY.match(value):
        return _dataset(path, match.group(1), resources)
    return Destination(
        path, unresolved=value, why="the sink's destination (Pub/Sub, another project's bucket, ...) cannot be located"
    )


LOG_SINK = At("destination", Locator(_sink_destination, LOG_BUCKETS | GCS_BUCKETS | DATASETS))
"""A log sink's destination: a log bucket (its location is in its name), a bucket or dataset of the stack."""


def itself(resource: PolicyResource, _: Resources) -> list[Destination]:
    """A resource that is itself a replica: placed where it is."""
    return [Destination("region", resource=resource)]


_S3_REPLICA_BUCKET = re.compile(r"destinations?(\[\])?\.bucket$")


def is_bucket_reference(resource_type: str, path: str) -> bool:
    """An S3 replication destination (``destination.bucket``, BucketV2's ``destinations[].bucket``): a
    bucket ARN, not a region."""
    return resource_type.startswith("aws:s3/") and _S3_REPLICA_BUCKET.search(path) is not None


def catalog_replicas(resource: PolicyResource, resources: Resources) -> list[Destination]:
    """Every replica or destination placement the provider catalog lists for the type."""
    found: list[Destination] = []
    for replica in placement_paths(resource.resource_type).replica:
        if is_bucket_reference(resource.resource_type, replica.path):
            found += locate(resource, resources, replica.path, S3_BUCKET)
            continue
        for concrete, location in locations_at(resource.props, replica.path):
            if isinstance(location, Unknown):
                found.append(Destination(concrete, unknown=location))
            else:
                found.append(Destination(concrete, location=normalize(cloud_of(resource.resource_type), location)))
    return found


# --- the table --------------------------------------------------------------------------------------

_FIREHOSE_BLOCKS = (
    "elasticsearchConfiguration",
    "httpEndpointConfiguration",
    "icebergConfiguration",
    "opensearchConfiguration",
    "opensearchserverlessConfiguration",
    "redshiftConfiguration",
    "snowflakeConfiguration",
    "splunkConfiguration",
)
"""Firehose destinations that back up (all or failed records) to an S3 bucket, ``<block>.s3Configuration``."""


def _firehose() -> tuple[Find, ...]:
    return (
        At("extendedS3Configuration.bucketArn", S3_BUCKET),
        At("extendedS3Configuration.s3BackupConfiguration.bucketArn", S3_BUCKET),
        *(At(f"{block}.s3Configuration.bucketArn", S3_BUCKET) for block in _FIREHOSE_BLOCKS),
        At("redshiftConfiguration.s3BackupConfiguration.bucketArn", S3_BUCKET),
        At("redshiftConfiguration.clusterJdbcurl", AWS_ENDPOINT),
        At("elasticsearchConfiguration.domainArn", AWS_ARN),
        At("elasticsearchConfiguration.clusterEndpoint", AWS_ENDPOINT),
        At("opensearchConfiguration.domainArn", AWS_ARN),
        At("opensearchConfiguration.clusterEndpoint", AWS_ENDPOINT),
        At("opensearchserverlessConfiguration.collectionEndpoint", AWS_ENDPOINT),
        At("icebergConfiguration.catalogArn", AWS_ARN),
        At("httpEndpointConfiguration.url", HTTP_ENDPOINT),
        At("splunkConfiguration.hecEndpoint", HTTP_ENDPOINT),
        At("snowflakeConfiguration.accountUrl", HTTP_ENDPOINT),
    )


ROUTES: Mapping[str, tuple[Find, ...]] = {
    # AWS: backups, streams, log routes, S3 exports and access logs
    "aws:backup/plan:Plan": (At("rules[].copyActions[].destinationVaultArn", AWS_ARN),),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": _firehose(),
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": (At("destinationArn", AWS_ARN),),
    "aws:cloudwatch/metricStream:MetricStream": (At("firehoseArn", AWS_ARN),),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": (At("invocationEndpoint", HTTP_ENDPOINT),),
    "aws:cloudwatch/eventEndpoint:EventEndpoint": (
        At("eventBuses[].eventBusArn", AWS_ARN),
        At("routingConfig.failoverConfig.secondary.route", AWS_REGION),
    ),
    "aws:cloudwatch/logDestination:LogDestination": (At("targetArn", AWS_ARN),),
    "aws:cloudwatch/logDelivery:LogDelivery": (At("deliveryDestinationArn", AWS_ARN),),
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": (
        At("deliveryDestinationConfiguration.destinationResourceArn", AWS_ARN),
    ),
    "aws:dynamodb/kinesisStreamingDestination:KinesisStreamingDestination": (At("streamArn", AWS_ARN),),
    "aws:dynamodb/tableExport:TableExport": (At("s3Bucket", S3_BUCKET),),
    "aws:dynamodb/tableReplica:TableReplica": (itself,),
    "aws:rds/exportTask:ExportTask": (At("s3BucketName", S3_BUCKET),),
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": (itself,),
    "aws:kms/replicaKey:ReplicaKey": (itself,),
    "aws:kms/replicaExternalKey:ReplicaExternalKey": (itself,),
    "aws:s3/objectCopy:ObjectCopy": (At("bucket", S3_BUCKET),),
    "aws:s3/bucket:Bucket": (At("logging.targetBucket", S3_BUCKET),),
    "aws:s3/bucketV2:BucketV2": (At("loggings[].targetBucket", S3_BUCKET),),
    "aws:s3/bucketLogging:BucketLogging": (At("targetBucket", S3_BUCKET),),
    "aws:s3/bucketLoggingV2:BucketLoggingV2": (At("targetBucket", S3_BUCKET),),
    "aws:s3/inventory:Inventory": (At("destination.bucket.bucketArn", S3_BUCKET),),
    "aws:s3/analyticsConfiguration:AnalyticsConfiguration": (
        At("storageClassAnalysis.dataExport.destination.s3BucketDestination.bucketArn", S3_BUCKET),
    ),
    "aws:s3/bucketMetadataConfiguration:BucketMetadataConfiguration": (
        At("metadataConfiguration.destinations[].tableBucketArn", AWS_ARN),
    ),
    # GCP: log sinks, transfers, BigQuery jobs and copies, Pub/Sub deliveries
    "gcp:logging/projectSink:ProjectSink": (LOG_SINK,),
    "gcp:logging/folderSink:FolderSink": (LOG_SINK,),
    "gcp:logging/organizationSink:OrganizationSink": (LOG_SINK,),
    "gcp:logging/billingAccountSink:BillingAccountSink": (LOG_SINK,),
    "gcp:storage/transferJob:TransferJob": (
        At("transferSpec.gcsDataSink.bucketName", GCS_BUCKET),
        At("replicationSpec.gcsDataSink.bucketName", GCS_BUCKET),
        At("transferSpec.posixDataSink.rootDirectory", ON_PREMISES),
    ),
    "gcp:storage/insightsReportConfig:InsightsReportConfig": (
        At("objectMetadataReportOptions.storageDestinationOptions.bucket", GCS_BUCKET),
    ),
    "gcp:bigquery/job:Job": (
        At("extract.destinationUris[]", GCS_BUCKET),
        At("copy.destinationTable.datasetId", DATASET),
    ),
    "gcp:bigquery/dataTransferConfig:DataTransferConfig": (
        At("destinationDatasetId", DATASET, when=("dataSourceId", "cross_region_copy")),
    ),
    "gcp:pubsub/subscription:Subscription": (
        At("bigqueryConfig.table", TABLE),
        At("cloudStorageConfig.bucket", GCS_BUCKET),
        At("pushConfig.pushEndpoint", HTTP_ENDPOINT),
    ),
}
"""Per type, every route beyond the catalog's replica paths that moves data somewhere, and how to locate where:
backup copies, Firehose destinations, log subscriptions, deliveries and metric streams, EventBridge API
destinations and global endpoints, access logs, exports and object copies, transfers, BigQuery extracts and
copies, Pub/Sub deliveries, log sinks, and resources that are themselves a replica. Types of the services
``data/egress_reviewed.json`` names that have a destination-like input and no route are reviewed there."""


def destinations(resource: PolicyResource, resources: Resources) -> list[Destination]:
    """Every destination of a resource: its catalog replica placements and its routes."""
    found = catalog_replicas(resource, resources)
    for find in ROUTES.get(resource.resource_type, ()):
        found += find(resource, resources)
    return found
