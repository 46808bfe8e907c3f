"""Reading the catalog's data files (``aistacks/catalog/data/*.json``), each once per process."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_data(file_name: str) -> dict[str, Any]:
    """The parsed JSON of the catalog data file ``file_name``."""
    text = resources.files("aistacks.catalog").joinpath("data", file_name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
