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
    document = _read_yaml(path)
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
    document = _read_yaml(path)
    raw_config = document.get("config") or {}
    if not isinstance(raw_config, dict):
        raise StackFileError(f"{path}: `config` must be a mapping")
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


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackFileError(f"{path}: no such file") from None
    except yaml.YAMLError as error:
        raise StackFileError(f"{path}: not valid YAML: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path}: the top level must be a mapping")
    return document
