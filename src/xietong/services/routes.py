"""``/api/v1/services/…``: the working-day calendar, the catalogue and offices, cases, overdue steps,
recognition, partnerships and statistics.

Thin wrappers over the service modules; errors are ``application/problem+json`` like every other router
(400 bad input, e.g. an invalid identity number or a day beyond the calendar; 403 an office not party to
the case, audited; 404 unknown case or item; 409 a step out of order or a stale ``expected_version``).
Lists take a bounded ``limit`` (1–1000). Responses that carry personal data are sent ``no-store``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from xietong.api.deps import PrincipalDep, StoreDep
from xietong.errors import InputError, Location
from xietong.services import calendar as wd
from xietong.services import caseviews, casework, cooperation, deadlines, registry, reports, retention
from xietong.services.enums import Decision, Mode, PartnershipKind, StepKind

router = APIRouter(prefix="/services", tags=["services"])

Limit = Annotated[int, Query(ge=1, le=registry.MAX_LIMIT, description="most rows returned")]
AsOf = Annotated[dt.date | None, Query(description="the day (China Standard Time); default: today")]
NO_STORE = {"Cache-Control": "no-store"}


class DocumentModel(BaseModel):
    key: str = Field(description="a key of the item's document schema", examples=["written_application"])
    content_base64: str | None = Field(default=None, description="the copy kept (base64); omit if only seen")
    filename: str | None = None
    media_type: str | None = Field(default=None, examples=["application/pdf"])

    def to_input(self) -> casework.DocumentIn:
        content = None
        if self.content_base64 is not None:
            try:
                content = base64.b64decode(self.content_base64, validate=True)
            except (binascii.Error, ValueError):
                raise InputError(
                    f"document {self.key}: content is not base64",
                    expected="standard base64 (RFC 4648 §4)",
                    given=f"{len(self.content_base64)} characters",
                    where=Location(field="content_base64"),
                ) from None
        return casework.DocumentIn(self.key, content, self.filename, self.media_type)


class CaseIn(BaseModel):
    item: str = Field(examples=["JJJ-PS-001"])
    receiving_office: str
    competent_offices: list[str] = Field(min_length=1)
    received_on: dt.date
    identity_number: str = Field(description="citizen identity number (GB 11643-1999); stored encrypted")
    applicant_name: str = Field(description="stored encrypted")
    mode: Mode | None = Field(default=None, description="default: the item's mode")
    documents: list[DocumentModel] = Field(default_factory=list)


class StepIn(BaseModel):
    kind: StepKind
    on: dt.date
    outcome: Decision | None = Field(default=None, description="for a decision")
    office: str | None = Field(default=None, description="the acting office; default: the one you act for")
    expected_version: int | None = Field(default=None, description="refuse (409) if the case changed since")


class SuspendIn(BaseModel):
    on: dt.date
    reason: str
    office: str | None = None
    expected_version: int | None = None


class ResumeIn(BaseModel):
    on: dt.date
    documents: list[DocumentModel] = Field(default_factory=list)
    office: str | None = None
    expected_version: int | None = None


class DocumentsIn(BaseModel):
    on: dt.date
    documents: list[DocumentModel] = Field(min_length=1)
    office: str | None = None


class OfficeIn(BaseModel):
    code: str = Field(examples=["LF-ZWFW-01"])
    jurisdiction: str = Field(examples=["131000"])
    name_zh: str
    name_en: str = ""


class DayIn(BaseModel):
    as_of: dt.date | None = None


class DueOut(BaseModel):
    start: dt.date
    working_days: int
    due_on: dt.date
    calendar: str


# -- calendar -----------------------------------------------------------------------------------------


@router.get("/due", operation_id="servicesDueDate", summary="Due date: N working days after a start day")
def due(
    start: Annotated[dt.date, Query(description="the day the step starts (not counted)")],
    working_days: Annotated[int, Query(ge=0, le=5000, description="time limit [working days]")],
) -> DueOut:
    day = wd.due_date(start, working_days)
    return DueOut(start=start, working_days=working_days, due_on=day, calendar=wd.official_calendar().source)


@router.get("/working-days", operation_id="servicesWorkingDays", summary="Working days in (start, end]")
def working_days(start: dt.date, end: dt.date) -> dict[str, Any]:
    return {"start": start, "end": end, "working_days": int(wd.working_days_between(start, end))}


# -- catalogue and offices ----------------------------------------------------------------------------


@router.get("/items", operation_id="listServiceItems", summary="The cross-province service catalogue")
def list_items(
    store: StoreDep, principal: PrincipalDep, q: str | None = None, limit: Limit = 200
) -> list[dict[str, Any]]:
    return registry.list_items(store, principal, text=q, limit=limit)


@router.get("/items/{code}", operation_id="serviceItemHistory", summary="Every version of an item")
def item_history(code: str, store: StoreDep, principal: PrincipalDep) -> list[dict[str, Any]]:
    return registry.item_history(store, principal, code)


@router.post(
    "/items", operation_id="publishServiceItem", summary="Publish an item or a new version (owners only)",
    status_code=status.HTTP_201_CREATED,
)  # fmt: skip
def publish_item(body: dict[str, Any], store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return registry.publish_item(store, principal, body)


@router.get("/offices", operation_id="listServiceOffices", summary="Offices that receive and handle cases")
def list_offices(store: StoreDep, principal: PrincipalDep, jurisdiction: str | None = None) -> list[dict[str, Any]]:
    return registry.list_offices(store, principal, jurisdiction=jurisdiction)


@router.post(
    "/offices", operation_id="addServiceOffice", summary="Register an office of your jurisdiction",
    status_code=status.HTTP_201_CREATED,
)  # fmt: skip
def add_office(body: OfficeIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return registry.add_office(
        store, principal, body.code, body.jurisdiction, name_zh=body.name_zh, name_en=body.name_en
    )


# -- cases --------------------------------------------------------------------------------------------


@router.post(
    "/cases", operation_id="receiveServiceCase", summary="Receive a case (the receiving office)",
    status_code=status.HTTP_201_CREATED,
)  # fmt: skip
def receive_case(body: CaseIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return casework.receive_case(
        store, principal, item=body.item, receiving_office=body.receiving_office,
        competent_offices=body.competent_offices, received_on=body.received_on,
        identity_number=body.identity_number, applicant_name=body.applicant_name, mode=body.mode,
        documents=[d.to_input() for d in body.documents],
    )  # fmt: skip


@router.get("/cases", operation_id="serviceQueue", summary="Your offices' queue: open steps by due date")
def service_queue(
    store: StoreDep,
    principal: PrincipalDep,
    response: Response,
    office: str | None = None,
    party: Annotated[bool, Query(description="every open step of the cases your offices are party to")] = False,
    as_of: AsOf = None,
    limit: Limit = 100,
) -> list[dict[str, Any]]:
    response.headers.update(NO_STORE)
    return caseviews.queue(store, principal, office=office, party=party, as_of=as_of, limit=limit)


@router.get("/cases/{case_id}", operation_id="getServiceCase", summary="A case (party offices only; audited)")
def get_case(
    case_id: int, store: StoreDep, principal: PrincipalDep, response: Response, as_of: AsOf = None
) -> dict[str, Any]:
    response.headers.update(NO_STORE)
    return caseviews.get_case(store, principal, case_id, as_of=as_of)


@router.post("/cases/{case_id}/steps", operation_id="completeServiceStep", summary="Complete your open step")
def complete_step(case_id: int, body: StepIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return casework.complete_step(
        store, principal, case_id, body.kind, on=body.on, outcome=body.outcome, office=body.office,
        expected_version=body.expected_version,
    )  # fmt: skip


@router.post("/cases/{case_id}/suspend", operation_id="suspendServiceCase", summary="Stop the clock")
def suspend(case_id: int, body: SuspendIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return casework.suspend(
        store, principal, case_id, on=body.on, reason=body.reason, office=body.office,
        expected_version=body.expected_version,
    )  # fmt: skip


@router.post("/cases/{case_id}/resume", operation_id="resumeServiceCase", summary="Restart the clock")
def resume(case_id: int, body: ResumeIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return casework.resume(
        store, principal, case_id, on=body.on, documents=[d.to_input() for d in body.documents],
        office=body.office, expected_version=body.expected_version,
    )  # fmt: skip


@router.post("/cases/{case_id}/documents", operation_id="addServiceDocuments", summary="Documents handed in later")
def add_documents(case_id: int, body: DocumentsIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return casework.add_documents(
        store, principal, case_id, [d.to_input() for d in body.documents], on=body.on, office=body.office
    )


@router.get(
    "/cases/{case_id}/documents/{document_id}", operation_id="getServiceDocument",
    summary="A kept document (party offices of a jurisdiction only; audited)",
    response_class=Response, responses={200: {"content": {"application/octet-stream": {}}}},
)  # fmt: skip
def get_document(case_id: int, document_id: int, store: StoreDep, principal: PrincipalDep) -> Response:
    filename, media_type, content = caseviews.get_document(store, principal, case_id, document_id)
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "document"
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{safe}"'}
    return Response(content, media_type=media_type, headers=headers)


# -- deadlines and retention --------------------------------------------------------------------------


@router.get("/overdue", operation_id="listOverdueServiceSteps", summary="Open steps past their due date")
def list_overdue(
    store: StoreDep, principal: PrincipalDep, as_of: AsOf = None, office: str | None = None, limit: Limit = 200
) -> dict[str, Any]:
    return deadlines.list_overdue(store, principal, as_of=as_of, office=office, limit=limit)


@router.post("/overdue/scan", operation_id="scanOverdueServiceSteps", summary="Announce overdue steps (webhooks)")
def scan_overdue(body: DayIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return deadlines.scan(store, principal, as_of=body.as_of)


@router.post("/retention/purge", operation_id="purgeServicePersonalData", summary="Delete expired personal data")
def purge(body: DayIn, store: StoreDep, principal: PrincipalDep) -> dict[str, Any]:
    return retention.purge(store, principal, as_of=body.as_of)


# -- recognition, partnerships, statistics ------------------------------------------------------------


@router.get("/recognition", operation_id="isRecognised", summary="Is X issued by Y in A recognised in B on D?")
def is_recognised(
    store: StoreDep,
    principal: PrincipalDep,
    catalogue: Annotated[str, Query(examples=["jjjl_clinical_tests"])],
    item: Annotated[str, Query(examples=["K"])],
    issuer: Annotated[str, Query(description="the issuing institution, operator or body")],
    issued_in: Annotated[str, Query(description="jurisdiction where it was issued (code or name)")],
    used_in: Annotated[str, Query(description="jurisdiction where it is presented (code or name)")],
    on: dt.date,
) -> dict[str, Any]:
    return cooperation.recognised(
        store, principal, catalogue=catalogue, item=item, issuer=issuer, issued_in=issued_in, used_in=used_in, on=on
    )


@router.get("/recognition/entries", operation_id="listRecognitionEntries", summary="Mutual-recognition entries")
def recognition_entries(
    store: StoreDep, principal: PrincipalDep, catalogue: str | None = None, limit: Limit = 200
) -> list[dict[str, Any]]:
    return cooperation.list_recognition(store, principal, catalogue=catalogue, limit=limit)


@router.get("/partnerships", operation_id="listPartnerships", summary="Partnerships with rail travel times")
def partnerships(
    store: StoreDep,
    principal: PrincipalDep,
    kind: PartnershipKind | None = None,
    travel_time: Annotated[bool, Query(description="read transit.rail_travel_time_min per city pair")] = True,
) -> list[dict[str, Any]]:
    return cooperation.partnerships(store, principal, kind=kind.value if kind else None, travel_time=travel_time)


@router.get("/stats", operation_id="serviceStatistics", summary="The region's case statistics")
def region_stats(store: StoreDep, principal: PrincipalDep, as_of: AsOf = None) -> dict[str, Any]:
    return reports.region_stats(store, principal, as_of=as_of)


__all__ = ["router"]
