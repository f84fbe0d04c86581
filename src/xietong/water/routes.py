"""``/api/v1/water/…``: sections and the river graph, samples, classes, pollution incidents.

Thin wrappers over :mod:`xietong.water.service` and :mod:`xietong.water.incidents`; errors are
``application/problem+json`` like every other router (403 for a jurisdiction publishing what it does not
own, 409 for a stale or finished incident, 404 for an unknown section or incident).
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from xietong.api.deps import PrincipalDep, StoreDep
from xietong.errors import InputError
from xietong.water import incidents, service
from xietong.water.domain import WaterScope
from xietong.water.enums import WaterFormat
from xietong.water.formats import CST

router = APIRouter(prefix="/water", tags=["water"])


def _aware(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InputError(f"{name}: time without a time zone", expected="ISO 8601 with an offset", given=str(value))
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    for col in out.columns:
        values = list(out[col])
        if any(isinstance(v, datetime) for v in values):
            out[col] = [v.astimezone(CST).isoformat() if isinstance(v, datetime) else v for v in values]
        elif any(isinstance(v, tuple) for v in values):
            out[col] = [list(v) if isinstance(v, tuple) else v for v in values]
    return [{str(k): v for k, v in r.items()} for r in out.to_dict("records")]


class RecordsIn(BaseModel):
    records: list[dict[str, Any]] = Field(
        description="rows with the columns of xietong/data/water_sections_haihe.csv (sections) or "
        "water_links_haihe.csv (links)"
    )


class IncidentIn(BaseModel):
    section: str = Field(examples=["HE11"], description="section code where the pollution is")
    started_at: datetime = Field(description="when the pollution passed the section (ISO 8601 with offset)")
    pollutant: str | None = Field(default=None, description="what was released (a reported accident)")
    amount: float | None = Field(default=None, ge=0)
    amount_unit: str | None = Field(default=None, examples=["t"])
    item: str | None = Field(default=None, description="the exceeding GB 3838 item (an exceedance)")
    description: str = ""
    evidence: dict[str, Any] = Field(default_factory=dict)
    max_hours: float | None = Field(default=None, gt=0, description="only sections reached within [h]")


class AckIn(BaseModel):
    jurisdiction: str | None = Field(default=None, description="default: the notified jurisdiction you act for")
    note: str | None = None
    expected_version: int | None = Field(default=None, description="refuse (409) if the incident changed since")


class PlanIn(BaseModel):
    section: str
    items: list[str] = Field(examples=[["nh3n", "codmn", "do"]])
    every_h: float = Field(gt=0, description="sampling interval [h]")
    start: datetime | None = None
    end: datetime | None = None
    note: str | None = None
    expected_version: int | None = None


class CloseIn(BaseModel):
    report: str
    expected_version: int | None = None


class DetectIn(BaseModel):
    consecutive: int = Field(default=incidents.DEFAULT_CONSECUTIVE, ge=1)
    sections: list[str] | None = None


# -- registry --------------------------------------------------------------------------------------


@router.get("/sections", operation_id="listWaterSections", summary="Water-quality sections")
def list_sections(
    store: StoreDep,
    principal: PrincipalDep,
    jurisdiction: str | None = None,
    river: str | None = None,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    frame = service.list_sections(
        store, principal, as_of=_aware(as_of, "as_of"), jurisdiction=jurisdiction, river=river
    )
    return _records(frame)


@router.post("/sections", operation_id="publishWaterSections", summary="Publish sections (owners only)")
def publish_sections(body: RecordsIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return service.publish_sections(store, principal, body.records)


@router.get("/sections/{code}/history", operation_id="waterSectionHistory", summary="Every revision of a section")
def section_history(code: str, store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return _records(service.section_history(store, principal, code))


@router.get("/links", operation_id="listWaterLinks", summary="River-graph links")
def list_links(
    store: StoreDep, principal: PrincipalDep, section: str | None = None, as_of: datetime | None = None
) -> list[dict[str, Any]]:
    return _records(service.list_links(store, principal, as_of=_aware(as_of, "as_of"), section=section))


@router.post("/links", operation_id="publishWaterLinks", summary="Publish links (owner of the upstream section)")
def publish_links(body: RecordsIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return service.publish_links(store, principal, body.records)


@router.get("/downstream/{section}", operation_id="waterDownstream", summary="Sections downstream, with ETAs")
def downstream(
    section: str,
    store: StoreDep,
    principal: PrincipalDep,
    start: datetime | None = None,
    max_hours: Annotated[float | None, Query(gt=0)] = None,
) -> list[dict[str, Any]]:
    frame = service.downstream_of(store, principal, section, start=_aware(start, "start"), max_hours=max_hours)
    return _records(frame)


# -- samples ---------------------------------------------------------------------------------------


@router.post(
    "/samples",
    operation_id="ingestWaterSamples",
    summary="Publish samples (one all-or-nothing batch)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
)
async def ingest(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    format: Annotated[WaterFormat, Query(description="cnemc-realtime, canonical or auto")] = WaterFormat.AUTO,
    filename: Annotated[str | None, Query(description="name shown in messages and the audit log")] = None,
    detect: Annotated[bool, Query(description="then open incidents for N consecutive exceedances")] = False,
    consecutive: Annotated[int, Query(ge=1)] = incidents.DEFAULT_CONSECUTIVE,
) -> dict[str, Any]:
    """The body is the file: CNEMC real-time CSV (``_raw`` values read; ``*``/``--`` missing) or canonical
    long CSV/JSON (``section, time, item, value, unit``). Requires ``publish:water`` for every section's
    jurisdiction. The same batch twice writes nothing; a changed value becomes a new revision."""
    principal.require(WaterScope.PUBLISH, "publish water-quality samples")
    body = await request.body()
    suffix = ".json" if "json" in request.headers.get("content-type", "") else ".csv"
    with tempfile.TemporaryDirectory(prefix="xietong-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(body)
        result = await run_in_threadpool(
            service.ingest_samples, store, principal, path, fmt=format, display_name=filename or "request body"
        )
    opened: list[incidents.IncidentView] = []
    if detect:
        opened = await run_in_threadpool(incidents.detect_exceedances, store, principal, consecutive=consecutive)
    return {**result.as_dict(), "incidents_opened": [v.id for v in opened]}


def _period(start: datetime | None, end: datetime | None, as_of: datetime | None) -> dict[str, Any]:
    return {"start": _aware(start, "from"), "end": _aware(end, "to"), "as_of": _aware(as_of, "as_of")}


@router.get("/samples", operation_id="listWaterSamples", summary="Stored samples (long form)")
def samples(
    store: StoreDep,
    principal: PrincipalDep,
    section: Annotated[list[str] | None, Query()] = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    frame = service.read_samples_stored(store, principal, sections=section, **_period(start, end, as_of))
    return _records(frame)


@router.get("/classify", operation_id="classifyWaterSamples", summary="GB 3838 class of stored samples")
def classify(
    store: StoreDep,
    principal: PrincipalDep,
    section: Annotated[list[str] | None, Query()] = None,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    as_of: datetime | None = None,
) -> list[dict[str, Any]]:
    """One row per section and time: class, grade, deciding items, main pollutants, target class and
    whether it is exceeded (single-factor method, values rounded to the CNEMC decimals)."""
    frame = service.classify_stored(store, principal, sections=section, **_period(start, end, as_of))
    return _records(frame)


@router.get("/evaluate", operation_id="evaluateWater", summary="River or basin grade over a period")
def evaluate(
    store: StoreDep,
    principal: PrincipalDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    by: service.EvaluateBy = service.EvaluateBy.RIVER,
    river: Annotated[list[str] | None, Query()] = None,
) -> list[dict[str, Any]]:
    return service.evaluate_stored(
        store, principal, start=_aware(start, "from"), end=_aware(end, "to"), by=by, rivers=river
    )


# -- incidents -------------------------------------------------------------------------------------


@router.get("/incidents", operation_id="listWaterIncidents", summary="Pollution incidents, newest first")
def list_incidents(
    store: StoreDep,
    principal: PrincipalDep,
    status_: Annotated[incidents.IncidentStatus | None, Query(alias="status")] = None,
    section: str | None = None,
) -> list[dict[str, Any]]:
    return [v.as_dict() for v in incidents.list_incidents(store, principal, status=status_, section=section)]


@router.post(
    "/incidents",
    operation_id="openWaterIncident",
    status_code=status.HTTP_201_CREATED,
    summary="Open an incident (reported accident or exceedance) and notify downstream",
)
def open_incident(body: IncidentIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    trigger = incidents.Trigger.EXCEEDANCE if body.item and not body.pollutant else incidents.Trigger.ACCIDENT
    view = incidents.open_incident(
        store,
        principal,
        section=body.section,
        started_at=body.started_at,
        trigger=trigger,
        pollutant=body.pollutant,
        amount=body.amount,
        amount_unit=body.amount_unit,
        item=body.item,
        description=body.description,
        evidence=body.evidence,
        max_hours=body.max_hours,
    )
    return view.as_dict()


@router.post("/incidents/detect", operation_id="detectWaterIncidents", summary="Open incidents for exceedances")
def detect(body: DetectIn, store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    views = incidents.detect_exceedances(store, principal, consecutive=body.consecutive, sections=body.sections)
    return [v.as_dict() for v in views]


@router.get("/incidents/{incident_id}", operation_id="getWaterIncident", summary="One incident")
def get_incident(incident_id: int, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return incidents.get(store, principal, incident_id).as_dict()


@router.post("/incidents/{incident_id}/acknowledge", operation_id="acknowledgeWaterIncident", summary="Acknowledge")
def acknowledge(incident_id: int, body: AckIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    view = incidents.acknowledge(
        store,
        principal,
        incident_id,
        jurisdiction=body.jurisdiction,
        note=body.note,
        expected_version=body.expected_version,
    )
    return view.as_dict()


@router.post("/incidents/{incident_id}/plan", operation_id="planWaterIncident", summary="Add joint monitoring")
def plan(incident_id: int, body: PlanIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    view = incidents.add_sampling(
        store,
        principal,
        incident_id,
        section=body.section,
        items=body.items,
        every_h=body.every_h,
        start=_aware(body.start, "start"),
        end=_aware(body.end, "end"),
        note=body.note,
        expected_version=body.expected_version,
    )
    return view.as_dict()


@router.post("/incidents/{incident_id}/close", operation_id="closeWaterIncident", summary="Close with a report")
def close(incident_id: int, body: CloseIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    view = incidents.close(store, principal, incident_id, report=body.report, expected_version=body.expected_version)
    return view.as_dict()


__all__ = ["router"]
