"""Pydantic schemas of the air domain's API (stations, ingest counts, observation pages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class StationOut(BaseModel):
    code: str = Field(examples=["1001A"])
    name_zh: str
    name_en: str | None
    city_code: str
    jurisdiction_code: str = Field(description="the jurisdiction that owns and publishes the station")
    lon: float | None = Field(description="[degrees]")
    lat: float | None = Field(description="[degrees]")
    background: bool = Field(description="background (对照点) site: excluded from city means")
    restricted: bool = Field(description="reads of its data are recorded in the audit log")
    revision: int
    recorded_at: datetime


class Counts(BaseModel):
    read: int = Field(description="values read (one pollutant at one station-hour)")
    written: int = Field(description="values stored by this batch (new or revised)")
    unchanged: int = Field(description="values equal to what the store already held")
    revised: int = Field(description="values that replaced an earlier revision")
    rejected: int = Field(description="invalid values left out (only with skip_invalid)")


class IngestFileOut(Counts):
    source: str
    format: str
    batch_id: int | None
    sha256: str
    rows: int
    published: Counts
    skipped_unknown_station: int
    problems: list[dict[str, Any]]
    stations: dict[str, int] | None = None


class IngestOut(Counts):
    rows: int
    published: Counts
    stations: dict[str, int]
    skipped_unknown_station: int
    files: list[IngestFileOut]


class ObservationPage(BaseModel):
    data: list[dict[str, Any]]
    meta: dict[str, Any] = Field(description="count, next_cursor (null on the last page), as_of")
