"""Run config: a pydantic model as a step parameter named `config`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Config(BaseModel):
    """Subclass with typed fields; values come from the run's JSON config and are validated
    before the run starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)
