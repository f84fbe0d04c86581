"""``/api/v1/region``: the jurisdictions of the exchange (public reference data)."""

from __future__ import annotations

from fastapi import APIRouter

from xietong import region
from xietong.api.schemas import JurisdictionOut

router = APIRouter(prefix="/region", tags=["region"])


def _out(r: region.Region) -> JurisdictionOut:
    return JurisdictionOut(
        code=r.code, name_zh=r.name_zh, name_en=r.name_en, level=r.level, parent=r.parent, lon=r.lon, lat=r.lat
    )


@router.get("/jurisdictions", operation_id="listJurisdictions", summary="The 15 jurisdictions")
def list_jurisdictions() -> list[JurisdictionOut]:
    """Beijing, Tianjin, Hebei, Hebei's 11 prefecture-level cities and Xiong'an New Area."""
    return [_out(r) for r in region.jurisdictions()]


@router.get("/jurisdictions/{code}", operation_id="getJurisdiction", summary="One jurisdiction")
def get_jurisdiction(code: str) -> JurisdictionOut:
    """Look up by GB/T 2260 code or by name (``石家庄``, ``Shijiazhuang``)."""
    return _out(region.get(code))
