"""Pydantic schemas of the API (response and request bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from xietong.enums import JurisdictionLevel, Scope


class JurisdictionOut(BaseModel):
    code: str = Field(description="GB/T 2260 code", examples=["130100"])
    name_zh: str = Field(examples=["石家庄市"])
    name_en: str = Field(examples=["Shijiazhuang"])
    level: JurisdictionLevel
    parent: str | None = Field(description="code of the parent jurisdiction")
    lon: float = Field(description="representative point, longitude [degrees]")
    lat: float = Field(description="representative point, latitude [degrees]")


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


class PrincipalIn(BaseModel):
    name: str = Field(examples=["tianjin-eeb-feed"])
    jurisdiction: str | None = Field(default=None, description="code or name; null for region level")
    kind: str = Field(default="person", description="person, service or operator")


class PrincipalOut(BaseModel):
    name: str
    jurisdiction: str | None
    kind: str


class TokenIn(BaseModel):
    principal: str
    scopes: list[Scope]
    expires_days: float = Field(default=90, ge=0, description="0 = never expires")
    label: str | None = None


class TokenOut(BaseModel):
    token: str = Field(description="the only copy of the secret: store it now")
    token_id: str
    principal: str
    scopes: list[Scope]
    expires_at: datetime | None


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    jurisdiction: str | None
    action: str
    outcome: str
    target: str
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditVerifyOut(BaseModel):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    reason: str | None
