"""``/api/v1/industry/…``: parks, projects, task links, structure, interest sharing, siting, technology transfer.

Thin wrappers over the industry services; errors are ``application/problem+json`` like every other router
(422/400 for bad input naming the row and field, 403 for a jurisdiction writing what it does not own, 404 for
an unknown park or project, 409 for a stage that goes backwards or a stale version). Lists are bounded
(``limit`` ≤ 1000, ``offset``).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from xietong.api.deps import PrincipalDep, SettingsDep, StoreDep
from xietong.errors import InputError
from xietong.industry import economy, gbt4754, links, pipeline, placement, service, sharing, siting, transfer
from xietong.industry.enums import EmissionCategory, Stage
from xietong.industry.views import records, sharing_frames

router = APIRouter(prefix="/industry", tags=["industry"])
Limit = Annotated[int, Query(ge=1, le=1000, description="at most this many rows")]
Offset = Annotated[int, Query(ge=0, description="skip this many rows")]
CSV_BODY = {"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}}


class RecordsIn(BaseModel):
    records: list[dict[str, Any]] = Field(
        description="parks with code, name_zh, name_en, jurisdiction, level, kind and optionally partner, lon, lat, "
        "area_km2, leading_industries (list or ';'-separated GB/T 4754 codes), aliases, source, notes"
    )


class EvidenceIn(BaseModel):
    kind: str = Field(default="link", examples=["link"], description="link, document or note")
    title: str | None = None
    url: str | None = None
    text: str | None = None


class ProjectCreate(BaseModel):
    name: str
    enterprise: str
    origin: str = Field(examples=["110000"], description="jurisdiction the enterprise leaves")
    destination: str = Field(examples=["130200"], description="receiving jurisdiction (the caller's)")
    industry_code: str = Field(examples=["3670"], description="GB/T 4754-2017")
    date: dt.date = Field(description="day of the first stage")
    park: str | None = Field(default=None, examples=["CFDZ"])
    enterprise_city: str | None = Field(default=None, description="city in the platform's enterprise registry")
    investment_cny: float | None = Field(default=None, ge=0)
    jobs: int | None = Field(default=None, ge=0)
    stage: Stage = Stage.SIGNED
    evidence: list[EvidenceIn] = Field(default_factory=list)


class StageIn(BaseModel):
    stage: Stage
    date: dt.date
    evidence: list[EvidenceIn] = Field(default_factory=list)
    investment_cny: float | None = Field(default=None, ge=0)
    jobs: int | None = Field(default=None, ge=0)
    expected_version: int | None = Field(default=None, description="refuse (409) if the project changed since")


class ConfirmIn(BaseModel):
    note: str | None = None
    expected_version: int | None = None


class SharingIn(BaseModel):
    enterprises: list[dict[str, Any]] = Field(
        description="enterprise, origin, destination, start_year, pre_move_local_cny, government_led"
    )
    taxes: list[dict[str, Any]] = Field(description="enterprise, year, tax (vat, cit, business_tax), paid_cny")
    edition: str = "auto"
    strict: bool = False


class SiteIn(BaseModel):
    industry_code: str = Field(examples=["4210"])
    origin: str = Field(examples=["110000"])
    year: int = Field(ge=1990, le=2100, description="year of the annual PM2.5 and the warning days")
    on: dt.date | None = Field(default=None, description="day that selects the rules (default today)")
    emission_category: EmissionCategory = EmissionCategory.REGISTRATION
    land_ha: float | None = Field(default=None, gt=0)
    new_capacity: bool = True
    parks: list[str] = Field(default_factory=list, description="candidates (default: every park)")
    available_land_ha: dict[str, float] = Field(default_factory=dict)
    weights: dict[str, float] | None = None
    constraints: list[str] = Field(default_factory=lambda: list(siting.HARD_CONSTRAINTS))
    strict: bool = False


def _frame(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return records(rows)


# -- parks ----------------------------------------------------------------------------------------------


@router.get("/parks", operation_id="listIndustryParks", summary="Parks and undertaking platforms")
def list_parks(
    store: StoreDep, principal: PrincipalDep, jurisdiction: str | None = None, limit: Limit = 1000, offset: Offset = 0
) -> list[dict[str, Any]]:
    return records(service.list_parks(store, principal, jurisdiction=jurisdiction, limit=limit, offset=offset))


@router.post("/parks", operation_id="importIndustryParks", summary="Register or revise parks (owners, all-or-nothing)")
def import_parks(body: RecordsIn, store: StoreDep, principal: PrincipalDep, settings: SettingsDep) -> dict[str, Any]:
    frame = service.parks_from_records(body.records, settings=settings)
    return service.import_parks(store, principal, frame, source="request body")


@router.get("/parks.geojson", operation_id="industryParksGeoJson", summary="Parks as GeoJSON points")
def parks_geojson(store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    doc = service.parks_geojson(store, principal)
    for f in doc["features"]:
        f["properties"] = records([f["properties"]])[0]
    return doc


@router.get("/parks/{code}", operation_id="getIndustryPark", summary="One park with its sources")
def get_park(code: str, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return records([service.get_park(store, principal, code)])[0]


@router.get("/parks/{code}/history", operation_id="industryParkHistory", summary="Every revision of a park")
def park_history(code: str, store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return records(service.park_history(store, principal, code))


@router.get("/parks/{code}/tasks", operation_id="industryParkTasks", summary="Agreement tasks naming a park")
def park_tasks(code: str, store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return records(links.task_links(store, principal, park=code))


@router.get("/task-links", operation_id="industryTaskLinks", summary="Agreement tasks ↔ the parks they name")
def task_links(
    store: StoreDep, principal: PrincipalDep, limit: Limit = 1000, offset: Offset = 0
) -> list[dict[str, Any]]:
    return records(links.task_links(store, principal)[offset : offset + limit])


# -- projects -------------------------------------------------------------------------------------------


@router.get("/projects", operation_id="listIndustryProjects", summary="Relocation and investment projects")
def list_projects(
    store: StoreDep,
    principal: PrincipalDep,
    park: str | None = None,
    jurisdiction: str | None = None,
    stage: Stage | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[dict[str, Any]]:
    rows = pipeline.list_projects(
        store, principal, park=park, jurisdiction=jurisdiction, stage=stage.value if stage else None,
        limit=limit, offset=offset,
    )  # fmt: skip
    return records(rows)


@router.get("/pipeline", operation_id="industryPipeline", summary="Projects, investment and jobs by stage")
def project_pipeline(store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return pipeline.pipeline(store, principal)


@router.post(
    "/projects", operation_id="createIndustryProject", status_code=status.HTTP_201_CREATED,
    summary="Register a project (by its destination)",
)  # fmt: skip
def create_project(body: ProjectCreate, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    p = pipeline.ProjectIn(
        **body.model_dump(exclude={"stage", "evidence"}),
        stage=body.stage.value,
        evidence=[e.model_dump(exclude_none=True) for e in body.evidence],
    )
    return records([pipeline.create_project(store, principal, p)])[0]


@router.get("/projects/{project_id}", operation_id="getIndustryProject", summary="A project with its stages")
def get_project(project_id: int, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return records([pipeline.get_project(store, principal, project_id)])[0]


@router.post("/projects/{project_id}/stages", operation_id="advanceIndustryProject", summary="Next stage (destination)")
def advance(project_id: int, body: StageIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    view = pipeline.advance(
        store, principal, project_id, body.stage.value, body.date,
        evidence=[e.model_dump(exclude_none=True) for e in body.evidence], investment_cny=body.investment_cny,
        jobs=body.jobs, expected_version=body.expected_version,
    )  # fmt: skip
    return records([view])[0]


@router.post(
    "/projects/{project_id}/confirm", operation_id="confirmIndustryProject", summary="Confirm the move (origin)"
)
def confirm(project_id: int, body: ConfirmIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    view = pipeline.confirm(store, principal, project_id, note=body.note, expected_version=body.expected_version)
    return records([view])[0]


# -- economic structure ---------------------------------------------------------------------------------


@router.get("/structure", operation_id="industryStructure", summary="Sector shares, LQs, specialisation (stored)")
def structure(
    store: StoreDep,
    principal: PrincipalDep,
    year: Annotated[int, Query(ge=1949, le=2100)],
    indicator: str = "value_added",
) -> list[dict[str, Any]]:
    table = economy.from_store(store, principal, years=[year], require=True)
    return _frame(economy.structure_table(table, year, indicator=indicator))


@router.get("/similarity", operation_id="industrySimilarity", summary="Similarity of every pair of cities (stored)")
def similarity(
    store: StoreDep,
    principal: PrincipalDep,
    year: Annotated[int, Query(ge=1949, le=2100)],
    indicator: str = "value_added",
) -> list[dict[str, Any]]:
    table = economy.from_store(store, principal, years=[year], require=True)
    return _frame(economy.similarity_table(table, year, indicator=indicator))


@router.get("/shift-share", operation_id="industryShiftShare", summary="Shift-share between two years (stored)")
def shift_share(
    store: StoreDep,
    principal: PrincipalDep,
    base: Annotated[int, Query(ge=1949, le=2100)],
    end: Annotated[int, Query(ge=1949, le=2100)],
    indicator: str = "value_added",
) -> list[dict[str, Any]]:
    table = economy.from_store(store, principal, years=[base, end], require=True)
    return _frame(economy.shift_share_table(table, base, end, indicator=indicator))


@router.get("/structure/years", operation_id="industryStructureYears", summary="Years of the stored tables")
def structure_years(store: StoreDep, principal: PrincipalDep) -> list[int]:
    return economy.stored_years(store, principal)


def _text(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the {what} is not UTF-8 text", given=str(exc)) from exc


@router.post("/structure", operation_id="importIndustryStructure", summary="Store a structure table (CSV body)",
             openapi_extra=CSV_BODY)  # fmt: skip
async def import_structure(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    year: Annotated[list[int] | None, Query(description="import only these years")] = None,
    filename: Annotated[str, Query(description="name shown in messages and the audit log")] = "request body",
) -> dict[str, Any]:
    """The body is a long CSV or the wide panel layout; any inconsistent row of the years imported refuses it."""
    text = _text(await request.body(), "structure table")
    table = await run_in_threadpool(economy.from_file, io.StringIO(text), years=year, source=filename)
    return await run_in_threadpool(economy.import_table, store, principal, table)


# -- sharing and siting ---------------------------------------------------------------------------------


@router.post("/sharing", operation_id="industrySharing", summary="Tax sharing per enterprise and year, and statements")
def share(body: SharingIn) -> dict[str, Any]:
    e, t = sharing_frames(pd.DataFrame(body.enterprises), pd.DataFrame(body.taxes), first_rows=(1, 1))
    result = sharing.share_taxes(e, t, edition=body.edition, strict=body.strict, source="taxes")
    if result.problems:
        raise InputError.refuse(result.problems, summary=f"{len(result.problems)} problem(s) in the taxes")
    return {
        "edition": result.edition,
        "unconfirmed": result.unconfirmed,
        "detail": _frame(result.detail),
        "statement": _frame(result.statement()),
    }


@router.post("/siting", operation_id="industrySiting", summary="Rank parks for a relocating enterprise, with reasons")
def site(body: SiteIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    request = placement.SiteRequest(
        enterprise=siting.Enterprise(
            body.industry_code, body.origin, body.emission_category, body.land_ha, new_capacity=body.new_capacity
        ),
        on=body.on or dt.datetime.now(dt.UTC).date(),
        year=body.year,
        parks=tuple(body.parks),
        weights=body.weights,
        constraints=body.constraints,
        available_land_ha=body.available_land_ha,
        strict=body.strict,
    )
    return placement.rank(store, principal, request)


# -- technology transfer --------------------------------------------------------------------------------


@router.post("/transfer/contracts", operation_id="importTechContracts", summary="Store technology contracts (CSV body)",
             openapi_extra=CSV_BODY)  # fmt: skip
async def import_contracts(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    filename: Annotated[str, Query(description="name shown in messages and the audit log")] = "request body",
) -> dict[str, Any]:
    text = _text(await request.body(), "contracts file")
    frame = await run_in_threadpool(transfer.read_file, io.StringIO(text), source=filename)
    return await run_in_threadpool(transfer.import_contracts, store, principal, frame, source=filename)


@router.get("/transfer/flows", operation_id="techTransferFlows", summary="Contract value between jurisdictions")
def flows(
    store: StoreDep,
    principal: PrincipalDep,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    level: Annotated[str, Query(pattern="^(province|jurisdiction)$")] = "province",
) -> list[dict[str, Any]]:
    return _frame(transfer.flows(store, principal, year=year, level=level))


@router.get("/transfer/beijing", operation_id="techTransferBeijing", summary="Beijing → Tianjin and Hebei, by year")
def beijing(store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return _frame(transfer.beijing_outflow(store, principal))


@router.get("/codes", operation_id="industryCodes", summary="GB/T 4754-2017 divisions")
def codes(q: Annotated[str | None, Query(max_length=60)] = None) -> list[dict[str, Any]]:
    rows = [
        {"code": d.code, "section": d.section, "broad_sector": d.broad_sector.value, "name_zh": d.name_zh,
         "name_en": d.name_en}
        for d in gbt4754.divisions()
    ]  # fmt: skip
    if q:
        rows = [
            r for r in rows if q.casefold() in f"{r['code']} {r['section']} {r['name_zh']} {r['name_en']}".casefold()
        ]
    return rows


__all__ = ["router"]
