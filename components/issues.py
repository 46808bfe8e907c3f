"""What the validation reports: one thing wrong with the stack config. A leaf, so that every rule module
(:mod:`aistacks.validate`, :mod:`aistacks.deployability`) can make one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ConfigIssue:
    """One thing wrong with the stack config: where, the bad value, and what is allowed."""

    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        # The value as the stack file's JSON would write it (true, "eu", ["10.0.0.0/8"]); none for a key
        # that is missing or that the problem is not the value of.
        if self.value is None:
            return f"{self.path}: {self.message}"
        return f"{self.path} = {json.dumps(self.value, ensure_ascii=False, default=str)}: {self.message}"
