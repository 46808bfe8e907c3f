"""AIS-ENC-003: OpenSearch Serverless collections encrypt with a customer-managed key."""

from __future__ import annotations

from collections.abc import Sequence

from pulumi_policy import PolicyResource, Severity

from ..framework import Check, Hole, RuleMeta, Unknown, items, read, stack_policy
from ..opensearch import Visits, collections, governing_policies, unknown_policies
from ..requirements import Equals, is_aws_managed_key, names_stack_key, verify_key_reference

META = RuleMeta(
    id="AIS-ENC-003",
    name="OpenSearchCollectionsUseCustomerManagedKeys",
    title="OpenSearch Serverless collections encrypt with a customer-managed key",
    description="Every OpenSearch Serverless collection is covered by an encryption security policy of the "
    "stack that names a customer-managed KMS key (AWSOwnedKey false, KmsARN set), or sets one inline. A "
    "collection takes its key at creation and never changes it.",
    severity=Severity.HIGH,
    remediation="Use aistacks.aws.VectorCollection with the stack's key (the default; "
    "customer_managed_key: false opts out), or add an encryption policy with AWSOwnedKey false and the "
    "key's ARN as KmsARN whose rules name the collection, created before it.",
)
EXPECTED = "an encryption policy with AWSOwnedKey false and KmsARN set to a customer-managed key"


def _check(check: Check, resources: Sequence[PolicyResource]) -> None:
    visits = Visits()
    for collection in collections(resources):
        inline = list(items(collection.props, "encryptionConfigs"))
        if inline:
            for path, _ in inline:
                Equals("awsOwnedKey", False).verify(check, collection, path)
                verify_key_reference(check, collection, f"{path}.kmsKeyArn")
            continue
        name = read(collection.props, "name")
        if isinstance(name, Unknown):
            check.cannot_verify(collection, name, EXPECTED)
            continue
        policies = governing_policies(collection, str(name), resources, "encryption")
        depends_on = {dependency.urn for dependency in collection.dependencies}
        undecided = [p for p in unknown_policies(resources, "encryption") if p.urn not in depends_on]
        if not policies and undecided:
            # An encryption policy unknown at preview may name this collection: nothing decides yet.
            check.cannot_verify(collection, Unknown("encryption policy"), EXPECTED)
        elif not policies:
            check.fail(
                collection,
                "name",
                name,
                EXPECTED,
                "no encryption policy of the stack names this collection: its key is decided outside the "
                "stack, by default an AWS-owned key",
            )
        for governing in policies:
            _verify(check, governing.resource, governing.document, str(name), visits)


def _verify(check: Check, policy: PolicyResource, document: object, name: str, visits: Visits) -> None:
    if isinstance(document, Unknown):
        if not visits.first(policy):
            return
        # Computed by a function (not Output.json_dumps with the key's ARN in it): it can say anything.
        check.cannot_verify(policy, document, EXPECTED)
        return
    for entry in visits.entries_naming(policy, document, name, "encryption"):
        key = entry.get("KmsARN")
        if isinstance(key, Unknown):
            if not (isinstance(key, Hole) and names_stack_key(policy, key)):
                check.cannot_verify(policy, key, EXPECTED)
        elif not key:
            check.fail(
                policy,
                "policy",
                entry,
                EXPECTED,
                "the collection is encrypted with an AWS-owned key the stack cannot rotate, audit or revoke",
            )
        elif is_aws_managed_key(key):
            check.fail(policy, "policy.KmsARN", key, EXPECTED, "an AWS-managed key, not a customer-managed one")


POLICY = stack_policy(META, _check)
