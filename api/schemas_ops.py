"""The JSON shapes of operations in API v1: health."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from repo.services.health import HealthReport

PartState = Literal['ok', 'error']


class HealthOut(BaseModel):
    status: PartState = Field(description='`ok` when every part is; `error` otherwise (503)')
    database: PartState
    blobs: PartState = Field(description='The blob store (originals and renditions)')
    index: PartState = Field(description='The search index')

    @classmethod
    def of(cls, report: HealthReport) -> HealthOut:
        return cls(
            status=report.status,  # type: ignore[arg-type]
            database=report.database,  # type: ignore[arg-type]
            blobs=report.blobs,  # type: ignore[arg-type]
            index=report.index,  # type: ignore[arg-type]
        )
