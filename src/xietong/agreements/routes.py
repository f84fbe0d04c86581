"""``/api/v1/agreements``: cooperation agreements, their tasks, tracking, progress and indicators.

Every route calls :mod:`xietong.agreements.service`, the same functions as ``xietong agreements …``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from xietong.agreements import service
from xietong.agreements.model import Area, SourceFormat, Strength
from xietong.agreements.service import Correction, ProgressBy
from xietong.agreements.track import EvidenceKind, Status, TrackingUpdate
from xietong.api.deps import PrincipalDep, StoreDep
from xietong.indicators import Comparator, ParamKind, parse_params

router = APIRouter(prefix="/agreements", tags=["agreements"])

CSV = "text/csv; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --------------------------------------------------------------------------------------------- schemas
class RollupOut(BaseModel):
    key: str = Field(description="area value, agreement id, jurisdiction code, or section path index")
    label: str
    tasks: int = Field(description="tasks in the group (dropped ones included)")
    counts: dict[str, int] = Field(description="tasks per status")
    weight: float = Field(description="total weight of the tasks that are not dropped")
    progress_pct: float | None = Field(description="weighted mean progress [%]; null when nothing weighs")
    done: int
    overdue: int = Field(description="past their due day (China Standard Time) and neither done nor dropped")
    children: list[RollupOut] = Field(default_factory=list, description="sub-sections (progress by section)")


class PartyOut(BaseModel):
    code: str | None = Field(description="GB/T 2260 code when the party is a jurisdiction of the region")
    name: str
    name_zh: str | None


class AgreementSummaryOut(BaseModel):
    id: int
    title: str
    parties: list[PartyOut]
    date: dt.date | None = Field(description="date of the agreement, when the text gives one")
    language: str
    source: str | None = Field(description="file name of the imported text")
    sha256: str = Field(description="SHA-256 of the imported file")
    revision: int = Field(description="1 for the first import, +1 per revised text")
    created_by: str
    created_at: dt.datetime
    imported_by: str
    imported_at: dt.datetime
    progress: RollupOut = Field(description="roll-up of the tasks in the current text")


class MilestoneModel(BaseModel):
    title: str
    due: dt.date | None = None
    done: bool = False


class EvidenceOut(BaseModel):
    id: str = Field(examples=["e1"])
    kind: EvidenceKind
    title: str
    added_by: str
    added_at: dt.datetime
    url: str | None = None
    text: str | None = None
    sha256: str | None = Field(default=None, description="file: GET /agreements/files/{sha256}")
    size_bytes: int | None = None
    media_type: str | None = None


class BindingOut(BaseModel):
    id: int
    indicator: str = Field(examples=["warnings.issued_through_consultation"])
    name: str
    unit: str
    params: dict[str, str]
    comparator: Comparator
    target: float
    value: float | None = Field(description="the latest computed value; null before the first computation")
    as_of: dt.datetime | None = Field(description="time of the newest data the value reflects")
    computed_at: dt.datetime | None
    met: bool | None = Field(description="whether the value meets the target; null without a value")
    bound_by: str
    bound_at: dt.datetime


class TaskOut(BaseModel):
    agreement_id: int
    id: str = Field(description="stable id: hash of the task text", examples=["t-85fb2ec5d6"])
    number: str = Field(examples=["2.1"])
    text: str
    span: list[int] = Field(description="[start, end) in the agreement's text")
    section: str | None
    section_number: str | None
    section_path: list[str]
    measure: str | None
    area: Area
    area_label: str
    lead: list[str] = Field(description="GB/T 2260 codes of the lead jurisdictions")
    lead_names: list[str]
    partners: list[str]
    partner_names: list[str]
    bodies: list[str]
    projects: list[str]
    strength: Strength
    in_text: bool = Field(description="false once a revised text no longer has the task")
    corrected: bool = Field(description="area, lead or partners were corrected by hand")
    status: Status
    progress_pct: float = Field(description="[%], 0 to 100")
    weight: float
    due: dt.date | None
    milestones: list[MilestoneModel]
    evidence: list[EvidenceOut]
    note: str | None
    version: int
    updated_at: dt.datetime
    updated_by: str
    overdue: bool
    indicators: list[BindingOut]


class AgreementOut(AgreementSummaryOut):
    sections: list[dict[str, Any]] = Field(description="the headings of the text (docs/agreements.md)")
    imports: list[dict[str, Any]] = Field(description="every import: revision, sha256, who, when, counts")
    tasks: list[TaskOut]


class ImportOut(BaseModel):
    """The core's document (``xietong.agreement/1``, docs/agreements.md) plus what the import did."""

    format: str
    title: str
    parties: list[PartyOut]
    date: str | None
    language: str
    source: str | None
    sections: list[dict[str, Any]]
    tasks: list[dict[str, Any]] = Field(description="tasks as the importer read them (id, text, area, lead …)")
    agreement_id: int
    revision: int
    created: bool
    unchanged: bool = Field(description="the same file was imported before: nothing changed")
    counts: dict[str, int] = Field(description="tasks, added, updated, unchanged, retired, restored")


