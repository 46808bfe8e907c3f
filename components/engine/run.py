"""Run a Pulumi program for one stack file in Pulumi's mock runtime and record its resource graph.

No Pulumi CLI, no plugins, no credentials: the program runs in this process against
:class:`~aistacks.engine.cloud.MockCloud`, the way the Python language host would run it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import os
import runpy
import sys
import sysconfig
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack

from aistacks.engine.cloud import MissingRegionError, MockCloud
from aistacks.engine.collector import collector_paused
from aistacks.engine.graph import ResourceGraph, ResourceRecord, display_value
from aistacks.engine.progress import RunObserver
from aistacks.engine.provenance import recording, sources_of
from aistacks.engine.stackfile import (
    PROJECT_FILE,
    Project,
    StackFile,
    StackFileError,
    load_stack_file,
    runtime_config,
)
from aistacks.netplan import AddressPlanError

PROVIDER_PREFIX = "pulumi:providers:"
DISABLE_DEFAULT_PROVIDERS = "pulumi:disable-default-providers"


class DefaultProviderDisabledError(Exception):
    """A resource would use a default provider that the stack config disables."""


class DuplicateUrnError(Exception):
    """Two resources registered the same URN, which the Pulumi engine refuses before it changes anything."""


class ProgramError(Exception):
    """The program under test raised an exception that is not a config error (see :data:`INPUT_ERRORS`).

    The message names the exception's type and message, the program file, and where it was raised (the
    innermost frame outside the Pulumi SDK and the standard library's runners, and the program's own, when the
    traceback holds them: an exception raised in an ``apply`` may reach the run with a traceback of the SDK
    only); the exception itself is ``error`` (and ``__cause__``), with its traceback.
    """

    def __init__(self, program: Path, error: BaseException) -> None:
        self.program = program
        self.error = error
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _reportable(frame.filename)]
        folder = program.parent.resolve()
        own = [frame for frame in frames if Path(frame.filename).resolve().is_relative_to(folder)]
        where = []
        if frames:
            where.append(f"raised at {frames[-1].filename}:{frames[-1].lineno}")
        if own and own[-1] is not frames[-1]:
            where.append(f"from {own[-1].filename}:{own[-1].lineno}")
        detail = str(error).strip() or "(no message)"
        located = f" ({', '.join(where)})" if where else ""
        super().__init__(f"{program}: the program failed: {type(error).__name__}: {detail}{located}")


_NOT_REPORTED = (sysconfig.get_paths()["stdlib"], str(Path(__file__).parent))


def _reportable(filename: str) -> bool:
    """A frame of the program or a library it uses, not of the SDK, the standard library or this engine."""
    return not (filename.startswith("<") or "site-packages" in filename or filename.startswith(_NOT_REPORTED))


INPUT_ERRORS: tuple[type[BaseException], ...] = (
    pulumi.RunError,
    StackFileError,
    DefaultProviderDisabledError,
    MissingRegionError,
    AddressPlanError,
)
"""Exceptions of a program run that the stack config or project causes: a ``pulumi.RunError`` (the SDK's
``ConfigMissingError`` and ``ConfigTypeError``, aistacks' ``ConfigError``), a project or stack file that
cannot be used, a disabled default provider, a provider without a region, address ranges that do not
hold the subnets asked of them (``AddressPlanError``). Anything else a program raises
is the program's failure (:class:`ProgramError`)."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock resource monitor, recording every registration as the engine receives it."""

    def __init__(
        self,
        mocks: MockCloud,
        graph: ResourceGraph,
        stack_config: dict[str, str],
        observer: RunObserver | None = None,
    ) -> None:
        super().__init__(mocks)
        self.graph = graph
        self._observer = observer
        self._stack_config = stack_config
        self._disabled = _disabled_default_providers(stack_config)
        self._default_providers: dict[str, str] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine makes them: the parent's qualified type, except the stack's, prefixes the type."""
        if parent:
            parent_type = parent.split("::")[2]
            if not parent_type.startswith("pulumi:pulumi:Stack"):
                type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.graph.stack}::{self.graph.project}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:
        # A provider reference is "<provider URN>::<provider ID>".
        provider = request.provider.rsplit("::", 1)[0] if request.provider else None
        if request.custom and not provider and not request.type.startswith(PROVIDER_PREFIX):
            provider = self._default_provider(request.type.split(":", 1)[0], request.version, request.type)
        response = super().RegisterResource(request)
        if self.graph.get(response.urn) is not None:
            # The engine refuses the whole update: "Duplicate resource URN '<urn>'; try giving it a unique name".
            raise DuplicateUrnError(
                f"duplicate resource URN {response.urn}: two resources of type {request.type} "
                f"named {request.name!r} under the same parent; give each a unique name"
            )
        verbatim_sources, document_templates = sources_of(request.type, request.name)
        self.graph.add(
            ResourceRecord(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=request.custom,
                parent=request.parent or None,
                provider=provider,
                inputs=json_format.MessageToDict(request.object),
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                # The SDK sends these from sets: sorted, so that two runs record the same graph.
                depends_on=sorted(request.dependencies),
                property_dependencies={
                    key: sorted(value.urns) for key, value in sorted(request.propertyDependencies.items())
                },
                verbatim_sources=verbatim_sources,
                document_templates=document_templates,
            )
        )
        if self._observer is not None:
            self._observer.registered()
        return response

    def Invoke(self, request: Any) -> Any:
        package = request.tok.split(":", 1)[0]
        if not request.provider and package != "pulumi" and (package in self._disabled or "*" in self._disabled):
            raise DefaultProviderDisabledError(
                f"Default provider for '{package}' disabled. '{request.tok}' must use an explicit provider."
            )
        return super().Invoke(request)

    def RegisterResourceOutputs(self, request: Any) -> Any:
        record = self.graph.get(request.urn)
        if record is not None:
            record.outputs = display_value(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)

    def _default_provider(self, package: str, version: str, resource_type: str) -> str:
        """The URN of the default provider the engine would create for ``package``, recorded once."""
        if package in self._disabled or "*" in self._disabled:
            raise DefaultProviderDisabledError(
                f"Default provider for '{package}' disabled. '{resource_type}' must use an explicit provider."
            )
        key = f"{package}@{version}"
        if key not in self._default_providers:
            suffix = "default_" + version.replace(".", "_") if version else "default"
            urn = self.make_urn("", f"{PROVIDER_PREFIX}{package}", suffix)
            prefix = f"{package}:"
            inputs: dict[str, Any] = {
                k[len(prefix) :]: v for k, v in self._stack_config.items() if k.startswith(prefix)
            }
            if version:
                inputs["version"] = version
            self.graph.add(
                ResourceRecord(
                    urn=urn,
                    type=f"{PROVIDER_PREFIX}{package}",
                    name=suffix,
                    custom=True,
                    parent=None,
                    provider=None,
                    inputs=inputs,
                )
            )
            self._default_providers[key] = urn
        return self._default_providers[key]


class ObservedEngine(pulumi_mocks.MockEngine):
    """The SDK's mock engine, handing the program's warnings (``pulumi.log.warn``) to ``observer``: the
    ``aistacks`` command prints them as ``aistacks: warning: ...``. Without an observer, and for the other
    severities, they go to the ``aistacks.engine`` logger, as the SDK's mock engine does."""

    def __init__(self, observer: RunObserver | None) -> None:
        super().__init__(logging.getLogger("aistacks.engine"))
        self._observer = observer

    def Log(self, request: Any) -> None:
        if self._observer is not None and request.severity == engine_pb2.WARNING:
            self._observer.warning(request.message)
        else:
            super().Log(request)


def _disabled_default_providers(stack_config: dict[str, str]) -> frozenset[str]:
    raw = stack_config.get(DISABLE_DEFAULT_PROVIDERS)
    if not raw:
        return frozenset()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise StackFileError(
            f"{DISABLE_DEFAULT_PROVIDERS} = {json.dumps(value)}: must be a list of package names, such as "
            '["aws"] or ["*"]'
        )
    return frozenset(value)


def run_program(
    project: Project,
    stack: StackFile,
    *,
    preview: bool = False,
    wrap_program_errors: bool = False,
    observer: RunObserver | None = None,
) -> ResourceGraph:
    """Run ``project``'s program for ``stack`` and return the resources it registered.

    A project without its program (``__main__.py`` in ``main``) is a :class:`StackFileError`.
    Exceptions of the program (a config error, say) propagate unchanged; with ``wrap_program_errors``,
    those not in :data:`INPUT_ERRORS` are raised as a :class:`ProgramError` (from the original), as the
    ``aistacks`` command reports them. Each run happens in a fresh copy of the Pulumi runtime's context,
    so runs in one process do not see each other, and with the cyclic garbage collector paused (see
    :mod:`aistacks.engine.collector`). An ``observer`` hears of each registration and each warning the
    program logs (``pulumi.log.warn``) as they happen; without one, warnings go to the ``aistacks.engine``
    logger.
    """
    with collector_paused():
        return contextvars.copy_context().run(_run, project, stack, preview, wrap_program_errors, observer)


def run_stack_file(
    project: Project, stack_file: Path, *, preview: bool = False, wrap_program_errors: bool = False
) -> ResourceGraph:
    """:func:`run_program` for the stack file at ``stack_file``."""
    stack = load_stack_file(stack_file, project.name)
    return run_program(project, stack, preview=preview, wrap_program_errors=wrap_program_errors)


def _run(
    project: Project, stack: StackFile, preview: bool, wrap_program_errors: bool, observer: RunObserver | None
) -> ResourceGraph:
    if not project.program.is_file():
        raise StackFileError(
            f"{project.root / PROJECT_FILE}: no program to run: {project.program} does not exist "
            f"(`main` in {PROJECT_FILE} names the folder of the program's __main__.py; default: the project folder)"
        )
    config = runtime_config(stack)
    graph = ResourceGraph(project=project.name, stack=stack.name, preview=preview)
    cloud = MockCloud(config, preview=preview)
    monitor = RecordingMonitor(cloud, graph, config, observer)
    pulumi_settings.ROOT.set(None)
    set_all_config(config, sorted(stack.secret_keys))
    # Fresh settings (not MockSettings, which keeps the process-wide set of pending outputs, so a
    # failed run would leak its tasks into the next one).
    settings = pulumi_settings.Settings(
        monitor=monitor,
        engine=ObservedEngine(observer),
        project=project.name,
        stack=stack.name,
        dry_run=preview,
        organization="organization",
        root_directory=str(project.root),
    )
    features = set(monitor.GetDeploymentInfo(None).supportedFeatures)
    settings.monitor_features = features  # pyright: ignore[reportAttributeAccessIssue] - SDK typing of contextproperty
    pulumi_settings.configure(settings)
    program = project.program
    # A loop of its own, closed afterwards: the program's outputs and RPCs all run on it. The SDK
    # calls the monitor from executor threads, each of which needs a loop of its own (it runs
    # coroutines to completion there); they are made here so that they can be closed here.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    thread_loops: list[asyncio.AbstractEventLoop] = []

    def give_thread_a_loop() -> None:
        thread_loops.append(asyncio.new_event_loop())
        asyncio.set_event_loop(thread_loops[-1])

    loop.set_default_executor(ThreadPoolExecutor(initializer=give_thread_a_loop))
    try:
        # Provenance (which unknown inputs are verbatim another resource's output) for the rules in preview.
        with _program_environment(project.main), recording():
            loop.run_until_complete(run_in_stack(lambda: _run_path(program)))
    except INPUT_ERRORS:
        loop.set_exception_handler(_quiet_about_unretrieved)
        raise
    except Exception as error:
        loop.set_exception_handler(_quiet_about_unretrieved)
        if not wrap_program_errors:
            raise
        raise ProgramError(program, error) from error
    finally:
        # A failed program leaves registrations in flight; end them before the loop goes.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_default_executor())
        for thread_loop in thread_loops:
            thread_loop.close()
        loop.close()
        asyncio.set_event_loop(None)
    graph.generic_types = set(cloud.generic_types)
    graph.generic_functions = set(cloud.generic_functions)
    return graph


def _quiet_about_unretrieved(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The exception handler of a failed run's loop. The outputs that depended on the failure hold its
    exception too, and asyncio logs each, traceback and all, when it collects them ("Future exception was
    never retrieved"): the one failure, repeated. It is raised once, so those are dropped."""
    if str(context.get("message", "")).endswith("exception was never retrieved"):
        return
    loop.default_exception_handler(context)


def _run_path(program: Path) -> None:
    runpy.run_path(str(program), run_name="__main__")


@contextlib.contextmanager
def _program_environment(main: Path) -> Iterator[None]:
    """Run as the language host does: in the program's folder, with that folder importable."""
    previous_cwd = Path.cwd()
    sys.path.insert(0, str(main))
    os.chdir(main)
    try:
        yield
    finally:
        os.chdir(previous_cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(str(main))
