"""What every guardrail shares: metadata, reading engine properties, unknowns, suppressions.

A rule is a plain function over resources, wrapped into a pulumi-policy ``ResourceValidationPolicy``
or ``StackValidationPolicy``. It reports through a :class:`Check`, which

* turns a value unknown during preview into a violation that says it could not be verified
  (pulumi-policy alone would skip the rule with an advisory note), unless it is verbatim the output
  of a resource of the right kind (:func:`flows_from`: only the offline gate knows, from the engine's
  provenance record; under the Pulumi CLI no unknown is trusted);
* applies the rule's suppressions, and reports expired or reasonless ones as violations;
* records a structured :class:`Finding` for every report, which ``aistacks gate`` renders.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import fnmatch
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from aistacks.catalog import known_jurisdictions

# A suppression's reason is judged as every reason is (aistacks.reasons); re-exported for the rules.
from aistacks.reasons import MIN_REASON_WORDS, meaningful_words


@dataclass(frozen=True)
class RuleMeta:
    """What a rule is: a stable id (the pulumi-policy name), a stable PascalCase name (SARIF's rule
    ``name``, such as ``ResourcesStayInAllowedJurisdictions``), a purpose, and how to fix it."""

    id: str
    name: str
    title: str
    description: str
    severity: Severity
    remediation: str
    settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON schemas of the rule's own config properties; each has a ``default``."""

    def config_schema(self) -> PolicyConfigSchema:
        return PolicyConfigSchema(properties={**{k: dict(v) for k, v in self.settings.items()}, **SUPPRESSIONS_SCHEMA})


def jurisdictions_setting(description: str) -> dict[str, Any]:
    """The schema of a list of jurisdiction codes: only those the catalog knows, so that the Pulumi CLI
    (``--policy-pack-config``) rejects ``"EU"`` or ``"mars"`` as the offline gate does."""
    return {
        "type": "array",
        "items": {"type": "string", "enum": known_jurisdictions()},
        "default": [],
        "description": description,
    }


SUPPRESSION_FIELDS = ("resource", "type", "pattern", "max", "reason", "expires")
"""The fields of one suppression; any other is an error."""

SUPPRESSIONS_SCHEMA: dict[str, dict[str, Any]] = {
    "suppressions": {
        "type": "array",
        "description": "Findings of this rule accepted for one resource each, with a reason and an expiry.",
        "items": {
            "type": "object",
            "properties": {
                "resource": {
                    "type": "string",
                    "description": "A URN; a resource name (with type); a glob over URNs or names (with pattern).",
                },
                "type": {"type": "string", "description": "The resource type a name (or pattern) is about."},
                "pattern": {
                    "type": "boolean",
                    "description": "true: resource is a glob that may match several resources (never all).",
                },
                "max": {
                    "type": "integer",
                    "minimum": 1,
                    "description": "With pattern: the most resources it may match; more, and it suppresses nothing.",
                },
                "reason": {"type": "string", "description": f"Why; at least {MIN_REASON_WORDS} different words."},
                "expires": {"type": "string", "description": "YYYY-MM-DD; the suppression ends that day."},
            },
            # A field it does not know (a typo such as "expiry") is a config error: it would be ignored.
            "additionalProperties": False,
            # Completeness is checked by the rule, not the schema: a reasonless or undated
            # suppression is then a reported violation, not a config file the CLI refuses to load.
        },
    }
}


