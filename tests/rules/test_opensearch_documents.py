"""The OpenSearch Serverless policy documents aistacks.aws.opensearch writes are the ones AIS-ENC-003 and
AIS-NET-003 read: each names exactly its collection (``policies/opensearch.py``).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aistacks.aws.opensearch import encryption_policy, network_policy
from aistacks.policies.opensearch import names_collection

from .fixtures import KEY_ARN, VPCE

names = st.from_regex(r"[a-z][a-z0-9-]{2,31}", fullmatch=True)


@given(name=names, other=names)
def test_the_components_policies_name_exactly_their_collection(name: str, other: str) -> None:
    for entry in [encryption_policy(name, KEY_ARN), *network_policy(name, VPCE), *network_policy(name, None)]:
        assert names_collection(entry, name)
        assert names_collection(entry, other) == (other == name)
