"""Relocation and investment projects in the store: registration, dated stages with evidence, the origin's
confirmation, and webhook events.

Who does what (``publish:industry`` and the jurisdiction of the principal, ``Principal.may_act_for``):

* the **destination** registers a project and updates its progress (stages signed → construction →
  operating, or cancelled; investment and jobs), each stage with its date and evidence;
* the **origin** confirms the move of the enterprise (once);
* a region-level administrator may do both.

Every change is one audited transaction that keeps the previous version in ``industry_project_history``
(compare-and-set on ``version``: ``expected_version`` refuses a stale view with 409) and queues a webhook
event for the origin and the destination (:class:`~xietong.industry.domain.IndustryEvent`) in the same
transaction. Bad input is refused whole: an unknown GB/T 4754 code or jurisdiction, a park unknown or lying
in another jurisdiction than the destination, a stage that goes backwards or is dated before the current
one (:func:`xietong.industry.projects.transition`), a date in the future, an enterprise that the platform's
enterprise registry does not hold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.config import DISPLAY_TZ
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, Location, NotFoundError, PermissionDeniedError
from xietong.exchange import actions, notify
from xietong.exchange.principals import Principal
from xietong.industry import gbt4754, projects
from xietong.industry.domain import IndustryEvent
from xietong.industry.enums import Stage
from xietong.industry.service import require_publish
from xietong.industry.tables import industry_park, industry_project, industry_project_history, industry_project_stage
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import enterprise

EVIDENCE_KINDS = ("link", "document", "note")


@dataclass(frozen=True, slots=True)
class ProjectIn:
    """A new project as its destination registers it. Money [CNY], jobs [persons], dates (CST days)."""

    name: str
    enterprise: str
    origin: str
    destination: str
    industry_code: str
    date: date
    park: str | None = None
    enterprise_city: str | None = None
    investment_cny: float | None = None
    jobs: int | None = None
    stage: str = Stage.SIGNED.value
    evidence: Sequence[Mapping[str, Any]] = field(default_factory=tuple)


def _today() -> date:
    return utcnow().astimezone(DISPLAY_TZ).date()


def _evidence(items: Sequence[Mapping[str, Any]], source: str) -> str:
    out = []
    for i, item in enumerate(items, start=1):
        kind = str(item.get("kind", "note")).strip()
        if kind not in EVIDENCE_KINDS:
            raise InputError(
                "unknown kind of evidence", expected=", ".join(EVIDENCE_KINDS), given=repr(kind),
                where=Location(source, i, "evidence"),
            )  # fmt: skip
        body = {k: str(v) for k, v in item.items() if k in {"title", "url", "text"} and v is not None}
        if not body:
            raise InputError(
                "evidence without content", expected="a title, url or text", given=json.dumps(dict(item)),
                where=Location(source, i, "evidence"),
            )  # fmt: skip
        out.append({"kind": kind, **body})
    return json.dumps(out, ensure_ascii=False)


def _check_date(day: date, field_name: str) -> None:
    if day > _today():
        raise InputError(
            "a stage cannot be dated in the future",
            expected=f"a day on or before {_today().isoformat()} (China Standard Time)",
            given=day.isoformat(),
            where=Location("request", field=field_name),
            hint="record a stage once it is reached, with its evidence",
        )


def _jurisdiction(value: str, field_name: str) -> str:
    found = region.find(str(value).strip())
    if found is None:
        raise InputError(
            "unknown jurisdiction", expected="a GB/T 2260 code or name of the region (xietong region list)",
            given=repr(value), where=Location("request", field=field_name),
        )  # fmt: skip
    return found.code


def _amounts(investment_cny: float | None, jobs: int | None) -> None:
    if investment_cny is not None and not investment_cny >= 0:
        raise InputError(
            "invalid investment", expected="≥ 0 [CNY]", given=str(investment_cny),
            where=Location("request", field="investment_cny"),
        )  # fmt: skip
    if jobs is not None and jobs < 0:
        raise InputError(
            "invalid jobs", expected="≥ 0 persons", given=str(jobs), where=Location("request", field="jobs")
        )


def _park_owner(conn: Connection, park: str) -> str:
    row = conn.execute(sa.select(industry_park.c.jurisdiction_code).where(industry_park.c.code == park)).first()
    if row is None:
        raise NotFoundError(
            f"no park {park!r}", where=Location("request", field="park"),
            hint="list them with `xietong industry parks list`; register it first with `xietong industry parks import`",
        )  # fmt: skip
    return str(row[0])


def _check_park(conn: Connection, park: str, destination: str) -> None:
    owner = _park_owner(conn, park)
    if not region.is_within(owner, destination):
        raise InputError(
            f"park {park} belongs to {owner} {region.display_name(owner, 'en')}, not to the destination",
            expected=f"a park of the destination {destination} {region.display_name(destination, 'en')}",
            given=f"{park} ({owner})",
            where=Location("request", field="park"),
            hint="the destination park must lie in the destination jurisdiction",
        )


def _check_enterprise(conn: Connection, name: str, city: str, origin: str) -> None:
    row = conn.execute(
        sa.select(enterprise.c.name).where(enterprise.c.city_code == city, enterprise.c.name == name)
    ).first()
    if row is None:
        raise NotFoundError(
            f"the enterprise registry holds no {name!r} in {region.display_name(city, 'en')}",
            where=Location("request", field="enterprise"),
            hint="leave enterprise_city empty for an enterprise outside the registry, or publish it first",
        )
    if not region.is_within(city, origin):
        raise InputError(
            f"enterprise {name!r} is registered in {city}, outside the origin {origin}",
            expected=f"an enterprise of the origin {region.display_name(origin, 'en')}",
            given=city,
            where=Location("request", field="enterprise_city"),
        )


def _validated(conn: Connection, principal: Principal, p: ProjectIn) -> dict[str, Any]:
    origin = _jurisdiction(p.origin, "origin")
    destination = _jurisdiction(p.destination, "destination")
    if not region.get(destination).jurisdiction:
        raise InputError("the destination must be a jurisdiction of the exchange", given=destination)
    if region.is_within(origin, destination) or region.is_within(destination, origin):
        raise InputError(
            "origin and destination are the same jurisdiction",
            expected="a move between two jurisdictions",
            given=f"{origin} → {destination}",
            where=Location("request", field="destination"),
        )
    if not principal.may_act_for(destination):
        raise PermissionDeniedError(
            f"{principal.describe()} may not register a project whose destination is {destination}",
            expected=f"a principal of the destination {region.display_name(destination, 'en')}",
            hint="the destination registers a project and updates its progress; the origin confirms it",
        )
    code = gbt4754.normalise(p.industry_code, where=Location("request", field="industry_code"))
    stage = projects.parse_stage(p.stage, where=Location("request", field="stage"))
    projects.transition(None, stage, project=p.name)
    _check_date(p.date, "date")
    _amounts(p.investment_cny, p.jobs)
    if not p.name.strip() or not p.enterprise.strip():
        raise InputError("a project needs a name and an enterprise", given=f"{p.name!r}, {p.enterprise!r}")
    park = p.park.strip() if p.park else None
    if park:
        _check_park(conn, park, destination)
    city = _jurisdiction(p.enterprise_city, "enterprise_city") if p.enterprise_city else None
    if city:
        _check_enterprise(conn, p.enterprise.strip(), city, origin)
    return {
        "name": p.name.strip(), "enterprise_name": p.enterprise.strip(), "enterprise_city": city,
        "origin_code": origin, "destination_code": destination, "park_code": park, "industry_code": code,
        "investment_cny": p.investment_cny, "jobs": p.jobs, "stage": stage.value, "stage_date": p.date,
    }  # fmt: skip


def _event(conn: Connection, event: IndustryEvent, row: Any, **extra: Any) -> int:
    data = {
        "project": int(row.id), "name": row.name, "enterprise": row.enterprise_name, "origin": row.origin_code,
        "destination": row.destination_code, "park": row.park_code, "stage": row.stage,
        "stage_date": row.stage_date.isoformat(), "version": int(row.version), **extra,
    }  # fmt: skip
    return notify.enqueue(conn, event.value, data, {row.origin_code, row.destination_code})


def create_project(store: Store, principal: Principal, p: ProjectIn) -> dict[str, Any]:
    """Register a project at its first stage (by the destination); returns the project view."""
    require_publish(principal, "register relocation projects")
    evidence = _evidence(p.evidence, "evidence")
    with actions.audited_write(store, principal, "industry.project.create", p.name) as work:
        conn, now = work.conn, utcnow()
        values = _validated(conn, principal, p)
        pid = conn.execute(
            industry_project.insert()
            .values(**values, created_by=principal.name, created_at=now, updated_by=principal.name, version=1,
                    recorded_at=now)
            .returning(industry_project.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            industry_project_stage.insert().values(
                project_id=pid, seq=1, stage=values["stage"], date=p.date, evidence=evidence,
                recorded_by=principal.name, recorded_jurisdiction=principal.jurisdiction, recorded_at=now,
            )
        )  # fmt: skip
        row = _row(conn, int(pid))
        queued = _event(conn, IndustryEvent.PROJECT_CREATED, row)
        work.target = f"project {pid}"
        work.detail = {"project": int(pid), "stage": values["stage"], "webhooks_queued": queued}
    return get_project(store, principal, int(pid))


def _row(conn: Connection, project_id: int) -> Any:
    row = conn.execute(sa.select(industry_project).where(industry_project.c.id == project_id)).first()
    if row is None:
        raise NotFoundError(f"no project {project_id}", hint="list them with `xietong industry projects list`")
    return row


def _keep_version(conn: Connection, row: Any, now: datetime, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != row.version:
        raise ConflictError(
            f"project {row.id} changed since you read it",
            expected=f"version {expected_version}",
            given=f"version {row.version}",
            hint="reload the project and try again",
        )
    conn.execute(industry_project_history.insert().values(**row._mapping, superseded_at=now))


def advance(
    store: Store,
    principal: Principal,
    project_id: int,
    stage: str,
    day: date,
    *,
    evidence: Sequence[Mapping[str, Any]] = (),
    investment_cny: float | None = None,
    jobs: int | None = None,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Move a project to its next stage (by the destination), with the day and the evidence."""
    require_publish(principal, "update relocation projects")
    body = _evidence(evidence, "evidence")
    _amounts(investment_cny, jobs)
    _check_date(day, "date")
    new = projects.parse_stage(stage, where=Location("request", field="stage"))
    with actions.audited_write(store, principal, "industry.project.stage", f"project {project_id}") as work:
        conn, now = work.conn, utcnow()
        row = _row(conn, project_id)
        _may_update(conn, principal, row)
        projects.transition(
            Stage(row.stage), new, current_date=row.stage_date, new_date=day, project=f"{row.id} ({row.name})"
        )
        _keep_version(conn, row, now, expected_version)
        seq = conn.execute(
            sa.select(sa.func.max(industry_project_stage.c.seq)).where(industry_project_stage.c.project_id == row.id)
        ).scalar_one()
        conn.execute(
            industry_project_stage.insert().values(
                project_id=row.id, seq=int(seq) + 1, stage=new.value, date=day, evidence=body,
                recorded_by=principal.name, recorded_jurisdiction=principal.jurisdiction, recorded_at=now,
            )
        )  # fmt: skip
        changes: dict[str, Any] = {"stage": new.value, "stage_date": day}
        if investment_cny is not None:
            changes["investment_cny"] = investment_cny
        if jobs is not None:
            changes["jobs"] = jobs
        conn.execute(
            industry_project.update()
            .where(industry_project.c.id == row.id)
            .values(**changes, updated_by=principal.name, version=row.version + 1, recorded_at=now)
        )
        queued = _event(conn, IndustryEvent.PROJECT_STAGE, _row(conn, project_id), previous=row.stage)
        work.detail = {"from": row.stage, "to": new.value, "date": day.isoformat(), "webhooks_queued": queued}
    return get_project(store, principal, project_id)


