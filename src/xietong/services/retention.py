"""Retention: a closed case's personal data are deleted when its period ends; the audit trail stays.

The period is the item version's ``retention_years`` (copied to the case at receipt), or the default of
``data/retention.toml`` (``confirmed = false``: Xietong's default until the owner sets one). On the day
``closed_on + retention_years`` (calendar years) or later, :func:`purge` deletes the case's documents and
clears the applicant's identity number and name (their ciphertexts), and marks the case ``purged_on``.
The case's steps, dates and decisions stay for the statistics, and so does every audit entry: the log
never held personal data in clear (identity numbers at most masked ``keep_1_1``) and is never rewritten
(``xietong audit verify`` still passes after a purge).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from xietong.enums import Scope
from xietong.errors import InputError, Location
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.services.registry import today
from xietong.services.tables import services_case, services_case_event, services_document
from xietong.store.clock import utcnow
from xietong.store.session import Store


def expires_on(closed_on: dt.date, years: int) -> dt.date:
    """``closed_on`` plus ``years`` calendar years (29 February → 28 February)."""
    try:
        return closed_on.replace(year=closed_on.year + years)
    except ValueError:
        return closed_on.replace(year=closed_on.year + years, day=28)


def purge(store: Store, principal: Principal, *, as_of: dt.date | None = None) -> dict[str, Any]:
    """Delete the personal data of every closed case whose retention period ended on or before ``as_of``
    (an administrator: of the region, or of the receiving office's jurisdiction for its cases)."""
    day = as_of or today()
    with actions.audited_write(store, principal, "services.retention.purge", f"retention {day.isoformat()}") as work:
        principal.require(Scope.ADMIN, "delete personal data whose retention period ended")
        if day > today():
            raise InputError(
                "a purge dated in the future",
                expected=f"a day on or before {today().isoformat()} (China Standard Time)",
                given=day.isoformat(),
                where=Location(field="as_of"),
                hint="retention periods end on their day, never earlier",
            )
        conn = work.conn
        c = services_case.c
        candidates = conn.execute(
            sa.select(c.id, c.closed_on, c.retention_years, c.receiving_jurisdiction).where(
                c.status == "closed", c.purged_on.is_(None), c.closed_on.is_not(None)
            )
        ).all()
        due = [
            r.id
            for r in candidates
            if expires_on(r.closed_on, r.retention_years) <= day and principal.may_act_for(r.receiving_jurisdiction)
        ]
        deleted = 0
        if due:
            deleted = int(conn.execute(services_document.delete().where(services_document.c.case_id.in_(due))).rowcount)
            conn.execute(
                services_case.update()
                .where(c.id.in_(due))
                .values(applicant_id_enc=None, applicant_name_enc=None, purged_on=day, updated_at=utcnow())
            )
            now = utcnow()
            conn.execute(
                services_case_event.insert(),
                [
                    {"case_id": i, "at": now, "on_day": day, "actor": principal.name,
                     "actor_jurisdiction": principal.jurisdiction, "kind": "services.case.purged", "step_seq": None,
                     "detail": '{"reason": "retention period ended"}'}
                    for i in due
                ],
            )  # fmt: skip
        work.detail = {"as_of": day.isoformat(), "cases": due, "documents_deleted": deleted}
    return {"as_of": day.isoformat(), "cases_purged": due, "documents_deleted": deleted}


__all__ = ["expires_on", "purge"]
