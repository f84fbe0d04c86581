"""Overdue steps: the indexed query, and the scan that raises ``services.step.overdue`` webhooks.

A step is overdue on day D when it is open (the clock runs: not pending, not done, the case not
suspended) and its due date is before D. The query reads the partial index
``ix_services_step_open_due`` (``due_on`` of the rows with ``status = 'open'``), or
``ix_services_step_open_office_due`` for one office, so it touches only open steps, in due order
(``bench/bench_services.py`` measures it over a million open cases on PostgreSQL).

:func:`scan` queues one ``services.step.overdue`` event per overdue step and due date, to the
jurisdictions of every office party to the case (the receiving and the competent offices), in the same
transaction that records it: a step is announced again only if its due date moved (after a suspension)
and it became overdue once more. ``xietong services overdue scan`` runs it; a server or a cron job can
call :func:`scan` daily.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.enums import Scope
from xietong.errors import PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.services import calendar as wd
from xietong.services import cases as core
from xietong.services.caseviews import audited_read
from xietong.services.casework import announce
from xietong.services.domain import ServicesScope
from xietong.services.enums import EventType, StepKind
from xietong.services.registry import check_limit, today
from xietong.services.tables import services_case, services_case_party, services_office, services_step
from xietong.store.session import Store

#: most steps one scan announces (the rest wait for the next scan)
SCAN_BATCH = 10_000


def overdue_query(as_of: dt.date, *, offices: list[str] | None = None, limit: int = 200) -> sa.Select[Any]:
    """Open steps due before ``as_of`` (of ``offices``), earliest first: served by the partial indexes."""
    s = services_step.c
    q = sa.select(s.case_id, s.seq, s.kind, s.office_code, s.jurisdiction_code, s.due_on, s.overdue_notified_due).where(
        s.status == "open", s.due_on < as_of
    )
    if offices is not None:
        q = q.where(s.office_code.in_(offices))
    return q.order_by(s.due_on, s.case_id, s.seq).limit(limit)


def unannounced_query(as_of: dt.date, *, offices: list[str] | None = None, limit: int = SCAN_BATCH) -> sa.Select[Any]:
    """The overdue steps not yet announced for their current due date (what :func:`scan` announces)."""
    s = services_step.c
    return overdue_query(as_of, offices=offices, limit=limit).where(
        sa.or_(s.overdue_notified_due.is_(None), s.overdue_notified_due != s.due_on)
    )


def overdue_count(conn: Connection, as_of: dt.date, *, offices: list[str] | None = None) -> int:
    s = services_step.c
    q = sa.select(sa.func.count()).select_from(services_step).where(s.status == "open", s.due_on < as_of)
    if offices is not None:
        q = q.where(s.office_code.in_(offices))
    return int(conn.execute(q).scalar_one())


def _offices_of(conn: Connection, principal: Principal) -> list[str] | None:
    if principal.jurisdiction is None and principal.has(Scope.ADMIN):
        return None
    rows = conn.execute(sa.select(services_office.c.code, services_office.c.jurisdiction_code)).all()
    return [code for code, j in rows if principal.may_act_for(j)]


def _late(due: list[dt.date], as_of: dt.date) -> list[int]:
    """Working days late [working days] of each due date on ``as_of``."""
    if not due:
        return []
    counts = wd.working_days_between(np.array(due, dtype="datetime64[D]"), np.datetime64(as_of, "D"))
    return [int(c) for c in counts]


def list_overdue(
    store: Store, principal: Principal, *, as_of: dt.date | None = None, office: str | None = None, limit: int = 200
) -> dict[str, Any]:
    """The overdue steps of the principal's offices (every office for the region), with working days late."""
    principal.require(ServicesScope.HANDLE, "read overdue service steps")
    day = as_of or today()
    limit = check_limit(limit)

    def read() -> tuple[dict[str, Any], dict[str, Any]]:
        with store.read() as conn:
            offices = _offices_of(conn, principal)
            if office is not None:
                if offices is not None and office not in offices:
                    raise PermissionDeniedError(
                        f"{principal.describe()} does not act for office {office}", given=office
                    )
                offices = [office]
            rows = conn.execute(overdue_query(day, offices=offices, limit=limit)).all()
            total = overdue_count(conn, day, offices=offices)
        late = _late([r.due_on for r in rows], day)
        steps = [
            {
                "case": r.case_id, "seq": r.seq, "step": r.kind, "office": r.office_code,
                "jurisdiction": r.jurisdiction_code, "due_on": r.due_on.isoformat(), "working_days_late": n,
                "announced": r.overdue_notified_due == r.due_on,
            }
            for r, n in zip(rows, late, strict=True)
        ]  # fmt: skip
        result = {"as_of": day.isoformat(), "total": total, "steps": steps}
        return result, {"as_of": day.isoformat(), "total": total, "cases": sorted({s["case"] for s in steps})}

    return audited_read(store, principal, "services.overdue.list", f"overdue {office or 'all'}", read)


def scan(
    store: Store, principal: Principal, *, as_of: dt.date | None = None, batch: int = SCAN_BATCH
) -> dict[str, Any]:
    """Announce the overdue steps not yet announced for their current due date (webhooks to both offices)."""
    day = as_of or today()
    with actions.audited_write(store, principal, "services.overdue.scan", f"overdue {day.isoformat()}") as work:
        principal.require(ServicesScope.HANDLE, "scan service cases for overdue steps")
        conn = work.conn
        offices = _offices_of(conn, principal)
        s = services_step.c
        rows = conn.execute(unannounced_query(day, offices=offices, limit=batch)).all()
        late = _late([r.due_on for r in rows], day)
        parties: dict[int, dict[str, str]] = {}
        meta: dict[int, Any] = {}
        if rows:
            ids = sorted({r.case_id for r in rows})
            for p in conn.execute(sa.select(services_case_party).where(services_case_party.c.case_id.in_(ids))):
                parties.setdefault(p.case_id, {})[p.office_code] = p.jurisdiction_code
            meta = {
                c.id: c
                for c in conn.execute(
                    sa.select(services_case.c.id, services_case.c.item_code, services_case.c.mode).where(
                        services_case.c.id.in_(ids)
                    )
                )
            }
        queued = 0
        for r, n in zip(rows, late, strict=True):
            offices_of_case = parties[r.case_id]
            event = core.Event(
                EventType.STEP_OVERDUE, str(r.case_id), day, tuple(offices_of_case), r.seq, StepKind(r.kind),
                {"due_on": r.due_on.isoformat(), "working_days_late": n, "office": r.office_code},
            )  # fmt: skip
            info = meta[r.case_id]
            queued += announce(conn, r.case_id, info.item_code, info.mode, offices_of_case, [event], principal)
            conn.execute(
                services_step.update()
                .where(s.case_id == r.case_id, s.seq == r.seq)
                .values(overdue_notified_due=r.due_on)
            )
        work.detail = {
            "as_of": day.isoformat(),
            "announced": len(rows),
            "webhooks": queued,
            "cases": sorted({r.case_id for r in rows})[:200],
        }
        return {"as_of": day.isoformat(), "announced": len(rows), "webhooks_queued": queued, "more": len(rows) == batch}


__all__ = ["SCAN_BATCH", "list_overdue", "overdue_count", "overdue_query", "scan", "unannounced_query"]
