"""scripts/provider_catalog.py reads each resource's own args class, key objects and cmkArn, and drops
placements that are not where data lives (issue 12).

The SDK names a resource's args ``<Class>InitArgs`` when ``<Class>Args`` already names a nested input type
(``pulumi_aws.s3.BucketVersioningArgs`` is the old inline ``versioning`` block of a Bucket): the generator
takes the class the module's ``get_resource_args_opts`` call names. Importing SDK resource modules one by one
breaks later tests of the process (see tests/rules/test_provider_catalog.py), so the SDK is read in a child
process; the rules on leaf names are pure.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from aistacks.policies import provider_catalog

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "scripts" / "provider_catalog.py"
OVERRIDES = REPO / "policies" / "data" / "provider_catalog_overrides.json"


def _load() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("provider_catalog_generator", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generator = _load()

INIT_ARGS_TYPES = {
    "aws:dynamodb/tableReplica:TableReplica": "pulumi_aws.dynamodb.table_replica",
    "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry": "pulumi_aws.ec2.managed_prefix_list_entry",
    "aws:ec2/networkInterfaceAttachment:NetworkInterfaceAttachment": "pulumi_aws.ec2.network_interface_attachment",
    "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter": (
        "pulumi_aws.ec2.vpc_peering_connection_accepter"
    ),
    "aws:ec2/vpnConnectionRoute:VpnConnectionRoute": "pulumi_aws.ec2.vpn_connection_route",
    "aws:s3/bucketLogging:BucketLogging": "pulumi_aws.s3.bucket_logging",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": (
        "pulumi_aws.s3.bucket_object_lock_configuration"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": (
        "pulumi_aws.s3.bucket_server_side_encryption_configuration"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": "pulumi_aws.s3.bucket_versioning",
    "aws:wafv2/webAclRule:WebAclRule": "pulumi_aws.wafv2.web_acl_rule",
    "gcp:bigquery/datasetAccess:DatasetAccess": "pulumi_gcp.bigquery.dataset_access",
    "gcp:compute/instanceGroupNamedPort:InstanceGroupNamedPort": "pulumi_gcp.compute.instance_group_named_port",
    "gcp:compute/regionSecurityPolicyRule:RegionSecurityPolicyRule": "pulumi_gcp.compute.region_security_policy_rule",
    "gcp:compute/securityPolicyRule:SecurityPolicyRule": "pulumi_gcp.compute.security_policy_rule",
    "gcp:networksecurity/interceptEndpointGroupAssociation:InterceptEndpointGroupAssociation": (
        "pulumi_gcp.networksecurity.intercept_endpoint_group_association"
    ),
    "gcp:networksecurity/mirroringEndpointGroupAssociation:MirroringEndpointGroupAssociation": (
        "pulumi_gcp.networksecurity.mirroring_endpoint_group_association"
    ),
}
"""The 16 resources of pulumi-aws 7.51.1 / pulumi-gcp 10.2.0 whose args class is ``<Class>InitArgs``."""


# --- which args class -----------------------------------------------------------------------------------


def _input_type(name: str) -> type:
    return type(name, (), {"_pulumi_input_type": True})


def _module(*names: str) -> types.ModuleType:
    module = types.ModuleType("fake_resource_module")
    for name in names:
        setattr(module, name, _input_type(name))
    return module


def _source(args: str) -> str:
    return f"resource_args, opts = _utilities.get_resource_args_opts({args}, pulumi.ResourceOptions, *args)"


def test_the_init_args_class_wins_over_a_nested_input_type_of_the_same_name() -> None:
    module = _module("ThingArgs", "ThingInitArgs")
    assert generator.args_class(module, _source("ThingInitArgs"), "Thing").__name__ == "ThingInitArgs"


def test_the_args_class_the_resource_names_is_taken() -> None:
    assert generator.args_class(_module("ThingArgs"), _source("ThingArgs"), "Thing").__name__ == "ThingArgs"
    both = _module("ThingArgs", "ThingInitArgs")
    assert generator.args_class(both, _source("ThingArgs"), "Thing").__name__ == "ThingArgs"


def test_a_class_that_is_not_an_input_type_is_not_taken() -> None:
    module = _module("ThingArgs")
    module.ThingInitArgs = type("ThingInitArgs", (), {})  # pyright: ignore[reportAttributeAccessIssue]
    assert generator.args_class(module, "", "Thing").__name__ == "ThingArgs"
    assert generator.args_class(types.ModuleType("empty"), "", "Thing") is None


@pytest.fixture(scope="module")
def sdk_args() -> dict[str, Any]:
    """Per type of INIT_ARGS_TYPES: the args class the generator takes and its leaf paths (in a child process)."""
    script = (
        "import importlib.util, json, sys\n"
        f"spec = importlib.util.spec_from_file_location('generator', {str(GENERATOR)!r})\n"
        "module = importlib.util.module_from_spec(spec); sys.modules['generator'] = module\n"
        "spec.loader.exec_module(module)\n"
        "found = {}\n"
        "for name in sorted(set(json.loads(sys.stdin.read()).values())):\n"
        "    for token, args in module.resources_in(name):\n"
        "        found[token] = {'args': args.__name__, 'leaves': [path for path, _ in module.leaves(args)]}\n"
        "print(json.dumps(found))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(INIT_ARGS_TYPES),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(result.stdout)


def test_resources_with_init_args_are_read_from_them(sdk_args: dict[str, Any]) -> None:
    for token in INIT_ARGS_TYPES:
        class_name = token.rsplit(":", 1)[1]
        assert sdk_args[token]["args"] == f"{class_name}InitArgs", token


def test_bucket_versioning_has_its_own_shape_not_the_inline_versioning_block(sdk_args: dict[str, Any]) -> None:
    leaves = set(sdk_args["aws:s3/bucketVersioning:BucketVersioning"]["leaves"])
    assert {"bucket", "region", "versioningConfiguration.status", "versioningConfiguration.mfaDelete"} <= leaves
    assert not {"enabled", "mfaDelete"} & leaves  # the old inline block of aws:s3/bucket (BucketVersioningArgs)
    replica = set(sdk_args["aws:dynamodb/tableReplica:TableReplica"]["leaves"])
    assert {"globalTableArn", "kmsKeyArn", "region"} <= replica
    assert "regionName" not in replica  # Table's replicas[] block (TableReplicaArgs)


def test_the_catalog_lists_the_types_with_init_args() -> None:
    assert [path.path for path in provider_catalog.key_paths("aws:dynamodb/tableReplica:TableReplica")] == ["kmsKeyArn"]
    for token, module in INIT_ARGS_TYPES.items():
        listed = provider_catalog.entry(token)
        if token in {"gcp:bigquery/datasetAccess:DatasetAccess", "gcp:compute/securityPolicyRule:SecurityPolicyRule"}:
            assert listed is None, token  # global: no key or placement path
        else:
            assert listed is not None and listed.sdk_module == module, token
    sse = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    assert [path.path for path in provider_catalog.key_paths(sse)] == [
        "rules[].applyServerSideEncryptionByDefault.kmsMasterKeyId"
    ]


# --- key leaves -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "is_key"),
    [
        ("artifactStores[].encryptionKey.id", True),  # CodePipeline: a key given as an object
        ("artifactStores[].encryptionKey.type", False),
        ("policyDetails.schedules[].crossRegionCopyRules[].cmkArn", True),  # DLM
        ("policyDetails.action.crossRegionCopies[].encryptionConfiguration.cmkArn", True),
        ("id", False),
        ("network.id", False),
        ("kmsKeyId", True),
    ],
)
def test_key_leaves(path: str, is_key: bool) -> None:
    assert generator.is_key_leaf(path) is is_key


@pytest.mark.parametrize(
    ("resource_type", "path"),
    [
        ("aws:codepipeline/pipeline:Pipeline", "artifactStores[].encryptionKey.id"),
        ("aws:dlm/lifecyclePolicy:LifecyclePolicy", "policyDetails.schedules[].crossRegionCopyRules[].cmkArn"),
        (
            "aws:dlm/lifecyclePolicy:LifecyclePolicy",
            "policyDetails.action.crossRegionCopies[].encryptionConfiguration.cmkArn",
        ),
    ],
)
def test_the_catalog_lists_the_new_key_paths(resource_type: str, path: str) -> None:
    assert path in {found.path for found in provider_catalog.key_paths(resource_type)}


# --- placements that are not where data lives -----------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "field", "path"),
    [
        ("aws:route53/healthCheck:HealthCheck", "ownPlacement", "regions[]"),
        ("gcp:accesscontextmanager/accessLevelCondition:AccessLevelCondition", "ownPlacement", "regions[]"),
        ("gcp:osconfig/patchDeployment:PatchDeployment", "ownPlacement", "instanceFilter.zones[]"),
        ("gcp:osconfig/guestPolicies:GuestPolicies", "ownPlacement", "assignment.zones[]"),
        ("aws:account/region:Region", "ownPlacement", "regionName"),
        ("aws:notifications/eventRule:EventRule", "ownPlacement", "regions[]"),
        ("aws:lb/targetGroupAttachment:TargetGroupAttachment", "ownPlacement", "availabilityZone"),
        ("aws:alb/targetGroupAttachment:TargetGroupAttachment", "ownPlacement", "availabilityZone"),
    ],
)
def test_removed_placements_stay_listed_with_their_reason(resource_type: str, field: str, path: str) -> None:
    listed = provider_catalog.entry(resource_type)
    assert listed is not None, f"{resource_type}: a type whose paths the overrides removed stays in the catalog"
    assert path not in {found.path for found in (*listed.placement.own, *listed.placement.replica)}
    (removed,) = [change for change in listed.removed if change.path == path]
    assert removed.field == field and len(removed.reason.split()) >= 8


def test_a_cross_region_pipelines_artifact_stores_are_replica_placements() -> None:
    replica = provider_catalog.placement_paths("aws:codepipeline/pipeline:Pipeline").replica
    (store,) = [found for found in replica if found.path == "artifactStores[].region"]
    assert store.from_override


def test_every_override_has_a_reason_and_a_source() -> None:
    for override in json.loads(OVERRIDES.read_text(encoding="utf-8"))["overrides"]:
        assert len(override["reason"].split()) >= 8, override["type"]
        assert override["source"].startswith("https://"), override["type"]
        assert set(override) <= {"type", "add", "remove", "reason", "source"}, override["type"]


def test_finish_keeps_a_type_whose_paths_the_overrides_removed() -> None:
    removal = {"action": "remove", "field": "ownPlacement", "path": "regions[]", "reason": "r"}
    found = {
        "a:b/c:C": {"keyPaths": [], "ownPlacement": [], "replicaPlacement": [], "overrides": [removal]},
        "a:b/d:D": {"keyPaths": [], "ownPlacement": [], "replicaPlacement": []},
    }
    assert list(generator.finish(found)) == ["a:b/c:C"]
