"""Sales REST shapes beyond the generated record models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StageTotal(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str
    position: int | None = Field(default=None, description="The stage's place in the pipeline")
    probability: int | None = None
    outcome: str | None = Field(default=None, description="open, won or lost")
    count: int = Field(description="Open opportunities you can see in this stage")
    #: Sum of amounts per currency code ("" for opportunities without a currency).
    amounts: dict[str, str] = Field(default_factory=dict)
    weighted: dict[str, str] = Field(default_factory=dict, description="Amounts times probability")


class PipelineSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    stages: list[StageTotal]
