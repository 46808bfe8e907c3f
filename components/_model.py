"""The base of every config model."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Unknown keys are errors (typos must not pass silently) and a parsed spec is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
