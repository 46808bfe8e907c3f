"""What the validation reports: one thing wrong with the stack config. A leaf, so that every rule module
(:mod:`aistacks.validate`, :mod:`aistacks.deployability`) can make one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConfigIssue:
    """One thing wrong with the stack config: where, the bad value, and what is allowed."""

    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.path} = {self.value!r}: {self.message}"
