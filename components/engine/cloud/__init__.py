"""The mock cloud: realistic outputs for the resource types and functions of every provider aistacks uses.

One module per provider holds its resource types and functions (``aws``, ``gcp``, ``kubernetes``,
``random``); ``generic`` answers everything else, so that any program plans. Update mode answers
like a provider after a create (ids, ARNs, names, endpoints); preview mode answers like ``pulumi
preview``: the inputs are known, every computed output is unknown.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pulumi.runtime import MockCallArgs, MockResourceArgs, Mocks

from aistacks.engine.cloud import aws, gcp, generic, kubernetes, random
from aistacks.engine.cloud.aws import MissingRegionError
from aistacks.engine.cloud.base import (
    MOCK_AWS_ACCOUNT,
    Called,
    CloudModel,
    Created,
    FunctionHandler,
    Handler,
    project_number,
    stable_uuid,
)
from aistacks.engine.graph import UNKNOWN_SENTINEL

__all__ = [
    "FUNCTION_HANDLERS",
    "MOCK_AWS_ACCOUNT",
    "MODELS",
    "RESOURCE_HANDLERS",
    "MissingRegionError",
    "MockCloud",
    "project_number",
]

MODELS: Mapping[str, CloudModel] = {
    model.package: model for model in (aws.MODEL, gcp.MODEL, kubernetes.MODEL, random.MODEL)
}
"""What the mock cloud models, by package."""
RESOURCE_HANDLERS: Mapping[str, Handler] = {
    token: handler for model in MODELS.values() for token, handler in model.resources.items()
}
"""Every resource type the mock cloud models; any other type is answered by :mod:`.generic`."""
FUNCTION_HANDLERS: Mapping[str, FunctionHandler] = {
    token: handler for model in MODELS.values() for token, handler in model.functions.items()
}
"""Every function the mock cloud models; any other function is answered by :mod:`.generic`."""


def _package(token: str) -> str:
    return token.partition(":")[0]


class MockCloud(Mocks):
    """Pulumi mocks that answer like the clouds do, for the regions the providers name.

    ``generic_types`` and ``generic_functions`` collect what was answered generically, so that a
    plan can say which of its outputs are echoes rather than a model of the cloud."""

    def __init__(self, stack_config: Mapping[str, str], *, preview: bool) -> None:
        self._stack_config = dict(stack_config)
        self._preview = preview
        self._providers: dict[str, dict[str, Any]] = {}
        self.generic_types: set[str] = set()
        self.generic_functions: set[str] = set()

    def _provider_inputs(self, reference: str | None, package: str) -> dict[str, Any]:
        """The explicit provider's inputs, else the default provider's: the stack's ``<package>:*`` config."""
        if reference:
            provider_id = reference.rsplit("::", 1)[-1]
            if provider_id in self._providers:
                return self._providers[provider_id]
        prefix = f"{package}:"
        return {key[len(prefix) :]: value for key, value in self._stack_config.items() if key.startswith(prefix)}

    def _where(self, reference: str | None, package: str, inputs: Mapping[str, Any]) -> tuple[str, str, str]:
        provider = self._provider_inputs(reference, package)
        region = str(inputs.get("region") or provider.get("region") or "")
        accounts = provider.get("allowedAccountIds") or []
        if isinstance(accounts, str):  # provider config arrives JSON-encoded, as the engine sends it
            accounts = json.loads(accounts)
        account = accounts[0] if isinstance(accounts, list) and accounts else MOCK_AWS_ACCOUNT
        project = str(provider.get("project") or "")
        return region, account, project

    def _resource_handler(self, type_token: str) -> Handler:
        model = MODELS.get(_package(type_token))
        handler = model.resources.get(type_token) if model else None
        if handler is None:
            self.generic_types.add(type_token)
            return generic.resource
        return handler

    def _function_handler(self, token: str) -> FunctionHandler:
        model = MODELS.get(_package(token))
        handler = model.functions.get(token) if model else None
        if handler is None:
            self.generic_functions.add(token)
            return generic.function
        return handler

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if args.typ.startswith("pulumi:providers:"):
            provider_id = stable_uuid("provider", args.typ, args.name)
            self._providers[provider_id] = inputs
            return provider_id, inputs
        if not args.custom:
            return None, {}
        handler = self._resource_handler(args.typ)
        if self._preview:
            return None, _with_unknowns(inputs, gcp.PREVIEW_COMPUTED.get(args.typ, ()))
        region, account, project = self._where(args.provider, _package(args.typ), inputs)
        physical_id, outputs = handler(Created(args.typ, args.name, inputs, region, account, project))
        return physical_id, {**inputs, **outputs}

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        region, account, project = self._where(args.provider, _package(args.token), args.args)
        project = str(args.args.get("project") or args.args.get("projectId") or project)
        handler = self._function_handler(args.token)
        return handler(Called(args.token, args.args, region, account, project)), []


def _with_unknowns(inputs: dict[str, Any], paths: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """``inputs`` with each computed ``path`` that lies inside a given block marked unknown, as a preview
    reports it."""
    for path in paths:
        *blocks, leaf = path
        parent: Any = inputs
        for key in blocks:
            parent = parent.get(key) if isinstance(parent, dict) else None
        if isinstance(parent, dict):
            parent[leaf] = UNKNOWN_SENTINEL
    return inputs