class HistoryOut(BaseModel):
    version: int
    at: dt.datetime
    actor: str
    actor_jurisdiction: str | None
    action: str = Field(description="import, update, csv, file, bind or unbind")
    changed: list[str] = Field(description="fields this version changed")
    area: str
    lead: list[str]
    partners: list[str]
    in_text: bool
    status: Status
    progress_pct: float
    weight: float
    due: dt.date | None
    milestones: list[MilestoneModel]
    evidence: list[EvidenceOut]
    note: str | None
    indicators: list[dict[str, Any]]


class TaskBriefOut(BaseModel):
    agreement_id: int
    id: str
    number: str
    area: Area
    lead: list[str]
    lead_names: list[str]
    partners: list[str]
    status: Status
    progress_pct: float
    weight: float
    due: dt.date | None
    overdue: bool
    text: str


class ProgressOut(BaseModel):
    by: ProgressBy
    agreement_id: int | None
    total: RollupOut
    groups: list[RollupOut]
    tasks: list[TaskBriefOut] | None = Field(default=None, description="with tasks=true")


class SeriesOut(BaseModel):
    indicator: str
    params: dict[str, str]
    value: float | None
    as_of: dt.datetime | None
    computed_at: dt.datetime | None
    details: dict[str, Any]
    tasks: int = Field(description="tasks bound to this series")
    error: str | None = Field(description="why the computation failed (nothing was stored for it)")


class ParamOut(BaseModel):
    name: str
    kind: ParamKind
    description: str
    required: bool
    default: str | None


class IndicatorOut(BaseModel):
    key: str
    name: str
    description: str
    unit: str
    comparator: Comparator
    target: float | None
    params: list[ParamOut]
    module: str
    series: list[SeriesOut] = Field(description="bound series with their latest values")


class EvidenceIn(BaseModel):
    kind: EvidenceKind = Field(description="link or note (files: POST …/files)")
    url: str | None = Field(default=None, examples=["https://fgw.beijing.gov.cn/notice/2026/42"])
    title: str | None = None
    text: str | None = Field(default=None, description="the note")


class TaskUpdateIn(BaseModel):
    """Fields left out stay as they are; ``due`` or ``note`` set to null are cleared."""

    status: Status | None = None
    progress_pct: float | None = Field(default=None, description="[%], 0 to 100; moves the status (docs)")
    weight: float | None = Field(default=None, description="weight in roll-ups, >= 0 (default 1)")
    due: dt.date | None = Field(default=None, description="due day, China Standard Time")
    milestones: list[MilestoneModel] | None = Field(default=None, description="replaces the list")
    add_evidence: list[EvidenceIn] = Field(default_factory=list)
    remove_evidence: list[str] = Field(default_factory=list, description="evidence ids")
    note: str | None = None
    area: Area | None = Field(default=None, description="correction (region-level principals only)")
    lead: list[str] | None = Field(default=None, description="correction: codes or names (region level only)")
    partners: list[str] | None = Field(default=None, description="correction (region level only)")
    expected_version: int | None = Field(default=None, description="refuse with 409 if the task has moved on")


class BindIn(BaseModel):
    indicator: str = Field(examples=["warnings.issued_through_consultation"])
    params: dict[str, str] = Field(default_factory=dict, examples=[{"from": "2026-01-01"}])
    target: float | None = Field(default=None, description="in the indicator's unit; default: the indicator's")
    comparator: Comparator | None = Field(default=None, description="default: the indicator's")


class RefreshIn(BaseModel):
    indicators: list[str] | None = Field(default=None, description="indicator keys; default: every bound series")


# ----------------------------------------------------------------------------------------------- routes
@router.get("", operation_id="listAgreements", summary="Agreements", response_model=list[AgreementSummaryOut])
def list_agreements(store: StoreDep, principal: PrincipalDep) -> Any:
    """Every agreement, newest first, with the roll-up of its tasks."""
    return [a.as_dict() for a in service.list_agreements(store, principal)]


