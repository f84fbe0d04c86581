"""Water-pollution incidents: cross-border linkage along the river graph.

The state machine (persistent; every step audited and announced through the signed webhook outbox of
:mod:`xietong.exchange.notify`, in the same transaction as the change)::

    open ──► OPEN ──plan (joint monitoring: sampling at downstream sections)──► MONITORING ──close (report)──► CLOSED
              │                                                                 ▲
              └── acknowledge (each notified jurisdiction, any time before closing) ┘

* **Opening.** Either *by exceedance*: a section's stored samples exceed its target class on the same
  evaluated item (GB 3838-2002, the 21 items of the 2011 method) in the last ``N`` consecutive samples
  (:data:`DEFAULT_CONSECUTIVE` = 3, configurable: ``consecutive=``, ``--consecutive``), found by
  :func:`detect_exceedances`; or *by a reported accident* (pollutant, amount) through
  :func:`open_incident`. The owner of the section (or a region-level administrator) opens it.
* **Linkage.** On opening, every section downstream along the stored graph is listed with its
  distance and ETA: travel time = sum of ``distance_km * 1000 / velocity_m_s`` over the links of the
  path (the fastest path where paths meet), ETA = the time the pollution passed the section + travel
  time. Every jurisdiction of the exchange owning such a section (other than the section's own) becomes
  a *party* and is notified (event ``water.incident.opened``) with the ETA at each of its sections.
  Links of the shipped graph are approximate: ETAs are flagged ``approximate`` then.
* **Acknowledgement.** Each party acknowledges once (its principals with ``publish:water``).
* **Joint monitoring plan.** The opener, a party or the region adds sampling (section, items,
  interval, period) at the section or downstream of it; the first plan entry moves the incident to
  MONITORING. The section's owner does the sampling.
* **Closing.** The opener's jurisdiction or the region closes a MONITORING incident with a report;
  parties that never acknowledged are named in the closing event.

Concurrency: writes take the audit-chain lock, and every change bumps ``version`` with a compare-and-set
(``expected_version`` lets a client refuse to act on a stale view: 409), so two jurisdictions
acknowledging at the same moment both have their acknowledgement kept.

The stored incident and its view are in :mod:`xietong.water.incident_views` (re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.errors import ConflictError, InputError, PermissionDeniedError
from xietong.exchange import actions, notify
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.water.domain import WaterEvent, WaterScope
from xietong.water.enums import WaterItem
from xietong.water.exceedances import DEFAULT_CONSECUTIVE, Exceedance, find_exceedances
from xietong.water.formats import to_wide
from xietong.water.incident_views import (
    DownstreamSection,
    IncidentEvent,
    IncidentStatus,
    IncidentView,
    Party,
    Sampling,
    Trigger,
    exchange_jurisdiction,
    get,
    incident_view,
    iso_cst,
    list_incidents,
    load_incident,
)
from xietong.water.network import downstream
from xietong.water.registry import jurisdiction_label, may_publish, network_of, sections_frame
from xietong.water.samples import classify_wide, samples_frame
from xietong.water.tables import (
    water_incident,
    water_incident_event,
    water_incident_party,
    water_incident_sampling,
    water_incident_section,
)

# -- writing ---------------------------------------------------------------------------------------


def _event(
    conn: Connection, incident_id: int, actor: Principal, kind: str, now: datetime,
    *, jurisdiction: str | None = None, detail: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    conn.execute(
        water_incident_event.insert().values(
            incident_id=incident_id,
            at=now,
            actor=actor.name,
            actor_jurisdiction=actor.jurisdiction,
            kind=kind,
            jurisdiction_code=jurisdiction,
            detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        )
    )


def _touch(conn: Connection, w: Any, now: datetime, expected_version: int | None = None, **values: Any) -> None:
    if expected_version is not None and expected_version != w.version:
        raise ConflictError(
            f"water incident {w.id} changed meanwhile",
            expected=f"version {expected_version}",
            given=f"version {w.version}",
            hint="reload the incident and try again",
        )
    result = conn.execute(
        water_incident.update()
        .where(water_incident.c.id == w.id, water_incident.c.version == w.version)
        .values(updated_at=now, version=w.version + 1, **values)
    )
    if result.rowcount != 1:
        raise ConflictError(f"water incident {w.id} changed meanwhile", hint="reload it and try again")


def _involved(view: IncidentView) -> set[str]:
    codes = {view.jurisdiction, *(p.jurisdiction for p in view.parties)}
    if view.opened_jurisdiction:
        codes.add(view.opened_jurisdiction)
    return {c for c in codes if exchange_jurisdiction(c)}


def _announce(conn: Connection, event: str, incident_id: int) -> int:
    view = incident_view(conn, incident_id)
    by_party: dict[str, list[dict[str, Any]]] = {}
    for d in view.downstream:
        by_party.setdefault(d.jurisdiction, []).append(
            {"section": d.section, "name": d.name, "river": d.river, "eta": d.eta,
             "travel_time_h": round(d.travel_time_h, 2), "distance_km": d.distance_km, "approximate": d.approximate}
        )  # fmt: skip
    payload = {
        "incident": {
            "id": view.id,
            "status": view.status,
            "trigger": view.trigger,
            "section": view.section,
            "section_name": view.section_name,
            "river": view.river,
            "jurisdiction": view.jurisdiction,
            "started_at": view.started_at,
            "item": view.item,
            "pollutant": view.pollutant,
            "amount": view.amount,
            "amount_unit": view.amount_unit,
            "version": view.version,
        },
        "notified": [
            {
                "jurisdiction": p.jurisdiction,
                "name": p.name,
                "eta": p.eta,
                "acknowledged": p.acknowledged,
                "sections": by_party.get(p.jurisdiction, []),
            }
            for p in view.parties
        ],
        "plan": [asdict(s) for s in view.plan],
        "last_event": asdict(view.events[-1]) if view.events else None,
    }
    return notify.enqueue(conn, event, payload, _involved(view))


def _active_incident(conn: Connection, section: str, item: str | None) -> int | None:
    q = sa.select(water_incident.c.id).where(
        water_incident.c.section_code == section, water_incident.c.status != IncidentStatus.CLOSED.value
    )
    if item is not None:
        q = q.where(water_incident.c.item == item)
    row = conn.execute(q).first()
    return int(row[0]) if row else None


def open_incident(
    store: Store,
    actor: Principal,
    *,
    section: str,
    started_at: datetime,
    trigger: Trigger | str = Trigger.ACCIDENT,
    pollutant: str | None = None,
    amount: float | None = None,
    amount_unit: str | None = None,
    item: str | None = None,
    description: str = "",
    evidence: dict[str, Any] | None = None,
    max_hours: float | None = None,
    now: datetime | None = None,
) -> IncidentView:
    """Open an incident at ``section`` and notify every jurisdiction downstream with its ETAs.

    ``started_at`` is when the pollution passed the section (timezone-aware; the accident time, or the
    first of the exceeding samples). An accident names its ``pollutant`` (and, when known, ``amount``
    with ``amount_unit``); an exceedance names its ``item``. ``max_hours`` limits the linkage to sections
    reached within that travel time [h].
    """
    with actions.audited_write(store, actor, "water.incident.open", f"section {section}") as work:
        actor.require(WaterScope.PUBLISH, "open water-pollution incidents")
        now = now or utcnow()
        kind = Trigger(trigger)
        item_code = _check_report(kind, started_at, now, pollutant=pollutant, amount=amount, item=item)
        conn = work.conn
        net = network_of(conn)
        owner = str(net.section(section)["jurisdiction"])
        if not may_publish(actor, owner):
            raise PermissionDeniedError(
                f"{actor.describe()} may not open an incident at section {section}",
                expected=f"a principal of {jurisdiction_label(owner)} (the section's owner) or the region",
                given=actor.describe(),
                hint="the jurisdiction where the pollution is opens the incident",
            )
        active = _active_incident(conn, section, item_code) if kind is Trigger.EXCEEDANCE else None
        if active is not None:
            raise ConflictError(
                f"water incident {active} at section {section} ({item_code}) is still open",
                hint="add to its monitoring plan, or close it first",
            )
        reached = downstream(net, section, start=pd.Timestamp(started_at), max_hours=max_hours)
        iid = int(
            conn.execute(
                water_incident.insert()
                .values(
                    status=IncidentStatus.OPEN.value,
                    trigger=kind.value,
                    section_code=section,
                    jurisdiction_code=owner,
                    started_at=started_at,
                    item=item_code,
                    pollutant=(pollutant or "").strip() or None,
                    amount=amount,
                    amount_unit=amount_unit,
                    description=description,
                    evidence=json.dumps(evidence or {}, ensure_ascii=False, default=str),
                    opened_by=actor.name,
                    opened_jurisdiction=actor.jurisdiction,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(water_incident.c.id)
            ).scalar_one()
        )
        parties = _link_downstream(conn, iid, reached, owner, now)
        detail = {
            "trigger": kind.value, "section": section, "started_at": started_at.isoformat(), "item": item_code,
            "pollutant": pollutant, "amount": amount, "amount_unit": amount_unit,
            "downstream_sections": len(reached), "notified": sorted(parties),
        }  # fmt: skip
        _event(conn, iid, actor, "opened", now, jurisdiction=owner, detail=detail)
        _notified_events(conn, iid, actor, now, parties, reached)
        queued = _announce(conn, WaterEvent.INCIDENT_OPENED, iid)
        work.target = f"water incident {iid}"
        work.detail = detail | {"webhooks_queued": queued}
        return incident_view(conn, iid)


def _check_report(
    kind: Trigger,
    started_at: datetime,
    now: datetime,
    *,
    pollutant: str | None,
    amount: float | None,
    item: str | None,
) -> str | None:
    """Refuse a report without a time zone, in the future, an accident without its pollutant, an exceedance
    without its item, or a negative amount; returns the item's code (or ``None``)."""
    if started_at.tzinfo is None:
        raise InputError(
            "started_at: time without a time zone",
            expected="ISO 8601 with an offset, e.g. 2025-11-18T08:00+08:00",
            given=str(started_at),
        )
    if started_at > now + timedelta(minutes=5):
        raise InputError("the pollution cannot pass the section in the future", given=started_at.isoformat())
    item_code = WaterItem.parse(item).value if item else None
    if kind is Trigger.ACCIDENT and not (pollutant or "").strip():
        raise InputError("a reported accident names its pollutant", given="no pollutant", hint="e.g. --pollutant 氨氮")
    if kind is Trigger.EXCEEDANCE and item_code is None:
        raise InputError("an exceedance names the exceeding item", given="no item")
    if amount is not None and not amount >= 0:
        raise InputError("amount must be >= 0", given=repr(amount))
    return item_code


