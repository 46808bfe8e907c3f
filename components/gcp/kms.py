"""GCP key ring and customer-managed CryptoKey, rotated, in the stack's region."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from aistacks._options import child, stateful_child
from aistacks.plan import GcpPlan

TYPE_TOKEN = "aistacks:gcp:KmsKey"
SECONDS_PER_DAY = 86_400
ENCRYPTER_DECRYPTER = "roles/cloudkms.cryptoKeyEncrypterDecrypter"

ServiceAgent = Literal["storage", "logging", "container", "compute", "aiplatform", "pubsub"]

# Service agents that use a CMEK on the project's behalf, by project number. Sources: GKE docs,
# "Encrypt secrets at the application layer" (container-engine-robot) and "Use customer-managed
# encryption keys (CMEK) in GKE" (compute-system) (read 2026-11-27); Pub/Sub docs, "Configure message
# encryption": "service-${PROJECT_NUMBER}@gcp-sa-pubsub.iam.gserviceaccount.com ... you must grant this
# account the Cloud KMS CryptoKey Encrypter/Decrypter role" (read 2026-12-01).
_AGENT_EMAILS: dict[str, str] = {
    "container": "service-{number}@container-engine-robot.iam.gserviceaccount.com",
    "compute": "service-{number}@compute-system.iam.gserviceaccount.com",
}


@dataclass(frozen=True)
class KmsKeyArgs:
    """Arguments of :class:`KmsKey`."""

    project: str
    """Project of the key ring. Required."""
    location: str
    """Region of the key ring; a CMEK must be in the location of the data it protects. Required."""
    rotation_period_days: int = 90
    """Days between automatic rotations. Default: 90."""
    destroy_scheduled_days: int = 30
    """Days a destroyed key version stays recoverable. Default: 30."""
    hsm: bool = False
    """Keep key material in Cloud HSM (FIPS 140-2 level 3). Default: off (software keys)."""
    protect: bool = True
    """Protect the key ring and key from deletion; retain them if removed from the program. Default: on."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on the key. Default: none."""
    existing_key_id: str | None = None
    """Use this key (``projects/…/locations/<location>/keyRings/…/cryptoKeys/…``) instead of creating a
    key ring and key: nothing is created or granted on it (its owner grants the service agents), and the
    settings above apply to nothing. Default: unset (create them)."""

    @classmethod
    def from_plan(cls, cloud: GcpPlan) -> KmsKeyArgs:
        """The stack key of ``cloud``'s plan, in its region."""
        return cls(
            project=cloud.project,
            location=cloud.region,
            rotation_period_days=cloud.key.rotation_period_days,
            destroy_scheduled_days=cloud.key.deletion_window_days,
            hsm=cloud.key.hsm,
            protect=cloud.protect,
            existing_key_id=cloud.existing_key,
        )


class KmsKey(pulumi.ComponentResource):
    """A key ring and a symmetric CryptoKey with a rotation period, for every store of one stack; or a key
    that exists, which the stack's service agents are granted."""

    key_ring: gcp.kms.KeyRing | None
    """None for an existing key."""
    crypto_key: gcp.kms.CryptoKey | None
    """None for an existing key."""
    key_id: pulumi.Input[str]
    """The key's resource name (``projects/…/cryptoKeys/…``), as CMEK settings take it."""

    def __init__(self, name: str, args: KmsKeyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._project = args.project
        self._agent_grants: dict[ServiceAgent, gcp.kms.CryptoKeyIAMMember] = {}
        if args.existing_key_id is not None:
            self.key_ring, self.crypto_key, self.key_id = None, None, args.existing_key_id
            self.register_outputs({"key_id": self.key_id})
            return
        # Deleting a key ring or key is permanent and its name can never be used again: protect them where it
        # matters. Source: Cloud KMS docs, "Delete Cloud KMS resources" (read 2026-11-30).
        self.key_ring = gcp.kms.KeyRing(
            f"{name}-ring",
            project=args.project,
            location=args.location,
            opts=stateful_child(self, protect=args.protect),
        )
        self.crypto_key = gcp.kms.CryptoKey(
            f"{name}-key",
            key_ring=self.key_ring.id,
            purpose="ENCRYPT_DECRYPT",
            rotation_period=f"{args.rotation_period_days * SECONDS_PER_DAY}s",
            destroy_scheduled_duration=f"{args.destroy_scheduled_days * SECONDS_PER_DAY}s",
            version_template={
                "algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION",
                "protection_level": "HSM" if args.hsm else "SOFTWARE",
            },
            labels=dict(args.labels),
            opts=stateful_child(self, protect=args.protect),
        )
        self.key_id = self.crypto_key.id
        self.register_outputs({"key_id": self.key_id, "key_ring": self.key_ring.id})

    def grant_encrypt_decrypt(self, resource_name: str, member: pulumi.Input[str]) -> gcp.kms.CryptoKeyIAMMember:
        """Let ``member`` (``serviceAccount:…``, ``group:…``) encrypt and decrypt with this key."""
        return gcp.kms.CryptoKeyIAMMember(
            f"{self.pulumi_resource_name}-{resource_name}",
            crypto_key_id=self.key_id,
            role=ENCRYPTER_DECRYPTER,
            member=member,
            opts=child(self),
        )

    def allow_service_agent(self, service: ServiceAgent) -> list[pulumi.Resource]:
        """Let a Google service agent of the stack's project use the key for CMEK, once per service; what
        the agent's use of the key must wait for.

        Every bucket (or log bucket) of the project shares the one grant: a second, identical
        non-authoritative binding would remove the first one's access when it is deleted. A brought key
        gets no grant (none to wait for): its owner grants the agents (README, "Bring your own network and
        key"), as a deployer of a landing zone may not set IAM on its keys.
        """
        if self.crypto_key is None:
            return []
        if service not in self._agent_grants:
            invoke = pulumi.InvokeOptions(parent=self)
            if service == "storage":
                agent = gcp.storage.get_project_service_account_output(project=self._project, opts=invoke)
                member = agent.email_address.apply(lambda email: f"serviceAccount:{email}")
            elif service in ("aiplatform", "pubsub"):
                # These agents exist only once their API made them, and a grant to one that does not yet exist
                # fails ("Service account ... does not exist"): ServiceIdentity makes it now. Sources:
                # pulumi-gcp SDK, vertex.AiIndex CMEK example (read 2026-11-27); hashicorp/terraform-provider-
                # google#9969 (the Pub/Sub agent, read 2026-12-01).
                agent_identity = gcp.projects.ServiceIdentity(
                    f"{self.pulumi_resource_name}-{service}-agent",
                    project=self._project,
                    service=f"{service}.googleapis.com",
                    opts=child(self),
                )
                member = agent_identity.member
            elif service == "logging":
                settings = gcp.logging.get_project_cmek_settings_output(project=self._project, opts=invoke)
                member = settings.service_account_id.apply(lambda email: f"serviceAccount:{email}")
            else:
                number = gcp.organizations.get_project_output(project_id=self._project, opts=invoke).number
                template = _AGENT_EMAILS[service]
                member = number.apply(lambda n: f"serviceAccount:{template.format(number=n)}")
            self._agent_grants[service] = self.grant_encrypt_decrypt(f"{service}-agent", member)
        return [self._agent_grants[service]]