def _may_update(conn: Connection, principal: Principal, row: Any) -> None:
    if not principal.may_act_for(row.destination_code):
        raise PermissionDeniedError(
            f"{principal.describe()} may not update project {row.id}",
            expected=f"a principal of its destination {region.display_name(row.destination_code, 'en')}",
            hint="the destination updates a project's progress; the origin confirms the move",
        )
    if row.park_code:
        owner = _park_owner(conn, row.park_code)
        if not principal.may_act_for(owner):
            raise PermissionDeniedError(
                f"project {row.id}'s destination park {row.park_code} belongs to {owner} "
                f"{region.display_name(owner, 'en')}, not to the jurisdiction updating it",
                expected=f"a principal of {owner}",
                given=principal.describe(),
                hint="the park's jurisdiction updates the projects in it; nothing was written",
            )


def confirm(
    store: Store, principal: Principal, project_id: int, *, note: str | None = None, expected_version: int | None = None
) -> dict[str, Any]:
    """The origin confirms that the project's enterprise moves (once)."""
    require_publish(principal, "confirm relocation projects")
    with actions.audited_write(store, principal, "industry.project.confirm", f"project {project_id}") as work:
        conn, now = work.conn, utcnow()
        row = _row(conn, project_id)
        if not principal.may_act_for(row.origin_code):
            raise PermissionDeniedError(
                f"{principal.describe()} may not confirm project {row.id}",
                expected=f"a principal of its origin {region.display_name(row.origin_code, 'en')}",
                hint="the origin confirms the move; the destination updates the progress",
            )
        if row.origin_confirmed_at is not None:
            raise ConflictError(
                f"project {row.id} was already confirmed by {row.origin_confirmed_by}",
                given=str(row.origin_confirmed_at), hint="a confirmation is given once",
            )  # fmt: skip
        if row.stage == Stage.CANCELLED.value:
            raise ConflictError(f"project {row.id} is cancelled", expected="a project not cancelled", given=row.stage)
        _keep_version(conn, row, now, expected_version)
        conn.execute(
            industry_project.update()
            .where(industry_project.c.id == row.id)
            .values(origin_confirmed_at=now, origin_confirmed_by=principal.name, origin_note=note,
                    updated_by=principal.name, version=row.version + 1, recorded_at=now)
        )  # fmt: skip
        queued = _event(conn, IndustryEvent.PROJECT_CONFIRMED, _row(conn, project_id), note=note)
        work.detail = {"webhooks_queued": queued}
    return get_project(store, principal, project_id)


