"""Reading service cases: one case, an office's queue, a document. Every read is audited.

A read that succeeds appends an ``ok`` audit entry naming the reader, the case(s) and whether personal data
were shown (``services.case.read``, ``services.case.list``, ``services.document.read``); a refused read — a
principal of a jurisdiction that is not party to the case — is answered 403 and appended as ``denied``.
Audit entries carry identity numbers masked ``keep_1_1`` at most (:mod:`xietong.services.privacy`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Location, PermissionDeniedError, XietongError
from xietong.exchange import actions, audit
from xietong.exchange.principals import Principal
from xietong.services import calendar as wd
from xietong.services import cases as core
from xietong.services import casework, privacy
from xietong.services.domain import ServicesScope
from xietong.services.enums import StepKind
from xietong.services.errors import NotPartyError
from xietong.services.registry import check_limit, today
from xietong.services.tables import (
    services_case,
    services_case_event,
    services_case_party,
    services_document,
    services_item,
    services_office,
    services_step,
)
from xietong.store.session import Store

T = TypeVar("T")


def audited_read(
    store: Store, principal: Principal, action: str, target: str, read: Callable[[], tuple[T, dict[str, Any]]]
) -> T:
    """Run ``read`` (returning the result and the audit detail) and record the read, or its refusal."""
    try:
        result, detail = read()
    except XietongError as exc:
        actions.record_refusal(store, principal, action, target, exc)
        raise
    actions.record(store, principal, action, target, audit.Outcome.OK, detail)
    return result


def _reader_offices(principal: Principal, offices: dict[str, str], case_id: int) -> list[str]:
    """The party offices ``principal`` reads the case for; :class:`NotPartyError` when none."""
    principal.require(ServicesScope.HANDLE, "read service cases")
    mine = [code for code, j in offices.items() if principal.may_act_for(j)]
    if not mine:
        parties = ", ".join(f"{c} ({region.display_name(j)})" for c, j in offices.items())
        raise NotPartyError(
            f"{principal.describe()} is not party to service case {case_id}",
            expected=f"a principal of an office handling it: {parties}",
            given=principal.describe(),
            hint="only the offices handling a case may read it",
        )
    return mine


def _applicant(row: Any, store: Store, show: bool) -> tuple[dict[str, Any], str | None]:
    """The applicant as the reader may see it, and the number masked for the log."""
    if row.purged_on is not None or row.applicant_id_enc is None:
        return {"identity_number": None, "name": None, "purged_on": row.purged_on and row.purged_on.isoformat()}, None
    sb = privacy.box(store)
    number = privacy.open_text(sb, row.id, "identity_number", row.applicant_id_enc)
    if show:
        name = privacy.open_text(sb, row.id, "applicant_name", row.applicant_name_enc)
        return {"identity_number": number, "identity_masked": privacy.for_list(number), "name": name}, privacy.for_log(
            number
        )
    return {"identity_number": None, "identity_masked": privacy.for_list(number), "name": None}, privacy.for_log(number)


def _documents(conn: Connection, store: Store, case_id: int, show: bool) -> list[dict[str, Any]]:
    sb = privacy.box(store) if show else None
    out = []
    for d in conn.execute(
        sa.select(services_document).where(services_document.c.case_id == case_id).order_by(services_document.c.id)
    ):
        filename = None
        if sb is not None and d.filename_enc:
            filename = privacy.open_text(sb, case_id, f"document/{d.key}/filename", d.filename_enc)
        out.append(
            {
                "id": d.id, "key": d.key, "filename": filename, "media_type": d.media_type, "size_bytes": d.size_bytes,
                "copy_kept": d.content_enc is not None, "added_on": d.added_on.isoformat(), "office": d.office_code,
            }
        )  # fmt: skip
    return out


def _steps(loaded: casework.Loaded, as_of: dt.date) -> list[dict[str, Any]]:
    out = []
    for s in loaded.case.steps:
        left = None
        if s.due_on is not None and s.done_on is None:
            left = (
                int(wd.working_days_between(as_of, s.due_on))
                if s.due_on >= as_of
                else -int(wd.working_days_between(s.due_on, as_of))
            )
        out.append(
            {
                "seq": s.seq, "kind": s.kind.value, "office": s.office, "status": casework.step_status(loaded.case, s),
                "depends_on": list(s.depends_on), "time_limit_wd": s.time_limit_wd, "basis": s.basis,
                "opened_on": _iso(s.opened_on), "due_on": _iso(s.due_on), "done_on": _iso(s.done_on),
                "suspended_wd": s.suspended_wd, "outcome": s.outcome, "working_days_left": left,
                "on_time": None if s.done_on is None or s.due_on is None else s.done_on <= s.due_on,
            }
        )  # fmt: skip
    return out


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def get_case(store: Store, principal: Principal, case_id: int, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """One case with its steps and deadlines, suspensions, documents and events (audited).

    The identity number and name are shown in full only to a principal of a jurisdiction whose office is
    party to the case (:func:`xietong.services.privacy.sees_personal_data`)."""
    day = as_of or today()

    def read() -> tuple[dict[str, Any], dict[str, Any]]:
        with store.read() as conn:
            loaded = casework.load(conn, case_id)
            offices = {o.id: o.jurisdiction for o in loaded.case.offices.values()}
            mine = _reader_offices(principal, offices, case_id)
            show = privacy.sees_personal_data(principal, [offices[o] for o in mine])
            applicant, logged = _applicant(loaded.row, store, show)
            item = conn.execute(
                sa.select(services_item.c.name_zh, services_item.c.name_en).where(
                    services_item.c.code == loaded.row.item_code, services_item.c.version == loaded.row.item_version
                )
            ).one()
            names = dict(
                conn.execute(
                    sa.select(services_office.c.code, services_office.c.name_zh).where(
                        services_office.c.code.in_(list(offices))
                    )
                ).all()
            )
            events = [
                {"at": e.at.isoformat(), "on": e.on_day.isoformat(), "actor": e.actor, "kind": e.kind, "step_seq": e.step_seq, "detail": json.loads(e.detail)}
                for e in conn.execute(sa.select(services_case_event).where(services_case_event.c.case_id == case_id).order_by(services_case_event.c.id))
            ]  # fmt: skip
            documents = _documents(conn, store, case_id, show)
        row, case = loaded.row, loaded.case
        view = {
            "id": case_id, "item": row.item_code, "item_version": row.item_version, "item_name_zh": item.name_zh,
            "item_name_en": item.name_en, "mode": row.mode, "status": row.status, "version": row.version,
            "received_on": row.received_on.isoformat(), "closed_on": _iso(row.closed_on),
            "receiving": {"office": case.receiving.id, "jurisdiction": case.receiving.jurisdiction, "name": names.get(case.receiving.id)},
            "competent": [{"office": o.id, "jurisdiction": o.jurisdiction, "name": names.get(o.id)} for o in case.competent],
            "applicant": applicant, "personal_data": "shown" if show and logged else ("purged" if logged is None else "masked"),
            "retention_years": row.retention_years, "documents_required": sorted(case.required_documents),
            "documents": documents,
            "suspensions": [{"from": s.from_day.isoformat(), "to": _iso(s.to_day), "office": s.office, "reason": s.reason} for s in case.suspensions],
            "steps": _steps(loaded, day), "events": events, "read_as": mine,
            "allowed_steps": sorted({f"{s.office}:{s.kind.value}" for o in mine for s in core.allowed_steps(case, o)}),
        }  # fmt: skip
        detail = {"case": case_id, "offices": mine, "personal_data": view["personal_data"], "applicant": logged}
        return view, detail

    return audited_read(store, principal, "services.case.read", f"case {case_id}", read)


def get_document(store: Store, principal: Principal, case_id: int, document_id: int) -> tuple[str, str, bytes]:
    """``(filename, media_type, content)`` of a kept document: only for the offices handling the case."""

    def read() -> tuple[tuple[str, str, bytes], dict[str, Any]]:
        with store.read() as conn:
            loaded = casework.load(conn, case_id)
            offices = {o.id: o.jurisdiction for o in loaded.case.offices.values()}
            mine = _reader_offices(principal, offices, case_id)
            if not privacy.sees_personal_data(principal, [offices[o] for o in mine]):
                raise PermissionDeniedError(
                    f"documents of case {case_id} are shown only to the offices handling it",
                    expected="a principal of a party office's jurisdiction",
                    given=principal.describe(),
                )
            doc = conn.execute(
                sa.select(services_document).where(
                    services_document.c.case_id == case_id, services_document.c.id == document_id
                )
            ).first()
        if doc is None or doc.content_enc is None:
            raise InputError(
                f"case {case_id} keeps no copy of document {document_id}",
                expected="the id of a document with copy_kept = true",
                given=str(document_id),
                where=Location(field="document"),
            )
        sb = privacy.box(store)
        content = privacy.open_bytes(sb, case_id, f"document/{doc.key}/content", doc.content_enc)
        filename = (
            privacy.open_text(sb, case_id, f"document/{doc.key}/filename", doc.filename_enc)
            if doc.filename_enc
            else f"{doc.key}.bin"
        )
        detail = {"case": case_id, "document": document_id, "key": doc.key, "offices": mine}
        return (filename, doc.media_type or "application/octet-stream", content), detail

    return audited_read(store, principal, "services.document.read", f"case {case_id}", read)


def _offices_of(conn: Connection, principal: Principal) -> list[str] | None:
    """The offices ``principal`` acts for (``None``: every office, region level)."""
    if principal.jurisdiction is None and principal.has(Scope.ADMIN):
        return None
    rows = conn.execute(sa.select(services_office.c.code, services_office.c.jurisdiction_code)).all()
    return [code for code, j in rows if principal.may_act_for(j)]


def queue(
    store: Store,
    principal: Principal,
    *,
    office: str | None = None,
    party: bool = False,
    as_of: dt.date | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """An office's queue: the open and suspended steps of its offices (``party``: of every case its
    offices are party to), earliest due first, with working days left on the official calendar (audited).
    """
    principal.require(ServicesScope.HANDLE, "read the queue of service cases")
    day = as_of or today()
    limit = check_limit(limit)

    def read() -> tuple[list[dict[str, Any]], dict[str, Any]]:
        with store.read() as conn:
            offices = _offices_of(conn, principal)
            if office is not None:
                if offices is not None and office not in offices:
                    raise PermissionDeniedError(
                        f"{principal.describe()} does not act for office {office}", given=office
                    )
                offices = [office]
            q = (
                sa.select(
                    services_step.c.case_id, services_step.c.seq, services_step.c.kind, services_step.c.office_code,
                    services_step.c.status, services_step.c.opened_on, services_step.c.due_on, services_case.c.item_code,
                    services_case.c.receiving_office, services_case.c.received_on, services_case.c.applicant_id_enc,
                    services_case.c.purged_on,
                )
                .join(services_case, services_case.c.id == services_step.c.case_id)
                .where(services_step.c.status.in_(("open", "suspended")))
                .order_by(services_step.c.due_on.is_(None), services_step.c.due_on, services_step.c.case_id, services_step.c.seq)
                .limit(limit)
            )  # fmt: skip
            if offices is not None:
                if party:
                    cases = sa.select(services_case_party.c.case_id).where(
                        services_case_party.c.office_code.in_(offices)
                    )
                    q = q.where(services_step.c.case_id.in_(cases))
                else:
                    q = q.where(services_step.c.office_code.in_(offices))
            rows = conn.execute(q).all()
        show = principal.jurisdiction is not None
        sb = privacy.box(store) if show else None
        out = []
        for r in rows:
            masked = None
            if sb is not None and r.applicant_id_enc is not None:
                masked = privacy.for_list(privacy.open_text(sb, r.case_id, "identity_number", r.applicant_id_enc))
            left = None
            if r.due_on is not None:
                left = (
                    int(wd.working_days_between(day, r.due_on))
                    if r.due_on >= day
                    else -int(wd.working_days_between(r.due_on, day))
                )
            out.append(
                {
                    "case": r.case_id, "item": r.item_code, "seq": r.seq, "step": StepKind(r.kind).value,
                    "office": r.office_code, "status": r.status, "opened_on": _iso(r.opened_on), "due_on": _iso(r.due_on),
                    "working_days_left": left, "overdue": r.status == "open" and r.due_on is not None and r.due_on < day,
                    "receiving_office": r.receiving_office, "received_on": r.received_on.isoformat(), "applicant": masked,
                }
            )  # fmt: skip
        detail = {"cases": sorted({r["case"] for r in out}), "office": office, "as_of": day.isoformat()}
        return out, detail

    return audited_read(
        store, principal, "services.case.list", f"queue {office or principal.jurisdiction or 'region'}", read
    )


__all__ = ["audited_read", "get_case", "get_document", "queue"]
