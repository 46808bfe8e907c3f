"""What every provider module of the mock cloud shares: stable made-up values and what a handler is given."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aistacks.engine.names import auto_name, physical_name

MOCK_AWS_ACCOUNT = "111122223333"
"""The account the mock AWS answers for, unless the provider pins ``allowedAccountIds``."""


def digest(*parts: str) -> str:
    """A hex digest of ``parts``: every made-up value derives from one, so two runs agree."""
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def stable_uuid(*parts: str) -> str:
    return str(uuid.UUID(digest(*parts)[:32]))


def project_number(project: str) -> str:
    """A stable 12-digit project number for a GCP project ID."""
    return str(int(digest("project", project)[:12], 16) % 10**12).rjust(12, "1")


@dataclass(frozen=True)
class Created:
    """What a handler knows about one resource being created."""

    type: str
    name: str
    inputs: dict[str, Any]
    region: str
    """The resource's ``region`` input, else its provider's ``region`` (empty when neither names one)."""
    account: str
    project: str

    @property
    def physical_name(self) -> str:
        """The name the provider gives the resource when its name property is unset: Pulumi's auto-name as
        the type's provider makes it (``aistacks.catalog.name_rules``): the logical name, ``-`` and 7
        random-looking (here: stable) hex characters for pulumi-aws and pulumi-gcp, lower-cased or
        prefixed where the provider does so; 8 for pulumi-kubernetes."""
        return auto_name(self.type, self.name)

    def named(self, key: str | None = None) -> str:
        """The name the cloud knows the resource by: its name input (``key``, by default the property its
        type's rule names), else its name prefix and the provider's suffix, else its auto-name."""
        if key is not None:
            value = self.inputs.get(key)
            if isinstance(value, str) and value:
                return value
        return physical_name(self.type, self.name, self.inputs)


@dataclass(frozen=True)
class Called:
    """What a function handler knows about one call (an invoke, such as ``aws.get_region()``)."""

    token: str
    args: Mapping[str, Any]
    region: str
    """The call's ``region`` argument, else its provider's ``region`` (empty when neither names one)."""
    account: str
    project: str
    """The call's ``project`` (or ``projectId``) argument, else its provider's ``project``."""

    @property
    def number(self) -> str:
        return project_number(self.project) if self.project else ""


Handler = Callable[[Created], tuple[str, dict[str, Any]]]
"""A resource type's answer to a create: its physical ID and its outputs (merged over the inputs)."""
FunctionHandler = Callable[[Called], dict[str, Any]]
"""A function's answer to a call."""


@dataclass(frozen=True)
class CloudModel:
    """What the mock cloud models of one package: the resource types and the functions it answers."""

    package: str
    resources: Mapping[str, Handler]
    functions: Mapping[str, FunctionHandler] = field(default_factory=dict)