def _view(row: Any) -> dict[str, Any]:
    return {
        "id": int(row.id), "name": row.name, "enterprise": row.enterprise_name,
        "enterprise_city": row.enterprise_city, "origin": row.origin_code, "destination": row.destination_code,
        "park": row.park_code, "industry_code": row.industry_code, "industry_name": gbt4754.name(row.industry_code),
        "investment_cny": row.investment_cny, "jobs": row.jobs, "stage": row.stage,
        "stage_date": row.stage_date.isoformat(), "origin_confirmed": row.origin_confirmed_at is not None,
        "origin_confirmed_by": row.origin_confirmed_by, "origin_note": row.origin_note,
        "created_by": row.created_by, "updated_by": row.updated_by, "version": int(row.version),
        "recorded_at": row.recorded_at,
    }  # fmt: skip


def get_project(store: Store, principal: Principal, project_id: int) -> dict[str, Any]:
    """A project with its dated stages and their evidence."""
    principal.require(Scope.READ, "read relocation projects")
    with store.read() as conn:
        view = _view(_row(conn, project_id))
        stages = conn.execute(
            sa.select(industry_project_stage)
            .where(industry_project_stage.c.project_id == project_id)
            .order_by(industry_project_stage.c.seq)
        )
        view["stages"] = [
            {"stage": s.stage, "date": s.date.isoformat(), "evidence": json.loads(s.evidence), "by": s.recorded_by}
            for s in stages
        ]
    return view