def _link_downstream(
    conn: Connection, iid: int, reached: pd.DataFrame, owner: str, now: datetime
) -> dict[str, tuple[datetime, str]]:
    """Record the downstream sections the pollution reaches (with ETAs) and notify, as parties, the
    jurisdictions of the exchange other than the owner; returns party → (first ETA, first section)."""
    parties: dict[str, tuple[datetime, str]] = {}
    for r in reached.to_dict("records"):
        eta = pd.Timestamp(r["arrival"]).to_pydatetime()
        conn.execute(
            water_incident_section.insert().values(
                incident_id=iid,
                section_code=str(r["section"]),
                jurisdiction_code=str(r["jurisdiction"]),
                distance_km=float(r["distance_km"]),
                travel_time_h=float(r["travel_time_h"]),
                eta=eta,
                path=json.dumps(list(r["path"])),
                approximate=bool(r["approximate"]),
            )
        )
        j = str(r["jurisdiction"])
        if j != owner and exchange_jurisdiction(j) and (j not in parties or eta < parties[j][0]):
            parties[j] = (eta, str(r["section"]))
    for j, (eta, first) in sorted(parties.items()):
        conn.execute(
            water_incident_party.insert().values(
                incident_id=iid, jurisdiction_code=j, first_section=first, eta=eta, notified_at=now
            )
        )
    return parties


