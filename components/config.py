"""Reading the ``aistacks:platform`` stack config into a valid :class:`PlatformSpec`, with clear errors:
shape and types by the models (:mod:`aistacks.spec`), then every semantic rule (:mod:`aistacks.validate`)."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from aistacks.spec import PATTERN_NAMES, SLUG_PATTERN, PlatformSpec, Slug
from aistacks.validate import DEFAULT_PROVIDER_REGION_KEYS, ConfigIssue, semantic_issues
from aistacks.vocabulary import TIERS

CONFIG_NAMESPACE = "aistacks"
CONFIG_KEY = "platform"
CONFIG_PATH = f"{CONFIG_NAMESPACE}:{CONFIG_KEY}"


class ConfigError(pulumi.RunError):
    """The stack config is invalid. A ``RunError``, so ``pulumi up`` prints the message, not a trace."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"invalid stack config ({len(self.issues)} problem(s)):\n{lines}")


def parse_platform_spec(
    raw: Any, root: str = CONFIG_PATH, stack_config: Mapping[str, str] | None = None, stack: str | None = None
) -> PlatformSpec:
    """Validate ``raw`` (the config value: a mapping, or its JSON text) into a spec of the stack ``stack``.

    Types are checked strictly: ``"yes"`` is not a boolean and ``"3"`` is not a number.
    Raises :class:`ConfigError` naming every structural problem (unknown keys, types, values) at
    once; the rules that relate fields to each other run once the structure is valid. The stack's name
    becomes ``stack_name`` (the physical names) unless the config sets one; without ``stack``, the spec is
    named as a stack named after its tier.
    """
    try:
        text = raw if isinstance(raw, str) else json.dumps(raw)
    except (TypeError, ValueError, RecursionError) as error:  # a value JSON has no type for (bytes, a date), a cycle
        allowed = "text, numbers, booleans, null, lists and objects"
        raise ConfigError([ConfigIssue(root, None, f"not JSON data ({error}); allowed: {allowed}")]) from None
    try:
        spec = PlatformSpec.model_validate_json(text, strict=True)
    except ValidationError as error:
        raise ConfigError(_as_written([_issue(detail, root) for detail in error.errors()], text, root)) from None
    issues = [] if stack is None else _stack_name_issues(spec, stack, root)
    if not issues and stack is not None and spec.stack_name is None:
        spec = spec.model_copy(update={"stack_name": stack})
    issues += semantic_issues(spec, root, stack_config)
    if issues:
        raise ConfigError(_as_written(issues, text, root))
    return spec


_SLUG = TypeAdapter(Slug)


def _stack_name_issues(spec: PlatformSpec, stack: str, root: str) -> list[ConfigIssue]:
    """A stack named after a tier that is another tier, and a stack name the physical names cannot take."""
    issues: list[ConfigIssue] = []
    if stack in TIERS and stack != spec.environment:
        issues.append(
            ConfigIssue(
                f"{root}.environment",
                spec.environment,
                f"the stack is named {json.dumps(stack)}, a tier, but its environment is another tier: a stack named "
                f"after a tier must be that tier, or its resources would be taken for the {stack} ones; set "
                f"environment: {stack}, or give the stack another name (such as {spec.environment}-{stack}-copy)",
            )
        )
    if spec.stack_name is None:
        try:
            _SLUG.validate_python(stack)
        except ValidationError:
            issues.append(
                ConfigIssue(
                    f"{root}.stack_name",
                    None,
                    f"the stack's name {stack!r} cannot be the stack part of physical names (allowed form: "
                    f"{PATTERN_NAMES[SLUG_PATTERN]}); set stack_name to one that can",
                )
            )
    return issues


ONE_OR_MANY = ("vector",)
"""Keys that take one object or a list; the spec always holds a list."""


def _as_written(issues: list[ConfigIssue], text: str, root: str) -> list[ConfigIssue]:
    """Name a key given as one object without the list index the spec gave it (``vector``, not ``vector[0]``)."""
    try:
        written = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python's JSON reader goes
        return issues
    singles = [key for key in ONE_OR_MANY if isinstance(written, dict) and isinstance(written.get(key), dict)]
    for key in singles:
        listed = f"{root}.{key}[0]"
        issues = [
            ConfigIssue(f"{root}.{key}{issue.path[len(listed) :]}", issue.value, issue.message)
            if issue.path == listed or issue.path.startswith((f"{listed}.", f"{listed}["))
            else issue
            for issue in issues
        ]
    return issues