@router.post(
    "",
    operation_id="importAgreement",
    summary="Import an agreement (text, Markdown or DOCX)",
    response_model=ImportOut,
    responses={201: {"model": ImportOut, "description": "a new agreement"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "text/markdown": {"schema": {"type": "string"}},
                DOCX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_agreement(
    request: Request,
    response: Response,
    store: StoreDep,
    principal: PrincipalDep,
    filename: Annotated[str | None, Query(description="file name (its suffix picks the format)")] = None,
    format: Annotated[SourceFormat, Query(description="auto: from the file name or the bytes")] = SourceFormat.AUTO,
    agreement: Annotated[int | None, Query(description="import as a revision of this agreement")] = None,
) -> Any:
    """Scope ``admin`` (a jurisdiction's administrator: agreements it is a party to). The body is the file.
    The same file again changes nothing (200, ``unchanged``); a revised text (same title, or ``agreement``)
    is the next revision and keeps the tracking state of the tasks it still has. 201 for a new agreement."""
    body = await request.body()
    fmt = format
    if fmt is SourceFormat.AUTO and DOCX in request.headers.get("content-type", ""):
        fmt = SourceFormat.DOCX
    result = await run_in_threadpool(
        service.import_agreement, store, principal, body, name=filename or "request body", format=fmt,
        agreement_id=agreement,
    )  # fmt: skip
    if result.created:
        response.status_code = 201
    return result.as_dict()


@router.get(
    "/progress", operation_id="agreementProgress", summary="Progress by area, agreement, jurisdiction or section"
)
def progress(
    store: StoreDep,
    principal: PrincipalDep,
    by: Annotated[
        ProgressBy, Query(description="jurisdiction: by lead; section: one agreement's tree")
    ] = ProgressBy.AREA,
    agreement: Annotated[int | None, Query(description="only this agreement (needed for by=section)")] = None,
    tasks: Annotated[bool, Query(description="also list the tasks")] = False,
) -> Any:
    """Weighted progress [%] of the tasks in the current texts: ``sum(weight × progress) / sum(weight)`` over
    tasks that are not dropped; a parent section rolls up from its children."""
    report = service.progress(store, principal, by=by, agreement_id=agreement)
    return ProgressOut.model_validate(report.as_dict(with_tasks=tasks))


@router.get(
    "/tracking",
    operation_id="exportTracking",
    summary="Tracking state as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_tracking(
    store: StoreDep, principal: PrincipalDep, agreement: Annotated[int | None, Query()] = None
) -> Response:
    """Columns ``agreement, task, number, area, lead, status, progress_pct, due, weight, note, text``; edit
    ``status … note`` and POST it back."""
    text = service.export_tracking_csv(store, principal, agreement_id=agreement)
    return Response(text, media_type=CSV, headers={"Content-Disposition": 'attachment; filename="tracking.csv"'})


@router.post(
    "/tracking",
    operation_id="importTracking",
    summary="Import tracking state (CSV)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_tracking(
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    filename: Annotated[str | None, Query(description="name shown in messages and the audit log")] = None,
    agreement: Annotated[int | None, Query(description="the agreement, when the CSV has no agreement column")] = None,
) -> dict[str, int]:
    """Columns ``task`` (and ``agreement``) and any of ``status, progress_pct, due, weight, note``; empty cells
    change nothing. All or nothing: every problem is listed with its row and field."""
    body = await request.body()
    return await run_in_threadpool(
        service.import_tracking_csv, store, principal, body, source=filename or "request body", agreement_id=agreement
    )


@router.get("/indicators", operation_id="listIndicators", summary="Indicators and their bound series",
            response_model=list[IndicatorOut])  # fmt: skip
def list_indicators(store: StoreDep, principal: PrincipalDep) -> Any:
    return service.list_indicators(store, principal)


@router.post(
    "/indicators/refresh",
    operation_id="refreshIndicators",
    summary="Recompute indicators",
    response_model=list[SeriesOut],
)
async def refresh_indicators(store: StoreDep, principal: PrincipalDep, body: RefreshIn | None = None) -> Any:
    """Recompute every bound series (or those of ``indicators``) and store the values with the time; any
    authenticated principal with ``read``."""
    keys = body.indicators if body else None
    results = await run_in_threadpool(service.refresh_indicators, store, principal, indicators=keys)
    return [r.as_dict() for r in results]


@router.get(
    "/indicators/{indicator}/values", operation_id="indicatorValues", summary="Stored values of one series",
    response_model=list[SeriesOut],
)  # fmt: skip
def indicator_values(
    indicator: str,
    store: StoreDep,
    principal: PrincipalDep,
    param: Annotated[list[str] | None, Query(description="name=value; repeatable", examples=["city=北京"])] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> Any:
    """Newest first."""
    return [
        v.as_dict()
        for v in service.indicator_values(store, principal, indicator, params=parse_params(param or []), limit=limit)
    ]


@router.get(
    "/files/{sha256}",
    operation_id="getEvidenceFile",
    summary="An evidence file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def get_file(sha256: str, store: StoreDep, principal: PrincipalDep) -> Response:
    """Served as an attachment and never sniffed, whatever type the uploader declared (no stored HTML runs here)."""
    name, media_type, content = service.get_file(store, principal, sha256)
    ascii_name = name.replace('"', "").replace("\\", "").encode("ascii", "replace").decode()
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "X-Content-Type-Options": "nosniff"},
    )


@router.get(
    "/{agreement_id}", operation_id="getAgreement", summary="An agreement with its tasks", response_model=AgreementOut
)
def get_agreement(
    agreement_id: int,
    store: StoreDep,
    principal: PrincipalDep,
    include_retired: Annotated[bool, Query(description="also tasks no longer in the current text")] = False,
) -> Any:
    return service.get_agreement(store, principal, agreement_id, include_retired=include_retired).as_dict()


@router.get("/{agreement_id}/tasks/{task_id}", operation_id="getAgreementTask", response_model=TaskOut)
def get_task(agreement_id: int, task_id: str, store: StoreDep, principal: PrincipalDep) -> Any:
    return service.get_task(store, principal, agreement_id, task_id).as_dict()


@router.patch(
    "/{agreement_id}/tasks/{task_id}",
    operation_id="updateAgreementTask",
    summary="Update a task",
    response_model=TaskOut,
)
def update_task(agreement_id: int, task_id: str, body: TaskUpdateIn, store: StoreDep, principal: PrincipalDep) -> Any:
    """Principals of the task's lead or partner jurisdictions (scope ``publish:air``, ``publish:water``, ``warn``
    or ``admin``) and region-level principals. Status and progress move together: ``done`` sets 100 %,
    progress 100 % sets ``done``. Every change is a new version (GET …/history) and an audit entry."""
    given = body.model_fields_set
    update = TrackingUpdate(
        status=body.status,
        progress_pct=body.progress_pct,
        weight=body.weight,
        due=body.due,
        milestones=[m.model_dump() for m in body.milestones] if body.milestones is not None else None,
        add_evidence=[e.model_dump(exclude_none=True) for e in body.add_evidence],
        remove_evidence=body.remove_evidence,
        note=body.note,
        clear=frozenset(f for f in ("due", "note") if f in given and getattr(body, f) is None),
    )
    correction = Correction(area=body.area, lead=body.lead, partners=body.partners)
    view = service.update_task(
        store, principal, agreement_id, task_id, update, correction=correction, expected_version=body.expected_version
    )
    return view.as_dict()


@router.get(
    "/{agreement_id}/tasks/{task_id}/history", operation_id="agreementTaskHistory", summary="Every version of a task",
    response_model=list[HistoryOut],
)  # fmt: skip
def task_history(agreement_id: int, task_id: str, store: StoreDep, principal: PrincipalDep) -> Any:
    return [h.as_dict() for h in service.task_history(store, principal, agreement_id, task_id)]


@router.post(
    "/{agreement_id}/tasks/{task_id}/files",
    operation_id="attachEvidenceFile",
    summary="Attach a file as evidence",
    response_model=TaskOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def attach_file(
    agreement_id: int,
    task_id: str,
    request: Request,
    store: StoreDep,
    principal: PrincipalDep,
    filename: Annotated[str, Query(description="the file's name", examples=["minutes-2026-05.pdf"])],
    title: Annotated[str | None, Query()] = None,
) -> Any:
    """The body is the file (its Content-Type is kept). Stored once per content (SHA-256)."""
    body = await request.body()
    media_type = request.headers.get("content-type") or "application/octet-stream"
    view = await run_in_threadpool(
        service.attach_file, store, principal, agreement_id, task_id, body, name=filename, media_type=media_type,
        title=title,
    )  # fmt: skip
    return view.as_dict()


@router.post(
    "/{agreement_id}/tasks/{task_id}/indicators",
    operation_id="bindIndicator",
    summary="Bind a task to an indicator",
    response_model=TaskOut,
)
def bind_indicator(agreement_id: int, task_id: str, body: BindIn, store: StoreDep, principal: PrincipalDep) -> Any:
    """The task then shows the indicator's latest value and whether the target is met (after POST
    /agreements/indicators/refresh). Binding the same series again changes its target."""
    view = service.bind_indicator(
        store, principal, agreement_id, task_id, body.indicator, params=body.params, target=body.target,
        comparator=body.comparator,
    )  # fmt: skip
    return view.as_dict()


@router.delete(
    "/{agreement_id}/tasks/{task_id}/indicators/{binding_id}",
    operation_id="unbindIndicator",
    summary="Remove an indicator binding",
    response_model=TaskOut,
)
def unbind_indicator(agreement_id: int, task_id: str, binding_id: int, store: StoreDep, principal: PrincipalDep) -> Any:
    return service.unbind_indicator(store, principal, agreement_id, task_id, binding_id).as_dict()
