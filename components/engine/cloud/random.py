"""The mock random provider: values that look random and are the same on every run."""

from __future__ import annotations

from typing import Any

from aistacks.engine.cloud.base import CloudModel, Created, digest


def _random_password(c: Created) -> tuple[str, dict[str, Any]]:
    length = int(c.inputs.get("length", 16))
    value = (digest("password", c.name) * 4)[:length]
    return "none", {"result": value, "bcryptHash": "$2a$10$" + digest("bcrypt", c.name)[:53]}


MODEL = CloudModel(package="random", resources={"random:index/randomPassword:RandomPassword": _random_password})