def _notified_events(
    conn: Connection,
    iid: int,
    actor: Principal,
    now: datetime,
    parties: dict[str, tuple[datetime, str]],
    reached: pd.DataFrame,
) -> None:
    """One ``notified`` event per party, earliest ETA first, naming its sections on the path."""
    for j, (eta, first) in sorted(parties.items(), key=lambda kv: kv[1][0]):
        sections = [s for s, jj in zip(reached["section"], reached["jurisdiction"], strict=True) if jj == j]
        detail = {"first_section": first, "eta": iso_cst(eta), "sections": sections}
        _event(conn, iid, actor, "notified", now, jurisdiction=j, detail=detail)


def acknowledge(
    store: Store,
    actor: Principal,
    incident_id: int,
    *,
    jurisdiction: str | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> IncidentView:
    """A notified jurisdiction acknowledges the incident (once). ``jurisdiction`` defaults to the party
    the actor acts for."""
    with actions.audited_write(store, actor, "water.incident.acknowledge", f"water incident {incident_id}") as work:
        actor.require(WaterScope.PUBLISH, "acknowledge water incidents")
        now = now or utcnow()
        conn = work.conn
        w = load_incident(conn, incident_id, lock=True)
        rows = conn.execute(
            sa.select(water_incident_party).where(water_incident_party.c.incident_id == incident_id)
        ).all()
        named = [r.jurisdiction_code for r in rows]
        if jurisdiction:
            code = region.get(jurisdiction).code
        else:
            mine = [c for c in named if actor.jurisdiction is not None and actor.may_act_for(c)]
            code = mine[0] if len(mine) == 1 else (actor.jurisdiction or "")
        row = next((r for r in rows if r.jurisdiction_code == code), None)
        if row is None or actor.jurisdiction is None or not actor.may_act_for(code):
            raise PermissionDeniedError(
                f"{actor.describe()} may not acknowledge water incident {incident_id}"
                + (f" for {jurisdiction_label(code)}" if code else ""),
                expected="a principal of a notified jurisdiction (" + (", ".join(named) or "none") + ")",
                given=actor.describe(),
                hint="each jurisdiction downstream acknowledges for itself",
            )
        if w.status == IncidentStatus.CLOSED.value:
            raise ConflictError(f"water incident {incident_id} is closed")
        if row.acknowledged_at is not None:
            raise ConflictError(
                f"{jurisdiction_label(code)} already acknowledged water incident {incident_id}",
                given=f"by {row.acknowledged_by} at {iso_cst(row.acknowledged_at)}",
            )
        conn.execute(
            water_incident_party.update()
            .where(water_incident_party.c.incident_id == incident_id, water_incident_party.c.jurisdiction_code == code)
            .values(acknowledged_by=actor.name, acknowledged_at=now, ack_note=note)
        )
        _touch(conn, w, now, expected_version)
        _event(conn, incident_id, actor, "acknowledged", now, jurisdiction=code, detail={"note": note})
        _announce(conn, WaterEvent.INCIDENT_ACKNOWLEDGED, incident_id)
        work.detail = {"jurisdiction": code, "note": note}
        return incident_view(conn, incident_id)


def add_sampling(
    store: Store,
    actor: Principal,
    incident_id: int,
    *,
    section: str,
    items: Iterable[str],
    every_h: float,
    start: datetime | None = None,
    end: datetime | None = None,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> IncidentView:
    """Add sampling to the joint monitoring plan: ``items`` every ``every_h`` hours at ``section`` (the
    incident's section or one downstream of it) from ``start`` (default now) to ``end``. The first entry
    moves the incident to MONITORING."""
    with actions.audited_write(store, actor, "water.incident.plan", f"water incident {incident_id}") as work:
        actor.require(WaterScope.PUBLISH, "plan joint monitoring")
        now = now or utcnow()
        conn = work.conn
        w = load_incident(conn, incident_id, lock=True)
        if w.status == IncidentStatus.CLOSED.value:
            raise ConflictError(f"water incident {incident_id} is closed")
        reached = _path_sections(conn, actor, w)
        if section not in reached:
            raise InputError(
                f"section {section} is not on the incident's path",
                expected="the incident's section or one downstream: " + ", ".join(sorted(reached)),
                given=section,
            )
        codes = [WaterItem.parse(i).value for i in items]
        if not codes:
            raise InputError("a sampling plan names at least one item", given="none", hint="e.g. nh3n codmn do")
        if not (every_h > 0):
            raise InputError("the sampling interval must be positive", expected="> 0 [h]", given=repr(every_h))
        start = start or now
        for name, value in (("start", start), ("end", end)):
            if value is not None and value.tzinfo is None:
                raise InputError(f"{name}: time without a time zone", expected="ISO 8601 with an offset")
        if end is not None and end <= start:
            raise InputError("the sampling period is empty", expected="end after start", given=f"{start} .. {end}")
        sid = int(
            conn.execute(
                water_incident_sampling.insert()
                .values(
                    incident_id=incident_id,
                    section_code=section,
                    jurisdiction_code=reached[section],
                    items=" ".join(codes),
                    every_h=float(every_h),
                    start_at=start,
                    end_at=end,
                    added_by=actor.name,
                    added_at=now,
                    note=note,
                )
                .returning(water_incident_sampling.c.id)
            ).scalar_one()
        )
        _touch(conn, w, now, expected_version, status=IncidentStatus.MONITORING.value)
        detail = {"sampling": sid, "section": section, "items": codes, "every_h": every_h,
                  "start": iso_cst(start), "end": iso_cst(end), "note": note}  # fmt: skip
        _event(conn, incident_id, actor, "plan", now, jurisdiction=reached[section], detail=detail)
        _announce(conn, WaterEvent.INCIDENT_PLAN, incident_id)
        work.detail = detail
        return incident_view(conn, incident_id)


def _path_sections(conn: Connection, actor: Principal, w: Any) -> dict[str, str]:
    """The sections on incident ``w``'s path (its own and those downstream) → jurisdiction, once ``actor`` is
    known to be of the section's jurisdiction, of a notified one, or of the region."""
    parties = [
        r[0]
        for r in conn.execute(
            sa.select(water_incident_party.c.jurisdiction_code).where(water_incident_party.c.incident_id == w.id)
        )
    ]
    involved = [w.jurisdiction_code, *parties]
    if not (actor.region_level or any(actor.may_act_for(j) for j in involved if exchange_jurisdiction(j))):
        raise PermissionDeniedError(
            f"{actor.describe()} may not plan monitoring for water incident {w.id}",
            expected="a principal of the section's jurisdiction, of a notified jurisdiction, or the region",
            given=actor.describe(),
        )
    return {
        r.section_code: r.jurisdiction_code
        for r in conn.execute(sa.select(water_incident_section).where(water_incident_section.c.incident_id == w.id))
    } | {w.section_code: w.jurisdiction_code}


def close(
    store: Store,
    actor: Principal,
    incident_id: int,
    *,
    report: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> IncidentView:
    """Close a MONITORING incident with its report (the section's jurisdiction, the opener or the region)."""
    with actions.audited_write(store, actor, "water.incident.close", f"water incident {incident_id}") as work:
        actor.require(WaterScope.PUBLISH, "close water incidents")
        now = now or utcnow()
        conn = work.conn
        w = load_incident(conn, incident_id, lock=True)
        if not (actor.region_level or actor.name == w.opened_by or may_publish(actor, w.jurisdiction_code)):
            raise PermissionDeniedError(
                f"{actor.describe()} may not close water incident {incident_id}",
                expected=f"a principal of {jurisdiction_label(w.jurisdiction_code)}, its opener or the region",
                given=actor.describe(),
            )
        if w.status == IncidentStatus.CLOSED.value:
            raise ConflictError(f"water incident {incident_id} is already closed")
        if w.status != IncidentStatus.MONITORING.value:
            raise ConflictError(
                f"water incident {incident_id} is {w.status}",
                expected="an incident under joint monitoring",
                hint="add the joint monitoring plan first (xietong water incident plan)",
            )
        if not report.strip():
            raise InputError("an incident closes with a report", given="an empty report")
        pending = [
            r[0]
            for r in conn.execute(
                sa.select(water_incident_party.c.jurisdiction_code).where(
                    water_incident_party.c.incident_id == incident_id,
                    water_incident_party.c.acknowledged_at.is_(None),
                )
            )
        ]
        _touch(conn, w, now, expected_version, status=IncidentStatus.CLOSED.value, report=report, closed_at=now)
        detail = {"report": report, "unacknowledged": pending}
        _event(conn, incident_id, actor, "closed", now, jurisdiction=w.jurisdiction_code, detail=detail)
        _announce(conn, WaterEvent.INCIDENT_CLOSED, incident_id)
        work.detail = detail
        return incident_view(conn, incident_id)


# -- detection -------------------------------------------------------------------------------------


def detect_exceedances(
    store: Store,
    actor: Principal,
    *,
    consecutive: int = DEFAULT_CONSECUTIVE,
    sections: Iterable[str] | None = None,
) -> list[IncidentView]:
    """Open an incident (trigger ``exceedance``) for every section whose last ``consecutive`` stored
    samples exceed its target class on the same item, unless one is already open for that section and
    item. Only sections the actor may open incidents for are considered."""
    actor.require(WaterScope.PUBLISH, "open water-pollution incidents")
    with store.read() as conn:
        meta = sections_frame(conn, codes=sections)
        own = [c for c, j in zip(meta["code"], meta["jurisdiction"], strict=True) if may_publish(actor, str(j))]
        long = samples_frame(conn, sections=own)
        active = {
            (r.section_code, r.item)
            for r in conn.execute(
                sa.select(water_incident.c.section_code, water_incident.c.item).where(
                    water_incident.c.status != IncidentStatus.CLOSED.value
                )
            )
        }
    if long.empty:
        return []
    classified = classify_wide(to_wide(long.assign(unit="")), meta.set_index("code"))
    opened: list[IncidentView] = []
    for ex in find_exceedances(classified, consecutive=consecutive):
        if (ex.section, ex.item) in active:
            continue
        opened.append(
            open_incident(
                store, actor, section=ex.section, started_at=ex.first_time, trigger=Trigger.EXCEEDANCE, item=ex.item,
                description=(f"{ex.item} worse than the target class {ex.target_class} in the last {consecutive} "
                             f"samples ({', '.join(ex.classes)})"),
                evidence={"consecutive": consecutive, "first_time": ex.first_time.isoformat(),
                          "last_time": ex.last_time.isoformat(), "classes": ex.classes, "values": ex.values,
                          "target_class": ex.target_class},
            )
        )  # fmt: skip
    return opened


__all__ = [
    "DEFAULT_CONSECUTIVE",
    "DownstreamSection",
    "Exceedance",
    "IncidentEvent",
    "IncidentStatus",
    "IncidentView",
    "Party",
    "Sampling",
    "Trigger",
    "acknowledge",
    "add_sampling",
    "close",
    "detect_exceedances",
    "exchange_jurisdiction",
    "find_exceedances",
    "get",
    "list_incidents",
    "open_incident",
]