class Subject(Protocol):
    """What a rule sees of a resource: ``ResourceValidationArgs`` and ``PolicyResource`` both fit."""

    @property
    def resource_type(self) -> str: ...
    @property
    def props(self) -> Mapping[str, Any]: ...
    @property
    def urn(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def provider(self) -> PolicyProviderResource | None: ...


# --- reading properties ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Unknown:
    """A value that cannot be known until the update (``pulumi preview``)."""

    path: str


class _Missing:
    def __repr__(self) -> str:
        return "<not set>"


MISSING: Any = _Missing()

_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def read(props: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` (``a.b[0].c``, engine names), :data:`MISSING`, or :class:`Unknown`."""
    current: Any = props
    for name, index in _PATH_PART.findall(path):
        try:
            if index:
                position = int(index)
                if isinstance(current, str) or not isinstance(current, Sequence) or position >= len(current):
                    return MISSING
                current = current[position]
            else:
                if not isinstance(current, Mapping) or name not in current:
                    return MISSING
                current = current[name]
        except UnknownValueError:
            return Unknown(path)
    return current


def read_provider(provider: PolicyProviderResource, path: str) -> Any:
    """The value at ``path`` of a provider's inputs, as :func:`read` reads a resource's, with an object or list
    input that arrives as JSON text read as that object or list. The SDKs send a provider's non-string inputs as
    JSON (``pulumi_aws.Provider``: ``default_tags`` ``.apply(pulumi.runtime.to_json)``; ``pulumi_gcp``'s
    ``default_labels`` alike), and the engine and pulumi-policy pass them on as they are: ``defaultTags`` is
    ``'{"tags": {...}}'``. An input that arrives as an object is read as it is; a scalar stays text (``"false"``)."""
    top = top_level(path)
    value = read(provider.props, top)
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict | list):
            return read({top: decoded}, path)
    return read(provider.props, path)


def items(props: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """``(path[i], value)`` for every element of the list at ``path``; an unknown list yields itself."""
    value = read(props, path)
    if isinstance(value, Unknown):
        yield path, value
    elif isinstance(value, Sequence) and not isinstance(value, str):
        for index in range(len(value)):
            element_path = f"{path}[{index}]"
            yield element_path, read(props, element_path)


def is_set(value: Any) -> bool:
    return value is not MISSING and value is not None and value != "" and not isinstance(value, Unknown)


def top_level(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


Provenance = Mapping[str, Mapping[str, tuple[str, str]]]
"""Per resource URN, per input path: ``(source URN, output name)`` of an unknown value that is verbatim that
resource's output (the offline engine's record, ``ResourceRecord.verbatim_sources``)."""
Templates = Mapping[str, Mapping[str, tuple[str, Mapping[str, tuple[str, str]]]]]
"""Per resource URN, per input path: a JSON document unknown only because values in it are each verbatim a
resource's output, as ``(text with a placeholder per such value, {placeholder: (source URN, output name)})``
(``ResourceRecord.document_templates``)."""

_PROVENANCE: contextvars.ContextVar[Provenance | None] = contextvars.ContextVar("aistacks_provenance", default=None)
_TEMPLATES: contextvars.ContextVar[Templates | None] = contextvars.ContextVar("aistacks_templates", default=None)

KEY_OUTPUTS = frozenset({"arn", "id", "keyId", "name"})
"""The outputs that are a key itself: a KMS key's ARN, ID or key ID, a Cloud KMS key's (or key ring's) ID or name."""
PLACEMENT_OUTPUTS = frozenset({"location", "region", "zone", "id"})
"""The outputs that are where a resource is, or name it (a GCP ID is the full name with the location in it:
a crypto key's ``keyRing`` is the key ring's ``id``)."""


@dataclass(frozen=True)
class Hole(Unknown):
    """A value of a document (:func:`document_template`) unknown until the update that is verbatim ``source``'s
    output, ``(URN, output name)``."""

    source: tuple[str, str]


def flows_from(resource: Subject, path: str | Hole, outputs: Collection[str] | None = None) -> list[PolicyResource]:
    """The resource (a list of one, or none) whose output the unknown value at ``path`` (or the document
    value ``path``) *is*: verbatim, as ``key.arn`` is, not computed from it as ``key.arn.apply(...)`` is,
    which can be anything; with ``outputs``, only when it is one of those outputs. Only the offline gate
    knows (the engine's provenance record); under the Pulumi CLI nothing is known to flow from anything.
    Stack rules only (the engine's property dependencies)."""
    provenance = _PROVENANCE.get()
    if provenance is None or not isinstance(resource, PolicyResource):
        return []
    if isinstance(path, Hole):
        source: tuple[str, str] | None = path.source
        path = path.path
    else:
        source = provenance.get(resource.urn, {}).get(path)
    if source is None or (outputs is not None and source[1] not in outputs):
        return []
    return [r for r in resource.property_dependencies.get(top_level(path), []) if r.urn == source[0]]


def document_template(resource: Subject, path: str) -> Any:
    """The JSON document in the string at ``path``, unknown until the update, as far as it is known: each
    value of it that is verbatim a resource's output is a :class:`Hole` (use :func:`flows_from`), the rest
    is the document. ``None`` when the offline engine recorded no such template (a document computed by
    ``apply`` can be anything; under the Pulumi CLI nothing is recorded)."""
    templates = _TEMPLATES.get()
    template = None if templates is None else templates.get(resource.urn, {}).get(path)
    if template is None:
        return None
    text, holes = template

    def fill(value: Any, where: str) -> Any:
        if isinstance(value, str) and value in holes:
            return Hole(where, holes[value])
        if isinstance(value, dict):
            return {key: fill(item, f"{where}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item, f"{where}[{index}]") for index, item in enumerate(value)]
        return value

    try:
        return fill(json.loads(text), path)
    except ValueError:
        return None


NOT_SET = "not set"
UNKNOWN_IN_PREVIEW = "unknown until the update"


def _in_words(value: Any) -> Any:
    """What JSON shows for ``value``: words for no value, plain objects and lists for pulumi-policy's
    read-only proxies of them (an element unknown in a preview in words)."""
    if isinstance(value, Unknown):
        return UNKNOWN_IN_PREVIEW
    if value is MISSING:
        return NOT_SET
    if isinstance(value, Mapping):
        return {str(key): _element(value, key) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [_element(value, index) for index in range(len(value))]
    return str(value)


def _element(container: Any, key: Any) -> Any:
    try:
        return container[key]
    except UnknownValueError:
        return UNKNOWN_IN_PREVIEW


def literal(value: Any) -> str:
    """``value`` as a JSON literal (``true``, ``null``, ``"eu"``, ``["eu"]``): how every report and message
    shows a value, never as a Python repr (``True``, ``None``, ``['eu']``)."""
    try:
        return json.dumps(value, sort_keys=True, default=_in_words)
    except TypeError:  # keys of several types do not sort
        pass
    except ValueError:  # a circular structure
        return json.dumps(_in_words(value))
    return json.dumps(value, default=_in_words)


def display(value: Any) -> str:
    """A finding's ``actual``: a JSON literal, or in words when there is no value to show."""
    if isinstance(value, Unknown) or value is MISSING:
        return _in_words(value)
    return literal(value)


# --- suppressions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    """A rule's finding accepted for one resource: its URN, or its name and ``type``; or, declared with
    ``pattern``, for the resources a glob over URNs or names matches (of ``type`` when given)."""

    rule_id: str
    resource: str
    reason: str
    expires: dt.date
    type: str | None = None
    pattern: bool = False
    max: int = 1
    """The most resources it may match: 1 unless a pattern says more. The offline gate, which sees every
    resource, refuses one that matches more; a rule under the Pulumi CLI sees one resource at a time."""

    def matches(self, urn: str, name: str, resource_type: str) -> bool:
        if self.type is not None and resource_type != self.type:
            return False
        if self.pattern:
            return fnmatch.fnmatchcase(urn, self.resource) or fnmatch.fnmatchcase(name, self.resource)
        return self.resource == (urn if self.resource.startswith(URN_PREFIX) else name)

    @property
    def is_bare_name(self) -> bool:
        """A name without a type: resources of several types may bear it."""
        return not self.pattern and self.type is None and not self.resource.startswith(URN_PREFIX)


URN_PREFIX = "urn:pulumi:"
_GLOB = re.compile(r"[*?\[]")
_EVERYTHING = ("urn:pulumi:\x01::\x01::\x01::\x01", "\x01")
"""A URN and a name made of a character no resource has: a pattern that matches them matches every resource."""


def parse_suppressions(rule_id: str, raw: Any, today: dt.date) -> tuple[list[Suppression], list[tuple[int, str]]]:
    """The suppressions in force, and ``(index, problem)`` for each one that is not."""
    valid: list[Suppression] = []
    problems: list[tuple[int, str]] = []
    entries = raw if isinstance(raw, list) else []
    if raw is not None and not isinstance(raw, list):
        problems.append((0, "cannot be read: suppressions must be a list of objects"))
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            problems.append((index, "a suppression is an object with resource, reason and expires"))
            continue
        parsed = _suppression(rule_id, entry, today)
        if isinstance(parsed, str):
            problems.append((index, parsed))
        else:
            valid.append(parsed)
    return valid, problems


def _suppression(rule_id: str, entry: Mapping[str, Any], today: dt.date) -> Suppression | str:
    """The suppression ``entry`` writes, or what is wrong with it."""
    unknown = [str(key) for key in entry if key not in SUPPRESSION_FIELDS]
    if unknown:
        return f"has unknown field(s) {', '.join(unknown)}; allowed: {', '.join(SUPPRESSION_FIELDS)}"
    resource, kind, pattern = entry.get("resource"), entry.get("type"), entry.get("pattern", False)
    reason, expires = entry.get("reason"), entry.get("expires")
    if not isinstance(resource, str) or not resource:
        return "names no resource (a URN, a name with its type, or a pattern)"
    if kind is not None and (not isinstance(kind, str) or not kind):
        return f'for {literal(resource)} has type {display(kind)}: a resource type such as "aws:s3/bucket:Bucket"'
    if not isinstance(pattern, bool):
        return f"for {literal(resource)} has pattern {display(pattern)}: true or false"
    if pattern and any(fnmatch.fnmatchcase(probe, resource) for probe in _EVERYTHING):
        return f"for {literal(resource)} is a pattern that matches every resource: name one resource, or a few"
    segments = resource.split("::")
    if pattern and resource.startswith(URN_PREFIX) and (len(segments) != 4 or _GLOB.search("::".join(segments[:3]))):
        return (
            f"for {literal(resource)} is a URN pattern with a wildcard before the name: the stack, project and "
            "type must be written out, only the name may be a pattern"
        )
    limit = entry.get("max", 1)
    # The engine's config arrives as protobuf numbers: 2 may come as 2.0.
    whole = isinstance(limit, int | float) and not isinstance(limit, bool) and float(limit).is_integer()
    if pattern and ("max" not in entry or not whole or limit < 1):
        return (
            f'for {literal(resource)} is a pattern without "max", the most resources it may match (a whole number '
            "from 1): the gate then refuses it if it matches more"
        )
    if not pattern and "max" in entry:
        return f'for {literal(resource)} has "max" but is not a pattern: one resource is named, at most one matched'

    if not pattern and _GLOB.search(resource):
        return (
            f'for {literal(resource)} is a pattern: add "pattern": true to accept that it may match several '
            "resources (the report says how many), or name one resource by its URN or its name and type"
        )
    if not isinstance(reason, str) or len(meaningful_words(reason)) < MIN_REASON_WORDS:
        return f"for {literal(resource)} gives no meaningful reason (at least {MIN_REASON_WORDS} different words)"
    try:
        expiry = dt.date.fromisoformat(str(expires))
    except ValueError:
        return f"for {literal(resource)} has no expiry date (YYYY-MM-DD), got {display(expires)}"
    if expiry < today:
        return f"for {literal(resource)} expired on {expiry.isoformat()}"
    return Suppression(rule_id, resource, reason.strip(), expiry, kind, pattern, int(limit) if pattern else 1)


# --- findings and the check -------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One structured result of a rule, as ``aistacks gate`` reports it."""

    rule_id: str
    severity: str
    urn: str
    resource_type: str
    path: str
    actual: str
    expected: str
    message: str
    suppressed_by: Suppression | None = None


_FINDINGS: contextvars.ContextVar[list[Finding] | None] = contextvars.ContextVar("aistacks_findings", default=None)
_REPORTED_PROBLEMS: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("aistacks_problems", default=None)
_PROCESS_PROBLEMS: set[str] = set()
"""Under the Pulumi CLI the pack serves one deployment per process: say each config problem once."""
_TODAY: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("aistacks_today", default=None)


def collect_findings(
    findings: list[Finding],
    today: dt.date | None = None,
    provenance: Provenance | None = None,
    templates: Templates | None = None,
) -> None:
    """Record every finding of rules run in this context into ``findings`` (the offline gate), whose
    engine recorded ``provenance`` (for :func:`flows_from`) and ``templates`` (:func:`document_template`)."""
    _FINDINGS.set(findings)
    _REPORTED_PROBLEMS.set(set())
    _TODAY.set(today)
    _PROVENANCE.set(provenance)
    _TEMPLATES.set(templates if provenance is not None else None)


def today() -> dt.date:
    """The day the rules judge by: the gate's (``collect_findings``), else the calendar's."""
    return _TODAY.get() or dt.date.today()


class Check:
    """One run of one rule: its settings, suppressions and the way to report."""

    def __init__(self, meta: RuleMeta, raw_config: Mapping[str, Any] | None, report: ReportViolation) -> None:
        self.meta = meta
        config = dict(raw_config or {})
        self.settings: dict[str, Any] = {
            key: config.get(key, schema.get("default")) for key, schema in meta.settings.items()
        }
        self._report = report
        raw_suppressions = config.get("suppressions")
        self.suppressions, problems = parse_suppressions(meta.id, raw_suppressions, today())
        reported = _REPORTED_PROBLEMS.get()
        reported = _PROCESS_PROBLEMS if reported is None else reported
        for index, problem in problems:
            key = f"{meta.id}#{index}:{problem}"
            if key in reported:  # resource rules run once per resource; say it once
                continue
            reported.add(key)
            self._emit(
                Finding(
                    meta.id,
                    meta.severity.value,
                    "",
                    "",
                    f"suppressions[{index}]",
                    display(_entry(raw_suppressions, index)),
                    f"one resource (a URN, a name and type, or a declared pattern), a reason of {MIN_REASON_WORDS}+ "
                    "different words and an expiry date not yet past",
                    f"suppression {index} of {meta.id} {problem}: it suppresses nothing and is itself a violation",
                ),
                suppressible=False,
            )

    def fail(self, resource: Subject, path: str, actual: Any, expected: str, message: str) -> None:
        """Report that ``resource`` breaks the rule at ``path``."""
        self._emit(
            Finding(
                self.meta.id,
                self.meta.severity.value,
                resource.urn,
                resource.resource_type,
                path,
                display(actual),
                expected,
                message,
            )
        )

    def cannot_verify(self, resource: Subject, unknown: Unknown, expected: str) -> None:
        """Report that a value the rule needs is unknown (preview), so the rule cannot pass it."""
        if _PROVENANCE.get() is None:
            why = (
                "a preview under the Pulumi CLI cannot tell which resource an unknown value comes from, "
                "so none is trusted; gate with `aistacks gate --preview`, or after the first update when "
                "the values are known"
            )
        else:
            why = (
                "it is not verbatim the output of a resource that satisfies the rule (a value computed from "
                "one, by apply, concat or format, can be anything)"
            )
        self.fail(
            resource,
            unknown.path,
            unknown,
            expected,
            f"could not verify {unknown.path}: it is unknown until the update and {why}; set the rule to "
            "advisory in the policy config to accept this",
        )

    def fail_stack(
        self, path: str, message: str, *, actual: str = UNKNOWN_IN_PREVIEW, expected: str = "a known value"
    ) -> None:
        """Report a violation that belongs to no single resource (by default: a value unknown until the update)."""
        self._emit(Finding(self.meta.id, self.meta.severity.value, "", "", path, actual, expected, message))

    def _emit(self, finding: Finding, *, suppressible: bool = True) -> None:
        name = _name_of(finding.urn)
        suppression = next(
            (s for s in self.suppressions if suppressible and s.matches(finding.urn, name, finding.resource_type)),
            None,
        )
        findings = _FINDINGS.get()
        if findings is not None:
            findings.append(Finding(**{**finding.__dict__, "suppressed_by": suppression}))
        if suppression is None:
            text = f"{finding.message}\n  at {finding.path}: actual {finding.actual}; expected {finding.expected}"
            self._report(text, finding.urn or None)


def _entry(raw: Any, index: int) -> Any:
    """The suppression a problem is about, as written (the whole value when it is not a list)."""
    return raw[index] if isinstance(raw, list) and 0 <= index < len(raw) else raw


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else ""


# --- wrapping rules into pulumi-policy policies -----------------------------------------------------

ResourceCheck = Callable[[Check, Subject], None]
StackCheck = Callable[[Check, Sequence[PolicyResource]], None]


def _metadata(meta: RuleMeta) -> dict[str, Any]:
    """The keyword arguments every pulumi-policy policy of ours takes from its metadata."""
    return {
        "name": meta.id,
        "description": meta.description,
        "enforcement_level": EnforcementLevel.MANDATORY,
        "config_schema": meta.config_schema(),
        "display_name": meta.title,
        "severity": meta.severity,
        "remediation_steps": meta.remediation,
    }


def _guarded(run: Callable[[], None], check: Check, subject: Subject | None) -> None:
    """A rule that touches an unknown value without :func:`read` must not pass: pulumi-policy would
    turn the escaping error into an advisory note; here it is a violation like any unknown."""
    try:
        run()
    except UnknownValueError as error:
        path = ".".join(str(part) for part in error.props)
        if subject is None:
            check.fail_stack(path, f"could not verify {path}: {error.message}")
        else:
            check.cannot_verify(subject, Unknown(path), "a known value")


def resource_policy(meta: RuleMeta, check: ResourceCheck) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        state = Check(meta, args.get_config(), report)
        _guarded(lambda: check(state, args), state, args)

    return ResourceValidationPolicy(validate=validate, **_metadata(meta))


def stack_policy(meta: RuleMeta, check: StackCheck) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        state = Check(meta, args.get_config(), report)
        _guarded(lambda: check(state, args.resources), state, None)

    return StackValidationPolicy(validate=validate, **_metadata(meta))
