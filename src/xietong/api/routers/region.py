"""``/api/v1/region``: the jurisdictions of the exchange (public reference data)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import TypeAdapter

from xietong import region
from xietong.api import read_cache
from xietong.api.deps import SettingsDep
from xietong.api.schemas import JurisdictionOut
from xietong.errors import NotFoundError

router = APIRouter(prefix="/region", tags=["region"])


def _out(r: region.Region) -> JurisdictionOut:
    return JurisdictionOut(
        code=r.code, name_zh=r.name_zh, name_en=r.name_en, level=r.level, parent=r.parent, lon=r.lon, lat=r.lat
    )


@router.get(
    "/jurisdictions",
    operation_id="listJurisdictions",
    summary="The 15 jurisdictions",
    response_model=list[JurisdictionOut],
)
def list_jurisdictions(request: Request) -> Response:
    """Beijing, Tianjin, Hebei, Hebei's 11 prefecture-level cities and Xiong'an New Area."""
    # reference data of the package: serialised once per process, then sent with an ETag
    return read_cache.answer(request, ("region.jurisdictions",), _jurisdictions_response)


def _jurisdictions_response() -> Response:
    body = TypeAdapter(list[JurisdictionOut]).dump_json([_out(r) for r in region.jurisdictions()])
    return Response(body, media_type="application/json")


@router.get("/boundaries", operation_id="getBoundaries", summary="Boundaries for maps (when configured)")
def boundaries(settings: SettingsDep) -> Any:
    """The GeoJSON file named by ``XIETONG_BOUNDARIES`` (none is bundled: the public boundary data the
    project knows have unclear licences)."""
    path = settings.boundaries_file
    if path is None or not path.is_file():
        raise NotFoundError(
            "no boundary file is configured", hint="set XIETONG_BOUNDARIES to a GeoJSON file of the region"
        )
    return JSONResponse(json.loads(path.read_text(encoding="utf-8")), media_type="application/geo+json")


@router.get("/jurisdictions/{code}", operation_id="getJurisdiction", summary="One jurisdiction")
def get_jurisdiction(code: str) -> JurisdictionOut:
    """Look up by GB/T 2260 code or by name (``石家庄``, ``Shijiazhuang``)."""
    return _out(region.get(code))
