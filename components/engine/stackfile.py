"""The project file and stack files, read the way the Pulumi CLI reads them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT_FILE = "Pulumi.yaml"


class StackFileError(Exception):
    """A project or stack file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Project:
    name: str
    root: Path
    main: Path
    """The folder of the program (``main`` in ``Pulumi.yaml``), holding ``__main__.py``."""
    stack_config_dir: Path

    @property
    def program(self) -> Path:
        return self.main / "__main__.py"

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Every stack with a ``Pulumi.<stack>.yaml`` in the stack config folder, sorted."""
        return sorted(path.name[len("Pulumi.") : -len(".yaml")] for path in self.stack_config_dir.glob("Pulumi.*.yaml"))


def load_project(root: Path) -> Project:
    """Read ``root/Pulumi.yaml``; relative ``main`` and ``stackConfigDir`` are resolved against ``root``."""
    path = root / PROJECT_FILE
    document = read_yaml_file(path)
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise StackFileError(f"{path}: `name` must be a non-empty string")
    main = root / str(document.get("main") or ".")
    config_dir = root / str(document.get("stackConfigDir") or ".")
    return Project(name=name, root=root, main=main, stack_config_dir=config_dir)


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` that holds a ``Pulumi.yaml``."""
    for folder in [start, *start.parents]:
        if (folder / PROJECT_FILE).is_file():
            return folder
    raise StackFileError(f"no {PROJECT_FILE} in {start} or any folder above it")


@dataclass(frozen=True)
class StackFile:
    name: str
    """The stack name, from the file name ``Pulumi.<name>.yaml``."""
    config: dict[str, Any]
    """Config values with namespaced keys (``aistacks:platform``, ``aws:region``)."""
    secret_keys: frozenset[str]


def load_stack_file(path: Path, project_name: str) -> StackFile:
    """Read a stack file. Keys without a namespace belong to the project, as in the Pulumi CLI."""
    stem = path.name
    if not (stem.startswith("Pulumi.") and stem.endswith((".yaml", ".yml"))):
        raise StackFileError(f"{path}: a stack file is named Pulumi.<stack>.yaml")
    name = stem[len("Pulumi.") :].rsplit(".", 1)[0]
    document = read_yaml_file(path)
    raw_config = document.get("config")
    if raw_config is None:
        raw_config = {}
    if not isinstance(raw_config, dict):
        raise StackFileError(f"{path}: config is {_kind(raw_config)}; allowed: a mapping of config keys to values")
    config: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for key, value in raw_config.items():
        full_key = key if ":" in str(key) else f"{project_name}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            secret_keys.add(full_key)
        config[full_key] = value
    return StackFile(name=name, config=config, secret_keys=frozenset(secret_keys))


def runtime_config(stack: StackFile) -> dict[str, str]:
    """Config as the language host hands it to a program: strings, objects and lists as JSON.

    A ``secure:`` value cannot be decrypted offline; the program sees a placeholder string.
    """
    result: dict[str, str] = {}
    for key, value in stack.config.items():
        if key in stack.secret_keys:
            result[key] = "[secret: not decrypted offline]"
        elif isinstance(value, str):
            result[key] = value
        elif isinstance(value, bool):
            result[key] = "true" if value else "false"
        elif isinstance(value, int | float):
            result[key] = str(value)
        else:
            result[key] = json.dumps(value)
    return result


class StrictLoader(yaml.SafeLoader):
    """YAML as a stack file or ``Pulumi.yaml`` may be written: ``yaml.SafeLoader`` that refuses aliases
    (``*name``: a few of them nested expand to gigabytes, and no stack file needs one) and duplicate keys
    (YAML loaders keep the last one silently, so ``environment: dev`` then ``environment: prod`` would plan
    prod). Problems are raised as :class:`StackFileError` by :func:`read_yaml_file`."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:  # pyright: ignore[reportIncompatibleMethodOverride]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _YamlProblem(
                f"line {event.start_mark.line + 1}: YAML aliases (*{event.anchor}) are not accepted in "
                "stack and project files; write the value out in full"
            )
        return super().compose_node(parent, index)  # pyright: ignore[reportArgumentType]


class _YamlProblem(Exception):
    """A problem :class:`StrictLoader` found; the reader adds the file name."""


JSON_TAGS = frozenset(f"tag:yaml.org,2002:{kind}" for kind in ("str", "int", "float", "bool", "null", "seq", "map"))
"""The YAML types a config value can be: JSON's. A date (``2024-01-01``, YAML's timestamp) is read as its
text, as the Pulumi CLI reads it; any other tag (``!!binary``, ``!!set``, ``!!omap``, ``<<`` merges, custom
tags) is an error."""
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"


def _check_tag(node: yaml.Node, path: str) -> None:
    """``node`` is of a JSON type; a date becomes text (its constructor then reads it as a string)."""
    if node.tag == TIMESTAMP_TAG:
        node.tag = "tag:yaml.org,2002:str"
    if node.tag not in JSON_TAGS:
        raise _YamlProblem(
            f"{path or 'the document'}: {node.tag} on line {node.start_mark.line + 1} is not accepted in stack and "
            "project files; allowed: text, numbers, booleans, null, lists and mappings"
        )


def _check_keys(node: yaml.Node, path: str) -> None:
    """Every mapping in ``node`` has distinct keys and every value a JSON type (:data:`JSON_TAGS`); ``path`` is
    where ``node`` sits (``config.aistacks:platform``)."""
    _check_tag(node, path)
    if isinstance(node, yaml.MappingNode):
        seen: dict[object, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            line = key_node.start_mark.line + 1
            where = f"{path}.{key}" if path else str(key)
            _check_tag(key_node, where)
            if key in seen:
                raise _YamlProblem(
                    f"{where}: duplicate key {json.dumps(key)} on line {line} (first on line {seen[key]}); YAML would "
                    "keep only the last value silently; allowed: each key once per mapping"
                )
            seen[key] = line
            _check_keys(value_node, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_keys(item, f"{path}[{index}]")


def parse_yaml(text: str) -> Any:
    """The document in ``text``, read by :class:`StrictLoader`; raises :class:`_YamlProblem` or ``yaml.YAMLError``."""
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_keys(node, "")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def read_yaml_file(path: Path) -> dict[str, Any]:
    """A stack file or ``Pulumi.yaml``: UTF-8 YAML whose top level is a mapping, read strictly
    (:class:`StrictLoader`); anything else is a :class:`StackFileError` that names the file and the problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise StackFileError(f"{path}: a folder, not a file") from None
    except OSError as error:
        raise StackFileError(f"{path}: cannot be read: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise StackFileError(
            f"{path}: not UTF-8 text (byte 0x{byte:02x} at offset {error.start}); a stack file is YAML in UTF-8"
        ) from None
    try:
        document = parse_yaml(text)
    except _YamlProblem as problem:
        raise StackFileError(f"{path}: {problem}") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    except RecursionError:
        raise StackFileError(f"{path}: nested too deeply to read; a stack file is a few levels deep") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path}: the top level is {_kind(document)}; allowed: a mapping (`config:` and its keys)")
    return document


def _kind(value: object) -> str:
    """What a YAML value is, in words."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"a {type(value).__name__}"
