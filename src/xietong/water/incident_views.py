"""Water-pollution incidents as stored and read: their statuses and triggers, the view of one incident (its
downstream sections with ETAs, parties, monitoring plan and events), and the reading services. The state
machine that changes them is :mod:`xietong.water.incidents`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.errors import NotFoundError
from xietong.exchange.principals import Principal
from xietong.store.session import Store
from xietong.water.formats import CST
from xietong.water.registry import sections_frame
from xietong.water.tables import (
    water_incident,
    water_incident_event,
    water_incident_party,
    water_incident_sampling,
    water_incident_section,
)


class IncidentStatus(StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    CLOSED = "closed"


class Trigger(StrEnum):
    """Why an incident was opened."""

    EXCEEDANCE = "exceedance"  # N consecutive samples worse than the target class
    ACCIDENT = "accident"  # a reported pollution accident (pollutant, amount)


def iso_cst(value: datetime | None) -> str | None:
    return value.astimezone(CST).isoformat() if value is not None else None


def exchange_jurisdiction(code: str) -> bool:
    """Whether ``code`` is one of the 15 jurisdictions of the exchange (they can be notified)."""
    found = region.find(code)
    return found is not None and found.jurisdiction


@dataclass(frozen=True, slots=True)
class DownstreamSection:
    section: str
    name: str
    river: str
    jurisdiction: str
    distance_km: float
    travel_time_h: float
    eta: str
    path: list[str]
    approximate: bool


@dataclass(frozen=True, slots=True)
class Party:
    jurisdiction: str
    name: str
    first_section: str
    eta: str
    notified_at: str
    acknowledged_by: str | None
    acknowledged_at: str | None
    note: str | None

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


@dataclass(frozen=True, slots=True)
class Sampling:
    id: int
    section: str
    jurisdiction: str
    items: list[str]
    every_h: float
    start: str
    end: str | None
    added_by: str
    added_at: str
    note: str | None


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    at: str
    actor: str
    actor_jurisdiction: str | None
    kind: str
    jurisdiction: str | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class IncidentView:
    id: int
    status: str
    trigger: str
    section: str
    section_name: str
    river: str
    jurisdiction: str
    started_at: str
    item: str | None
    pollutant: str | None
    amount: float | None
    amount_unit: str | None
    description: str
    evidence: dict[str, Any]
    opened_by: str
    opened_jurisdiction: str | None
    report: str | None
    closed_at: str | None
    created_at: str
    updated_at: str
    version: int
    downstream: list[DownstreamSection] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    plan: list[Sampling] = field(default_factory=list)
    events: list[IncidentEvent] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def party(self, jurisdiction: str) -> Party:
        return next(p for p in self.parties if p.jurisdiction == jurisdiction)


def load_incident(conn: Connection, incident_id: int, *, lock: bool = False) -> Any:
    q = sa.select(water_incident).where(water_incident.c.id == incident_id)
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError(f"no water incident {incident_id}", hint="list them with `xietong water incident list`")
    return row


def incident_view(conn: Connection, incident_id: int) -> IncidentView:
    w = load_incident(conn, incident_id)
    meta = sections_frame(conn).set_index("code")

    def meta_of(code: str, col: str) -> str:
        return str(meta.at[code, col]) if code in meta.index else ""

    down = [
        DownstreamSection(
            r.section_code, meta_of(r.section_code, "name"), meta_of(r.section_code, "river"), r.jurisdiction_code,
            float(r.distance_km), float(r.travel_time_h), iso_cst(r.eta) or "", json.loads(r.path), bool(r.approximate),
        )
        for r in conn.execute(
            sa.select(water_incident_section)
            .where(water_incident_section.c.incident_id == incident_id)
            .order_by(water_incident_section.c.travel_time_h, water_incident_section.c.section_code)
        )
    ]  # fmt: skip
    parties = [
        Party(
            r.jurisdiction_code, region.display_name(r.jurisdiction_code), r.first_section, iso_cst(r.eta) or "",
            iso_cst(r.notified_at) or "", r.acknowledged_by, iso_cst(r.acknowledged_at), r.ack_note,
        )
        for r in conn.execute(
            sa.select(water_incident_party)
            .where(water_incident_party.c.incident_id == incident_id)
            .order_by(water_incident_party.c.eta, water_incident_party.c.jurisdiction_code)
        )
    ]  # fmt: skip
    plan = [
        Sampling(
            r.id, r.section_code, r.jurisdiction_code, r.items.split(), float(r.every_h), iso_cst(r.start_at) or "",
            iso_cst(r.end_at), r.added_by, iso_cst(r.added_at) or "", r.note,
        )
        for r in conn.execute(
            sa.select(water_incident_sampling)
            .where(water_incident_sampling.c.incident_id == incident_id)
            .order_by(water_incident_sampling.c.id)
        )
    ]  # fmt: skip
    events = [
        IncidentEvent(
            iso_cst(r.at) or "", r.actor, r.actor_jurisdiction, r.kind, r.jurisdiction_code, json.loads(r.detail)
        )
        for r in conn.execute(
            sa.select(water_incident_event)
            .where(water_incident_event.c.incident_id == incident_id)
            .order_by(water_incident_event.c.id)
        )
    ]
    return IncidentView(
        w.id, w.status, w.trigger, w.section_code, meta_of(w.section_code, "name"), meta_of(w.section_code, "river"),
        w.jurisdiction_code, iso_cst(w.started_at) or "", w.item, w.pollutant, w.amount, w.amount_unit, w.description,
        json.loads(w.evidence), w.opened_by, w.opened_jurisdiction, w.report, iso_cst(w.closed_at),
        iso_cst(w.created_at) or "", iso_cst(w.updated_at) or "", w.version, down, parties, plan, events,
    )  # fmt: skip


def get(store: Store, principal: Principal, incident_id: int) -> IncidentView:
    principal.require(Scope.READ, "read water incidents")
    with store.read() as conn:
        return incident_view(conn, incident_id)


def list_incidents(
    store: Store, principal: Principal, *, status: str | None = None, section: str | None = None
) -> list[IncidentView]:
    principal.require(Scope.READ, "read water incidents")
    q = sa.select(water_incident.c.id).order_by(water_incident.c.id.desc())
    if status:
        q = q.where(water_incident.c.status == IncidentStatus(status).value)
    if section:
        q = q.where(water_incident.c.section_code == section)
    with store.read() as conn:
        return [incident_view(conn, int(r[0])) for r in conn.execute(q)]


__all__ = [
    "DownstreamSection",
    "IncidentEvent",
    "IncidentStatus",
    "IncidentView",
    "Party",
    "Sampling",
    "Trigger",
    "exchange_jurisdiction",
    "get",
    "incident_view",
    "iso_cst",
    "list_incidents",
    "load_incident",
]
