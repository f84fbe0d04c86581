"""``/api/v1/warnings``, ``/api/v1/forecasts``, ``/api/v1/enterprises``: regional heavy-pollution warnings."""

from __future__ import annotations

import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from xietong.air import backtest, consultation, forecasts
from xietong.air import warning as warning_rules
from xietong.api.deps import PrincipalDep, StoreDep
from xietong.enums import Answer, WarningLevel, WarningStatus
from xietong.errors import InputError
from xietong.exchange import enterprises
from xietong.times import local_iso

router = APIRouter(tags=["warnings"])


class WarningIn(BaseModel):
    rules: str = Field(examples=["key-regions-2024"], description="rule set the proposal cites")
    cities: list[str] = Field(examples=[["北京", "130600", "Langfang"]], description="codes or names")
    level: WarningLevel
    start: datetime = Field(description="ISO 8601 with offset")
    end: datetime
    deadline: datetime = Field(description="answers are accepted until then")
    reason: str
    evidence: dict[str, Any] = Field(default_factory=dict, description="forecast windows, recommendation …")


class ResponseIn(BaseModel):
    city: str
    answer: Answer = Field(description="accept, counter or decline")
    level: WarningLevel | None = Field(default=None, description="the counter-proposed level")
    reason: str | None = None


class ChangeIn(BaseModel):
    city: str
    level: WarningLevel
    reason: str


class LiftIn(BaseModel):
    reason: str
    cities: list[str] | None = Field(default=None, description="default: every city where it is in force")


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise InputError(
            f"{name}: time without a time zone", expected="ISO 8601 with an offset", given=value.isoformat()
        )
    return value


@router.get("/warnings", operation_id="listWarnings", summary="Regional warnings")
def list_warnings(
    store: StoreDep,
    principal: PrincipalDep,
    status_: Annotated[WarningStatus | None, Query(alias="status")] = None,
    city: str | None = None,
) -> list[dict[str, Any]]:
    return [w.as_dict() for w in consultation.list_warnings(store, principal, status=status_, city=city)]


