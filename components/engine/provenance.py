"""Where an unknown input came from: verbatim a resource's output, or computed.

In a preview, ``bucket.kms_key_id = key.arn`` and ``bucket.kms_key_id = key.arn.apply(lambda _: "alias/aws/s3")``
reach the engine alike: the unknown marker, with the key among the property's dependencies. Only the
first is the key's ARN; the second is whatever the function returns. The guardrails may trust an unknown
value as the output of the resource it comes from only in the first case, so the offline engine records,
per input property path, the resource output an unknown value *is*: the very ``Output`` object a resource
exposes (``key.arn``, ``ring.id``), not one made from it by ``apply``, ``concat``, ``format`` or ``all``.

The Python SDK (``pulumi.runtime.rpc``) serializes a resource's inputs in ``serialize_properties``, which
calls ``serialize_property`` for every value, nested ones included (looked up as module globals, so a
replacement sees them all). Inside :func:`recording`, both are replaced with wrappers:

* ``serialize_property``: an ``Output`` that serializes to the unknown marker and is the attribute of the
  one resource it depends on (the SDK stores a resource's outputs in its ``__dict__``) comes out as a
  unique token naming that resource's URN and output;
* ``serialize_properties`` (for a resource being registered): finds the tokens in the serialized inputs,
  puts the unknown marker back (the engine, the mock cloud and the graph see exactly what they would
  have), and keeps ``{path: (source URN, output name)}`` in the registering task's context, where the
  monitor's ``RegisterResource`` (run with that context by the SDK) reads it with :func:`sources_of`.

A JSON document written with ``Output.json_dumps`` (``{"KmsARN": key.arn, ...}``) is unknown as a whole
when one of its values is; it is still known but for those values, and when each of them is verbatim a
resource's output the document is recorded as a template: its text with a placeholder for each unknown
value, and the source of each (:class:`Template`). ``Output.json_dumps`` is wrapped too, to remember the
object each result is made from; a document computed by ``apply`` (``key.arn.apply(lambda a:
json.dumps(...))``) stays unknown, as the function can return anything.

The wrappers act only in a context inside :func:`recording` (other runs in the process, with or
without their own recording, see the SDK unchanged); the SDK's functions are put back when the last
recording ends. Under the Pulumi CLI there is no such record: the rules then trust no unknown.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import json
import re
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from google.protobuf import struct_pb2
from pulumi.output import Output
from pulumi.runtime import rpc

Source = tuple[str, str]
"""``(URN of the resource, engine name of its output)``."""


class Template(NamedTuple):
    """A JSON document known but for values that are each verbatim a resource's output."""

    text: str
    """The document, with a placeholder string (:data:`HOLE_PREFIX`, a number) where each unknown value is."""
    holes: Mapping[str, Source]
    """Per placeholder, the output it stands for."""


HOLE_PREFIX = "\u0000aistacks-unknown:"
"""How a placeholder of a :class:`Template` starts: no JSON document of a program holds a NUL."""

_TOKEN_PREFIX = f"{rpc.UNKNOWN}#verbatim:"
_RECORDING: contextvars.ContextVar[bool] = contextvars.ContextVar("aistacks_provenance_recording", default=False)
_TOKENS: contextvars.ContextVar[dict[str, Source] | None] = contextvars.ContextVar("aistacks_tokens", default=None)
_TEMPLATE_TOKENS: contextvars.ContextVar[dict[str, Template] | None] = contextvars.ContextVar(
    "aistacks_template_tokens", default=None
)
_REGISTERING: contextvars.ContextVar[tuple[str, str, dict[str, Source], dict[str, Template]] | None] = (
    contextvars.ContextVar("aistacks_registering", default=None)
)
_COUNTER = itertools.count()
_ORIGINAL_PROPERTIES = rpc.serialize_properties
_ORIGINAL_PROPERTY = rpc.serialize_property
_ORIGINAL_JSON_DUMPS = Output.json_dumps
_DOCUMENTS: dict[int, tuple[weakref.ref[Output[str]], Any, dict[str, Any]]] = {}
"""Per ``Output.json_dumps`` result made in a recording (by ``id``): the result, the object and the options."""


