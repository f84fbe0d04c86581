"""Pydantic schemas of the API (response and request bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from xietong.enums import JurisdictionLevel


class JurisdictionOut(BaseModel):
    code: str = Field(description="GB/T 2260 code", examples=["130100"])
    name_zh: str = Field(examples=["石家庄市"])
    name_en: str = Field(examples=["Shijiazhuang"])
    level: JurisdictionLevel
    parent: str | None = Field(description="code of the parent jurisdiction")
    lon: float = Field(description="representative point, longitude [degrees]")
    lat: float = Field(description="representative point, latitude [degrees]")


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
    scopes: list[str] = Field(
        description="scope names: read, admin, publish:enterprises and the domains' (GET /api/v1/domains)"
    )
    expires_days: float = Field(default=90, ge=0, le=36_500, description="0 = never expires; at most 100 years")
    label: str | None = None


class TokenOut(BaseModel):
    token: str = Field(description="the only copy of the secret: store it now")
    token_id: str
    principal: str
    scopes: list[str]
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