def list_projects(
    store: Store,
    principal: Principal,
    *,
    park: str | None = None,
    jurisdiction: str | None = None,
    stage: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Projects by id; ``jurisdiction`` keeps those whose origin or destination is it (or inside it)."""
    principal.require(Scope.READ, "read relocation projects")
    q = sa.select(industry_project).order_by(industry_project.c.id)
    if park:
        q = q.where(industry_project.c.park_code == park)
    if stage:
        q = q.where(industry_project.c.stage == projects.parse_stage(stage).value)
    with store.read() as conn:
        rows = [_view(r) for r in conn.execute(q)]
    if jurisdiction:
        code = region.get(jurisdiction).code
        rows = [r for r in rows if region.is_within(r["origin"], code) or region.is_within(r["destination"], code)]
    return rows[offset : None if limit is None else offset + limit]


def pipeline(store: Store, principal: Principal) -> list[dict[str, Any]]:
    """Projects, investment [CNY] and jobs by stage (the dashboard's pipeline)."""
    rows = list_projects(store, principal)
    out = []
    for s in Stage:
        these = [r for r in rows if r["stage"] == s.value]
        out.append(
            {
                "stage": s.value,
                "projects": len(these),
                "investment_cny": sum(r["investment_cny"] or 0.0 for r in these),
                "jobs": sum(r["jobs"] or 0 for r in these),
            }
        )
    return out


__all__ = ["ProjectIn", "advance", "confirm", "create_project", "get_project", "list_projects", "pipeline"]