class _Patch:
    """The SDK's serializers replaced while at least one recording (of any thread) is under way."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active = 0

    def enter(self) -> None:
        with self._lock:
            if self._active == 0:
                rpc.serialize_properties = _serialize_properties
                rpc.serialize_property = _serialize_property
                Output.json_dumps = staticmethod(_json_dumps)  # pyright: ignore[reportAttributeAccessIssue]
            self._active += 1

    def leave(self) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0:
                rpc.serialize_properties = _ORIGINAL_PROPERTIES
                rpc.serialize_property = _ORIGINAL_PROPERTY
                Output.json_dumps = staticmethod(_ORIGINAL_JSON_DUMPS)  # pyright: ignore[reportAttributeAccessIssue]
                _DOCUMENTS.clear()


_PATCH = _Patch()


@contextlib.contextmanager
def recording() -> Iterator[None]:
    """Record provenance for the resources registered in this context (one program run)."""
    _PATCH.enter()
    token = _RECORDING.set(True)
    try:
        yield
    finally:
        _RECORDING.reset(token)
        _PATCH.leave()


def sources_of(resource_type: str, name: str) -> tuple[dict[str, Source], dict[str, Template]]:
    """For the resource being registered (``RegisterResource``): the verbatim sources of its unknown inputs,
    and the templates of its unknown JSON documents, per input path."""
    registering = _REGISTERING.get()
    if registering is None or registering[:2] != (resource_type, name):
        return {}, {}
    return dict(registering[2]), dict(registering[3])


def _json_dumps(obj: Any, **options: Any) -> Output[str]:
    result = _ORIGINAL_JSON_DUMPS(obj, **options)
    if _RECORDING.get():
        key = id(result)
        _DOCUMENTS[key] = (weakref.ref(result, lambda _: _DOCUMENTS.pop(key, None)), obj, options)
    return result


async def _serialize_properties(inputs: Any, property_deps: Any, resource_obj: Any = None, *args: Any, **kwargs: Any):
    if not _RECORDING.get() or resource_obj is None:
        return await _ORIGINAL_PROPERTIES(inputs, property_deps, resource_obj, *args, **kwargs)
    tokens: dict[str, Source] = {}
    template_tokens: dict[str, Template] = {}
    reset, reset_templates = _TOKENS.set(tokens), _TEMPLATE_TOKENS.set(template_tokens)
    try:
        struct = await _ORIGINAL_PROPERTIES(inputs, property_deps, resource_obj, *args, **kwargs)
    finally:
        _TOKENS.reset(reset)
        _TEMPLATE_TOKENS.reset(reset_templates)
    sources: dict[str, Source] = {}
    templates: dict[str, Template] = {}
    if tokens or template_tokens:
        for key, value in struct.fields.items():
            _untoken(value, key, (tokens, template_tokens), (sources, templates))
    # Deliberately not reset: the registering task's later RegisterResource call reads it.
    _REGISTERING.set((getattr(resource_obj, "_type", ""), getattr(resource_obj, "_name", ""), sources, templates))
    return struct


async def _serialize_property(value: Any, deps: Any, property_key: Any, *args: Any, **kwargs: Any) -> Any:
    result = await _ORIGINAL_PROPERTY(value, deps, property_key, *args, **kwargs)
    tokens = _TOKENS.get()
    if tokens is None or not isinstance(value, Output):
        return result
    secret = isinstance(result, dict) and rpc._special_sig_key in result
    if (result.get("value") if secret else result) != rpc.UNKNOWN:
        return result
    token = f"{_TOKEN_PREFIX}{next(_COUNTER)}"
    source = await _verbatim_source(value)
    if source is not None:
        tokens[token] = source
    else:
        template = await _template(value)
        template_tokens = _TEMPLATE_TOKENS.get()
        if template is None or template_tokens is None:
            return result
        template_tokens[token] = template
    return {**result, "value": token} if secret else token


class _NotATemplate(Exception):
    pass


async def _template(output: Output[Any]) -> Template | None:
    """The template of a document ``Output.json_dumps`` made, when its every unknown value is verbatim an output."""
    document = _DOCUMENTS.get(id(output))
    if document is None or document[0]() is not output:
        return None
    _, obj, options = document
    holes: dict[str, Source] = {}
    try:
        filled = await _fill(obj, holes)
    except _NotATemplate:
        return None
    return Template(json.dumps(filled, **options), holes)


async def _fill(value: Any, holes: dict[str, Source]) -> Any:
    """``value`` with every known output replaced by its value, every unknown one by a placeholder."""
    if isinstance(value, Output):
        data = await value._data
        if data.is_known:
            return await _fill(data.value, holes)
        source = await _verbatim_source(value)
        if source is None:
            raise _NotATemplate
        placeholder = f"{HOLE_PREFIX}{len(holes)}"
        holes[placeholder] = source
        return placeholder
    if isinstance(value, Mapping):
        return {key: await _fill(item, holes) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [await _fill(item, holes) for item in value]
    if hasattr(value, "__await__"):  # an awaitable input: its value is not ours to wait for
        raise _NotATemplate
    return value


async def _verbatim_source(output: Output[Any]) -> Source | None:
    """The resource and output ``output`` is, when it is one resource's own output object."""
    data = await output._data  # what serialize_property itself reads
    if len(data.resources) != 1:
        return None
    (resource,) = data.resources
    name = next((key for key, attribute in vars(resource).items() if attribute is output), None)
    if name is None:
        return None
    urn = await resource.urn.future()
    return (urn, _camel(name)) if urn else None


_Found = tuple[dict[str, Source], dict[str, Template]]


def _untoken(value: struct_pb2.Value, path: str, tokens: _Found, found: _Found) -> None:
    kind = value.WhichOneof("kind")
    if kind == "string_value" and value.string_value.startswith(_TOKEN_PREFIX):
        token = value.string_value
        if token in tokens[0]:
            found[0][path] = tokens[0][token]
        else:
            found[1][path] = tokens[1][token]
        value.string_value = rpc.UNKNOWN
    elif kind == "struct_value":
        fields = value.struct_value.fields
        if rpc._special_sig_key in fields:  # a secret: its value is the property's
            if "value" in fields:
                _untoken(fields["value"], path, tokens, found)
            return
        for key, item in fields.items():
            _untoken(item, f"{path}.{key}", tokens, found)
    elif kind == "list_value":
        for index, item in enumerate(value.list_value.values):
            _untoken(item, f"{path}[{index}]", tokens, found)


def _camel(name: str) -> str:
    """An SDK attribute name as the engine names the output (``key_id`` -> ``keyId``)."""
    return re.sub(r"_([a-z0-9])", lambda match: match.group(1).upper(), name)
