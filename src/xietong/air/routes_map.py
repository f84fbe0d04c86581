"""``/api/v1/air/hours`` and ``/api/v1/air/aqi-levels``: what the region map needs besides the features.

The map's time slider runs over the hours the store holds (as runs of consecutive hour labels, so a store of
many years stays a small answer); its legend shows the AQI levels of the HJ 633 edition in force at the hour,
with names and colours from the standard's data file.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from xietong import standards
from xietong.air import aqi as aqi_engine
from xietong.air.features import observed_hours
from xietong.api.deps import PrincipalDep, StoreDep
from xietong.config import DISPLAY_TZ
from xietong.store.clock import utcnow

router = APIRouter(prefix="/air", tags=["air"])


@router.get("/hours", operation_id="airHours", summary="The hours with observations (runs of consecutive hours)")
def hours(store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """``first``, ``last``, ``count`` and ``runs``: ``[[first, last], …]`` of consecutive hour labels in China
    Standard Time (hour labels are the end of the averaging hour)."""
    return observed_hours(store, principal).as_dict()


@router.get("/aqi-levels", operation_id="airAqiLevels", summary="AQI levels, names and colours (HJ 633)")
def aqi_levels(
    on: Annotated[date | None, Query(description="the CST day whose edition applies (default: today)")] = None,
) -> dict[str, Any]:
    """The six levels of the HJ 633 edition in force on ``on``: range, level, category (zh/en), colour (hex),
    from HJ 633 Table 2 (2012) / Table 1 (2026) and Appendix A."""
    day = on or utcnow().astimezone(DISPLAY_TZ).date()
    edition = standards.in_force("hj633", day)
    frame = aqi_engine.level_info(edition)
    keep = ["level", "roman", "level_zh", "aqi_min", "aqi_max", "category_zh", "category_en", "hex"]
    return {"edition": edition, "on": day.isoformat(), "levels": frame[keep].to_dict("records")}


__all__ = ["router"]