def load_platform_spec() -> PlatformSpec:
    """The spec of the running stack, from ``aistacks:platform`` in ``Pulumi.<stack>.yaml``."""
    raw = pulumi.Config(CONFIG_NAMESPACE).get(CONFIG_KEY)
    if raw is None:
        raise ConfigError(
            [ConfigIssue(CONFIG_PATH, None, "required: an object with at least `environment` and `jurisdiction`")]
        )
    if pulumi.runtime.is_config_secret(CONFIG_PATH) and not _is_json(raw):
        raise undecrypted_secret_error()
    stack_config = {
        key: value
        for key in DEFAULT_PROVIDER_REGION_KEYS
        if (value := pulumi.Config(key.split(":")[0]).get(key.split(":")[1])) is not None
    }
    return parse_platform_spec(raw, stack_config=stack_config, stack=pulumi.get_stack())


def undecrypted_secret_error() -> ConfigError:
    """``aistacks:platform`` is a ``secure:`` value the program sees undecrypted: the offline engine (``aistacks
    plan``, ``aistacks gate``) has no key to decrypt secrets."""
    message = (
        "is a secret (secure:) in the stack file, which the offline engine cannot decrypt (it has no secrets "
        "provider); the value holds settings, names and CIDRs, not secrets: write it in clear"
    )
    return ConfigError([ConfigIssue(CONFIG_PATH, None, message)])


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


REPLACED_KEYS: dict[str, str] = {
    "public_endpoint": "replaced by api_endpoint: public (reachable from anywhere), restricted (a public "
    "endpoint that admits only api_access_cidrs), dns (GKE's IAM-gated DNS endpoint) or private",
}
"""Keys an earlier release read, and what replaced them."""


def _issue(detail: ErrorDetails, root: str) -> ConfigIssue:
    # A dict key that fails validation is reported at (..., key, "[key]"): name the key itself.
    is_key = bool(detail["loc"]) and detail["loc"][-1] == "[key]"
    loc = detail["loc"][:-1] if is_key else detail["loc"]
    path = root + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)
    if detail["type"] == "extra_forbidden":
        replaced = REPLACED_KEYS.get(str(loc[-1])) if loc else None
        if replaced is not None:
            return ConfigIssue(path, detail["input"], replaced)
        allowed = _allowed_keys(loc[:-1])
        return ConfigIssue(path, detail["input"], f"unknown key; allowed keys here: {', '.join(allowed)}")
    if detail["type"] == "json_invalid":
        return ConfigIssue(root, None, f"not valid JSON: {detail['msg']}")
    message = detail["msg"].removeprefix("Value error, ")
    if detail["type"] == "missing":
        choices = _literal_choices(loc)
        allowed = f"; allowed: {', '.join(choices)}" if choices else ""
        return ConfigIssue(path, None, f"required key is missing{allowed}")
    if detail["type"] == "string_pattern_mismatch":
        message = _pattern_message(detail)
    if is_key:
        return ConfigIssue(path, detail["input"], f"invalid key: {message}")
    return ConfigIssue(path, detail["input"], message)


def _pattern_message(detail: ErrorDetails) -> str:
    """A value that does not match its field's pattern, said in words (``slug (2 to 20 …)``), not as a regex."""
    context = detail.get("ctx") or {}
    name = PATTERN_NAMES.get(str(context.get("pattern", "")))
    if name is None:
        return detail["msg"]
    return f"not in the allowed form: {name}"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model at ``loc`` (a pydantic error location), if the location is inside one."""
    model: type[BaseModel] | None = PlatformSpec
    for part in loc:
        if model is None:
            break
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = _model_in(field.annotation) if field is not None else None
    return model


def _allowed_keys(loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model at ``loc`` accepts."""
    model = _model_at(loc)
    return sorted(model.model_fields) if model is not None else []


def _literal_choices(loc: tuple[int | str, ...]) -> list[str]:
    """The values a ``Literal`` field at ``loc`` takes (``dev``, ``staging``, ``prod``), else none."""
    model = _model_at(loc[:-1])
    field = model.model_fields.get(str(loc[-1])) if model is not None and loc else None
    if field is None or typing.get_origin(field.annotation) is not typing.Literal:
        return []
    return [str(choice) for choice in typing.get_args(field.annotation)]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation such as ``X | None`` or ``tuple[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            found = _model_in(argument)
            if found is not None:
                return found
    return None