@router.post(
    "/warnings", operation_id="proposeWarning", status_code=status.HTTP_201_CREATED, summary="Propose a warning"
)
def propose(body: WarningIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """Open a consultation (scope ``warn``): each named jurisdiction answers before the deadline."""
    view = consultation.propose(
        store,
        principal,
        rules=body.rules,
        cities=body.cities,
        level=body.level,
        start=_aware(body.start, "start"),
        end=_aware(body.end, "end"),
        deadline=_aware(body.deadline, "deadline"),
        reason=body.reason,
        evidence=body.evidence,
    )
    return view.as_dict()


@router.get("/warnings/recommendation", operation_id="recommendWarnings", summary="Recommended level per city")
def recommendation(
    store: StoreDep,
    principal: PrincipalDep,
    rules: str = "key-regions-2024",
    city: Annotated[list[str] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """From the latest published forecast of each city: the level, period, the rule clause that fired and
    the evidence (the upper bound of each forecast range decides)."""
    frame = forecasts.latest_forecasts(store, principal, cities=city)
    if frame.empty:
        return []
    rec = warning_rules.recommend(frame, rules)
    for col in ("issued_at", "start", "end"):
        rec[col] = local_iso(rec[col])
    rec["level"] = rec["level"].astype(str)
    return [{str(k): v for k, v in r.items()} for r in rec.astype(object).where(rec.notna(), None).to_dict("records")]


@router.get(
    "/warnings/backtest",
    operation_id="backtestWarnings",
    summary="Replay observed daily AQI as a perfect forecast",
    responses={200: {"content": {"text/csv": {}}}},
)
def backtest_route(
    store: StoreDep,
    principal: PrincipalDep,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    rules: Annotated[list[str] | None, Query()] = None,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",
) -> Any:
    """Recommended level per city and day under each rule set; ``source`` says whether a city's daily AQI is
    the store's (all pollutants) or the bundled SpTe2M PM2.5-only AQI."""
    timeline = backtest.backtest_timeline(
        store, principal, rules=rules or list(warning_rules.rule_sets()), start=start, end=end
    )
    if format == "csv":
        return Response(timeline.to_csv(index=False, lineterminator="\n"), media_type="text/csv; charset=utf-8")
    return timeline.astype(object).where(timeline.notna(), None).to_dict("records")


@router.get("/warnings/{warning_id}", operation_id="getWarning")
def get_warning(warning_id: int, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return consultation.get(store, principal, warning_id).as_dict()


@router.get("/warnings/{warning_id}/measures", operation_id="warningMeasures", summary="Graded measures")
def measures(warning_id: int, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """Per enterprise, the required reduction at its city's level (by performance grade: not one size fits
    all); per city, the totals against the level's required share, and the cities that fall short. The
    read of the (restricted) enterprise registry is recorded in the audit log."""
    return consultation.measures_for(store, principal, warning_id)


@router.post("/warnings/{warning_id}/responses", operation_id="answerWarning", summary="Answer a proposal")
def respond(warning_id: int, body: ResponseIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """A named jurisdiction accepts, counter-proposes a level, or declines (with a reason), for one city."""
    view = consultation.respond(
        store,
        principal,
        warning_id,
        city=body.city,
        answer=body.answer,
        level=body.level.value if body.level else None,
        reason=body.reason,
    )
    return view.as_dict()


@router.post("/warnings/{warning_id}/issue", operation_id="issueWarning", summary="Issue after the deadline")
def issue(warning_id: int, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return consultation.issue(store, principal, warning_id).as_dict()


@router.post("/warnings/{warning_id}/changes", operation_id="changeWarning", summary="Upgrade or downgrade in a city")
def change(warning_id: int, body: ChangeIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return consultation.change(
        store, principal, warning_id, city=body.city, level=body.level, reason=body.reason
    ).as_dict()


@router.post("/warnings/{warning_id}/lift", operation_id="liftWarning", summary="Lift in some or all cities")
def lift(warning_id: int, body: LiftIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return consultation.lift(store, principal, warning_id, reason=body.reason, cities=body.cities).as_dict()


async def _upload(request: Request, suffix: str) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    body = await request.body()
    tmp = tempfile.TemporaryDirectory(prefix="xietong-upload-")
    path = Path(tmp.name) / f"upload{suffix}"
    path.write_bytes(body)
    return path, tmp


@router.post(
    "/forecasts",
    operation_id="publishForecasts",
    summary="Publish AQI forecasts (CSV or JSON)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}},
        }
    },
)
async def publish_forecasts(
    request: Request, store: StoreDep, principal: PrincipalDep, filename: str | None = None
) -> dict[str, int]:
    """Columns ``city, issued_at, start, end (or date), aqi_low, aqi_high, primary``; scope ``publish:air``
    for the cities' jurisdictions. All-or-nothing; contradictory forecasts in one batch are refused."""
    suffix = ".json" if "json" in request.headers.get("content-type", "") else ".csv"
    path, tmp = await _upload(request, suffix)
    with tmp:
        name = filename or "request body"
        frame = await run_in_threadpool(forecasts.read_forecast_file, path, name)
        counts = await run_in_threadpool(forecasts.ingest_forecasts, store, principal, frame, source=name)
    return counts.as_dict()


@router.get("/forecasts", operation_id="listForecasts", summary="Latest forecast windows per city")
def list_forecasts(
    store: StoreDep, principal: PrincipalDep, city: Annotated[list[str] | None, Query()] = None
) -> list[dict[str, Any]]:
    frame = forecasts.latest_forecasts(store, principal, cities=city)
    return [
        {str(k): (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
        for r in frame.to_dict("records")
    ]


@router.post(
    "/enterprises",
    operation_id="importEnterprises",
    summary="Import the enterprise registry (CSV)",
    openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}},
)
async def import_enterprises(request: Request, store: StoreDep, principal: PrincipalDep) -> dict[str, int]:
    """Columns ``name, city, industry, grade, so2_t_per_day, nox_t_per_day, pm_t_per_day, vocs_t_per_day`` (t/day)."""
    path, tmp = await _upload(request, ".csv")
    with tmp:
        frame = await run_in_threadpool(enterprises.parse_enterprises, path, "request body")
        return await run_in_threadpool(enterprises.import_enterprises, store, principal, frame, source="request body")


@router.get(
    "/enterprises", operation_id="listEnterprises", summary="Enterprise registry (restricted: reads are audited)"
)
def list_enterprises(
    store: StoreDep, principal: PrincipalDep, city: Annotated[list[str] | None, Query()] = None
) -> list[dict[str, Any]]:
    frame = enterprises.list_enterprises(store, principal, cities=city)
    return frame.to_dict("records")  # type: ignore[return-value]
