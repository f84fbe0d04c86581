"""Regional heavy-pollution warnings: proposal, consultation, issue per city, change, lift.

The state machine (every step audited, every change announced through the webhook outbox)::

    propose ──► PROPOSED ──(every named jurisdiction answered, or issue() after the deadline)──►
                 ISSUED (in the cities that accepted or counter-proposed a level) ──change/lift──►
                 CLOSED (lifted everywhere, or issued nowhere)

* Any principal with the ``warn`` scope — a jurisdiction or the region — proposes: cities, level,
  period, evidence, a deadline for answers.
* Each named jurisdiction answers for its cities before the deadline: **accept** (the proposed
  level), **counter** (its own level for its city) or **decline** (with a reason). A decline is
  recorded and never overridden; "no one size fits all".
* The warning is issued per city at the agreed level when the last answer arrives, or by the proposer
  after the deadline (cities without an answer are not issued).
* The jurisdiction of a city upgrades, downgrades or lifts its warning with a reason; the proposer or
  the region may lift everywhere. A closed warning cannot be changed.

Writes are serialised (the audit-chain lock), so two jurisdictions answering at the same moment both
have their answers kept.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.air import warning as warning_rules
from xietong.air.domain import AirEvent, AirScope
from xietong.air.forecasts import warning_cities
from xietong.air.measures import required_reductions
from xietong.air.tables import warning, warning_city, warning_event
from xietong.enums import Answer, CityWarningStatus, Scope, WarningLevel, WarningStatus
from xietong.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from xietong.exchange import actions, notify
from xietong.exchange import enterprises as registry
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.times import local_text


def rule_set_levels(rules: str) -> tuple[WarningLevel, ...]:
    """The levels a rule set has (from its data file), or an :class:`InputError` naming the known sets."""
    if rules not in warning_rules.rule_sets():
        raise InputError("unknown rule set", expected=", ".join(warning_rules.rule_sets()), given=repr(rules))
    return warning_rules.load_rules(rules).levels


@dataclass(frozen=True, slots=True)
class CityState:
    city: str
    name_zh: str
    proposed_level: str
    answer: str
    answer_level: str | None
    answer_reason: str | None
    answered_by: str | None
    answered_at: datetime | None
    status: str
    level: str | None


@dataclass(frozen=True, slots=True)
class EventRecord:
    at: datetime
    actor: str
    actor_jurisdiction: str | None
    kind: str
    city: str | None
    level: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class WarningView:
    id: int
    rules: str
    status: str
    level: str
    start: datetime
    end: datetime
    deadline: datetime
    proposer: str
    proposer_jurisdiction: str | None
    reason: str
    evidence: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    version: int
    cities: list[CityState] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def city(self, code: str) -> CityState:
        return next(c for c in self.cities if c.city == code)


def _level(text: str, rules: str, *, allow_none: bool = False) -> WarningLevel:
    try:
        level = WarningLevel(text)
    except ValueError:
        raise InputError(
            "unknown warning level", expected=", ".join(v.value for v in WarningLevel), given=repr(text)
        ) from None
    if level is WarningLevel.NONE and allow_none:
        return level
    levels = rule_set_levels(rules)
    if level not in levels:
        raise InputError(
            f"level {level.value} does not exist in rule set {rules}",
            expected=", ".join(v.value for v in levels),
            given=level.value,
            hint="blue warnings existed only in the 2016–17 Jing-Jin-Ji rule set (jjj-2016)",
        )
    return level


def _load(conn: Connection, warning_id: int, *, lock: bool = False) -> Any:
    q = sa.select(warning).where(warning.c.id == warning_id)
    if lock and conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError(f"no warning {warning_id}", hint="list them with GET /api/v1/warnings")
    return row


def _view(conn: Connection, warning_id: int) -> WarningView:
    w = _load(conn, warning_id)
    cities = [
        CityState(
            r.city_code,
            region.get(r.city_code).name_zh,
            r.proposed_level,
            r.answer,
            r.answer_level,
            r.answer_reason,
            r.answered_by,
            r.answered_at,
            r.status,
            r.level,
        )
        for r in conn.execute(
            sa.select(warning_city).where(warning_city.c.warning_id == warning_id).order_by(warning_city.c.city_code)
        )
    ]
    events = [
        EventRecord(r.at, r.actor, r.actor_jurisdiction, r.kind, r.city_code, r.level, r.reason)
        for r in conn.execute(
            sa.select(warning_event).where(warning_event.c.warning_id == warning_id).order_by(warning_event.c.id)
        )
    ]
    return WarningView(
        w.id, w.rules, w.status, w.level, w.start_at, w.end_at, w.deadline, w.proposer, w.proposer_jurisdiction,
        w.reason, json.loads(w.evidence), w.created_at, w.updated_at, w.version, cities, events,
    )  # fmt: skip


def _event(
    conn: Connection, warning_id: int, actor: Principal, kind: str, now: datetime,
    *, city: str | None = None, level: str | None = None, reason: str | None = None,
) -> None:  # fmt: skip
    conn.execute(
        warning_event.insert().values(
            warning_id=warning_id,
            at=now,
            actor=actor.name,
            actor_jurisdiction=actor.jurisdiction,
            kind=kind,
            city_code=city,
            level=level,
            reason=reason,
        )
    )


def _touch(conn: Connection, w: Any, now: datetime, **values: Any) -> None:
    result = conn.execute(
        warning.update()
        .where(warning.c.id == w.id, warning.c.version == w.version)
        .values(updated_at=now, version=w.version + 1, **values)
    )
    if result.rowcount != 1:
        raise ConflictError(f"warning {w.id} changed meanwhile", hint="reload it and try again")


def _involved(conn: Connection, w: Any) -> set[str]:
    cities = {r[0] for r in conn.execute(sa.select(warning_city.c.city_code).where(warning_city.c.warning_id == w.id))}
    return cities | ({w.proposer_jurisdiction} if w.proposer_jurisdiction else set())


def _announce(conn: Connection, event: str, w_id: int) -> None:
    view = _view(conn, w_id)
    payload = {
        "warning": {
            "id": view.id,
            "rules": view.rules,
            "status": view.status,
            "level": view.level,
            "start": view.start.isoformat(),
            "end": view.end.isoformat(),
            "deadline": view.deadline.isoformat(),
            "proposer": view.proposer,
            "cities": [{"city": c.city, "answer": c.answer, "status": c.status, "level": c.level} for c in view.cities],
        },
        "last_event": asdict(view.events[-1]) if view.events else None,
    }
    notify.enqueue(conn, event, payload, _involved(conn, _load(conn, w_id)))


def propose(
    store: Store,
    actor: Principal,
    *,
    rules: str,
    cities: list[str],
    level: str,
    start: datetime,
    end: datetime,
    deadline: datetime,
    reason: str,
    evidence: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> WarningView:
    """Open a consultation: the named cities' jurisdictions are asked to answer before ``deadline``."""
    with actions.audited_write(store, actor, "warning.propose", "warning") as work:
        actor.require(AirScope.WARN, "propose regional warnings")
        now = now or utcnow()
        proposed = _level(level, rules)
        codes = _proposal_cities(cities)
        _check_proposal(start, end, deadline, reason, now)
        conn = work.conn
        wid = int(
            conn.execute(
                warning.insert()
                .values(
                    rules=rules,
                    status=WarningStatus.PROPOSED.value,
                    level=proposed.value,
                    start_at=start,
                    end_at=end,
                    deadline=deadline,
                    proposer=actor.name,
                    proposer_jurisdiction=actor.jurisdiction,
                    reason=reason,
                    evidence=json.dumps(evidence or {}, ensure_ascii=False, default=str),
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .returning(warning.c.id)
            ).scalar_one()
        )
        for code in codes:
            conn.execute(
                warning_city.insert().values(
                    warning_id=wid,
                    city_code=code,
                    proposed_level=proposed.value,
                    answer=Answer.PENDING.value,
                    status=CityWarningStatus.PENDING.value,
                    updated_at=now,
                )
            )
        _event(conn, wid, actor, "proposed", now, level=proposed.value, reason=reason)
        _announce(conn, AirEvent.WARNING_PROPOSED, wid)
        work.target = f"warning {wid}"
        work.detail = {"cities": codes, "level": proposed.value, "rules": rules, "deadline": deadline.isoformat()}
        return _view(conn, wid)


def _proposal_cities(cities: list[str]) -> list[str]:
    """The codes of the cities a proposal names (sorted, once each); places that cannot be warned are refused."""
    allowed = set(warning_cities())
    codes = []
    for name in cities:
        r = region.get(name)
        if r.code not in allowed:
            raise InputError(
                "a warning names cities", expected="Beijing, Tianjin, a Hebei city or Xiong'an", given=r.name_zh
            )
        codes.append(r.code)
    if not codes:
        raise InputError("a warning names at least one city", given="none")
    return sorted(set(codes))


def _check_proposal(start: datetime, end: datetime, deadline: datetime, reason: str, now: datetime) -> None:
    """Refuse an empty period, a deadline already past, or a proposal without its reason."""
    if not start < end:
        raise InputError(
            "the warning period is empty",
            expected="start before end",
            given=f"{local_text(start)} .. {local_text(end)}",
        )
    if deadline <= now:
        raise InputError(
            "the answer deadline is in the past",
            expected=f"a time after {local_text(now)}",
            given=local_text(deadline),
        )
    if not reason.strip():
        raise InputError("a proposal states its reason", given="an empty reason")


def respond(
    store: Store,
    actor: Principal,
    warning_id: int,
    *,
    city: str,
    answer: str,
    level: str | None = None,
    reason: str | None = None,
    now: datetime | None = None,
) -> WarningView:
    """A named jurisdiction answers for one of its cities (accept / counter with a level / decline with a reason)."""
    with actions.audited_write(store, actor, "warning.respond", f"warning {warning_id}") as work:
        actor.require(AirScope.WARN, "answer warning proposals")
        now = now or utcnow()
        conn = work.conn
        w = _load(conn, warning_id, lock=True)
        code = region.get(city).code
        _check_may_answer(conn, actor, w, code, now)
        kind, answer_level = _answer(answer, level, reason, w.rules)
        conn.execute(
            warning_city.update()
            .where(warning_city.c.warning_id == warning_id, warning_city.c.city_code == code)
            .values(answer=kind.value, answer_level=answer_level, answer_reason=reason, answered_by=actor.name,
                    answered_at=now, updated_at=now)
        )  # fmt: skip
        _event(conn, warning_id, actor, "answered", now, city=code, level=answer_level, reason=reason or kind.value)
        _touch(conn, w, now)
        _announce(conn, AirEvent.WARNING_ANSWERED, warning_id)
        pending = conn.execute(
            sa.select(sa.func.count())
            .select_from(warning_city)
            .where(warning_city.c.warning_id == warning_id, warning_city.c.answer == Answer.PENDING.value)
        ).scalar_one()
        if pending == 0:
            _finalise(conn, warning_id, actor, now)
        work.detail = {"city": code, "answer": kind.value, "level": answer_level, "reason": reason}
        return _view(conn, warning_id)


def _check_may_answer(conn: Connection, actor: Principal, w: Any, code: str, now: datetime) -> None:
    """Refuse unless ``actor`` is of the jurisdiction of ``code``, a city the open warning ``w`` names that
    has not answered yet, before the deadline."""
    row = conn.execute(
        sa.select(warning_city).where(warning_city.c.warning_id == w.id, warning_city.c.city_code == code)
    ).first()
    if row is None or actor.jurisdiction is None or not actor.may_act_for(code):
        named = ", ".join(
            r[0] for r in conn.execute(sa.select(warning_city.c.city_code).where(warning_city.c.warning_id == w.id))
        )
        raise PermissionDeniedError(
            f"{actor.describe()} may not answer warning {w.id} for {region.display_name(code)}",
            expected=f"a principal of a named jurisdiction ({named})",
            given=actor.describe(),
            hint="only the jurisdictions named in a proposal answer it, each for its own cities",
        )
    if w.status != WarningStatus.PROPOSED.value:
        raise ConflictError(f"warning {w.id} is {w.status}; the consultation is over")
    if now > w.deadline:
        raise ConflictError(
            f"the deadline for answers to warning {w.id} has passed",
            expected=f"an answer before {local_text(w.deadline)}",
            given=local_text(now),
        )
    if row.answer != Answer.PENDING.value:
        raise ConflictError(
            f"{region.display_name(code)} already answered warning {w.id} ({row.answer})",
            hint="answers are final; after issue, use a change (upgrade/downgrade) or a lift",
        )


def _answer(answer: str, level: str | None, reason: str | None, rules: str) -> tuple[Answer, str | None]:
    """The answer and, for a counter-proposal, its level; a counter names a level, a decline its reason."""
    try:
        kind = Answer(answer)
    except ValueError:
        raise InputError("unknown answer", expected="accept, counter or decline", given=repr(answer)) from None
    if kind not in {Answer.ACCEPT, Answer.COUNTER, Answer.DECLINE}:
        raise InputError("unknown answer", expected="accept, counter or decline", given=repr(answer))
    answer_level = None
    if kind is Answer.COUNTER:
        if level is None:
            raise InputError(
                "a counter-proposal names a level", expected="yellow, orange, red (or none)", given="no level"
            )
        answer_level = _level(level, rules, allow_none=True).value
    if kind is Answer.DECLINE and not (reason or "").strip():
        raise InputError("a decline states its reason", given="no reason", hint="the reason is recorded for the region")
    return kind, answer_level


def _finalise(conn: Connection, warning_id: int, actor: Principal, now: datetime) -> None:
    """Issue the warning in every city that accepted or counter-proposed a level; record the rest."""
    w = _load(conn, warning_id, lock=True)
    issued_any = False
    for row in conn.execute(sa.select(warning_city).where(warning_city.c.warning_id == warning_id)).all():
        values: dict[str, Any] = {"updated_at": now}
        if row.answer == Answer.ACCEPT.value:
            values |= {"status": CityWarningStatus.ISSUED.value, "level": row.proposed_level}
        elif row.answer == Answer.COUNTER.value and row.answer_level != WarningLevel.NONE.value:
            values |= {"status": CityWarningStatus.ISSUED.value, "level": row.answer_level}
        elif row.answer == Answer.DECLINE.value:
            values |= {"status": CityWarningStatus.DECLINED.value}
        elif row.answer == Answer.PENDING.value:
            values |= {"status": CityWarningStatus.NOT_ISSUED.value, "answer": Answer.NO_ANSWER.value}
        else:
            values |= {"status": CityWarningStatus.NOT_ISSUED.value}
        conn.execute(
            warning_city.update()
            .where(warning_city.c.warning_id == warning_id, warning_city.c.city_code == row.city_code)
            .values(**values)
        )
        if values["status"] == CityWarningStatus.ISSUED.value:
            issued_any = True
            _event(conn, warning_id, actor, "issued", now, city=row.city_code, level=values["level"])
    status = WarningStatus.ISSUED if issued_any else WarningStatus.CLOSED
    _touch(conn, w, now, status=status.value)
    if not issued_any:
        _event(conn, warning_id, actor, "closed", now, reason="issued in no city")
    _announce(conn, AirEvent.WARNING_ISSUED, warning_id)


def issue(store: Store, actor: Principal, warning_id: int, *, now: datetime | None = None) -> WarningView:
    """Close the consultation after the deadline and issue where the answers allow (proposer or region)."""
    with actions.audited_write(store, actor, "warning.issue", f"warning {warning_id}") as work:
        actor.require(AirScope.WARN, "issue warnings")
        now = now or utcnow()
        conn = work.conn
        w = _load(conn, warning_id, lock=True)
        if actor.name != w.proposer and actor.jurisdiction is not None:
            raise PermissionDeniedError(
                f"{actor.describe()} may not issue warning {warning_id}",
                expected=f"its proposer ({w.proposer}) or a region-level principal",
            )
        if w.status != WarningStatus.PROPOSED.value:
            raise ConflictError(f"warning {warning_id} is already {w.status}")
        if now <= w.deadline:
            raise ConflictError(
                f"the consultation on warning {warning_id} is open until {local_text(w.deadline)}",
                hint="it is issued by itself when every named jurisdiction has answered",
            )
        _finalise(conn, warning_id, actor, now)
        return _view(conn, warning_id)


def change(
    store: Store,
    actor: Principal,
    warning_id: int,
    *,
    city: str,
    level: str,
    reason: str,
    now: datetime | None = None,
) -> WarningView:
    """Upgrade or downgrade the warning in one city (by that city's jurisdiction), with a reason."""
    with actions.audited_write(store, actor, "warning.change", f"warning {warning_id}") as work:
        actor.require(AirScope.WARN, "change warnings")
        now = now or utcnow()
        conn = work.conn
        w = _load(conn, warning_id, lock=True)
        code = region.get(city).code
        if w.status == WarningStatus.CLOSED.value:
            raise ConflictError(f"warning {warning_id} is closed")
        row = conn.execute(
            sa.select(warning_city).where(warning_city.c.warning_id == warning_id, warning_city.c.city_code == code)
        ).first()
        if row is None or row.status != CityWarningStatus.ISSUED.value:
            raise ConflictError(
                f"warning {warning_id} is not in force in {region.display_name(code)}",
                given=row.status if row is not None else "not named",
            )
        if actor.jurisdiction is None or not actor.may_act_for(code):
            raise PermissionDeniedError(
                f"{actor.describe()} may not change the warning in {region.display_name(code)}",
                expected=f"a principal of {region.display_name(code)}",
            )
        new = _level(level, w.rules)
        old = WarningLevel(row.level)
        if new is old:
            raise InputError("the level is unchanged", given=new.value)
        if not reason.strip():
            raise InputError("a change states its reason", given="no reason")
        conn.execute(
            warning_city.update()
            .where(warning_city.c.warning_id == warning_id, warning_city.c.city_code == code)
            .values(level=new.value, updated_at=now)
        )
        _event(conn, warning_id, actor, "upgraded" if new.rank > old.rank else "downgraded", now, city=code,
               level=new.value, reason=reason)  # fmt: skip
        _touch(conn, w, now)
        _announce(conn, AirEvent.WARNING_CHANGED, warning_id)
        work.detail = {"city": code, "from": old.value, "to": new.value, "reason": reason}
        return _view(conn, warning_id)


def lift(
    store: Store,
    actor: Principal,
    warning_id: int,
    *,
    reason: str,
    cities: list[str] | None = None,
    now: datetime | None = None,
) -> WarningView:
    """Lift the warning in some cities (their jurisdictions) or everywhere (its proposer or the region)."""
    with actions.audited_write(store, actor, "warning.lift", f"warning {warning_id}") as work:
        actor.require(AirScope.WARN, "lift warnings")
        now = now or utcnow()
        conn = work.conn
        w = _load(conn, warning_id, lock=True)
        if w.status == WarningStatus.CLOSED.value:
            raise ConflictError(f"warning {warning_id} is already closed", hint="there is nothing left to lift")
        if w.status == WarningStatus.PROPOSED.value:
            raise ConflictError(f"warning {warning_id} is not issued yet", hint="withdraw it by letting it lapse")
        if not reason.strip():
            raise InputError("a lift states its reason", given="no reason")
        active = [
            r.city_code
            for r in conn.execute(
                sa.select(warning_city.c.city_code).where(
                    warning_city.c.warning_id == warning_id, warning_city.c.status == CityWarningStatus.ISSUED.value
                )
            )
        ]
        targets = [region.get(c).code for c in cities] if cities else active
        for code in targets:
            if code not in active:
                raise ConflictError(f"warning {warning_id} is not in force in {region.display_name(code)}")
            own_city = actor.jurisdiction is not None and actor.may_act_for(code)
            if not (own_city or actor.name == w.proposer or actor.jurisdiction is None):
                raise PermissionDeniedError(
                    f"{actor.describe()} may not lift the warning in {region.display_name(code)}",
                    expected=f"a principal of {region.display_name(code)}, the proposer or the region",
                )
        for code in targets:
            conn.execute(
                warning_city.update()
                .where(warning_city.c.warning_id == warning_id, warning_city.c.city_code == code)
                .values(status=CityWarningStatus.LIFTED.value, updated_at=now)
            )
            _event(conn, warning_id, actor, "lifted", now, city=code, reason=reason)
        closed = set(targets) == set(active)
        _touch(conn, w, now, **({"status": WarningStatus.CLOSED.value} if closed else {}))
        if closed:
            _event(conn, warning_id, actor, "closed", now, reason=reason)
        _announce(conn, AirEvent.WARNING_LIFTED, warning_id)
        work.detail = {"cities": targets, "reason": reason, "closed": closed}
        return _view(conn, warning_id)


def get(store: Store, principal: Principal, warning_id: int) -> WarningView:
    principal.require(Scope.READ, "read warnings")
    with store.read() as conn:
        return _view(conn, warning_id)


def list_warnings(
    store: Store, principal: Principal, *, status: str | None = None, city: str | None = None
) -> list[WarningView]:
    principal.require(Scope.READ, "read warnings")
    q = sa.select(warning.c.id).order_by(warning.c.id.desc())
    if status:
        q = q.where(warning.c.status == WarningStatus(status).value)
    if city:
        code = region.get(city).code
        q = q.where(warning.c.id.in_(sa.select(warning_city.c.warning_id).where(warning_city.c.city_code == code)))
    with store.read() as conn:
        return [_view(conn, int(r[0])) for r in conn.execute(q)]


def measures_for(store: Store, principal: Principal, warning_id: int) -> dict[str, Any]:
    """Graded measures of an issued warning: per-enterprise required reductions at each city's level and the
    city totals against the level's required share (yellow 10 %, orange 20 %, red 30 %), with the cities
    whose list falls short. Reading the enterprise registry is recorded in the audit log."""
    view = get(store, principal, warning_id)
    issued = {c.city: c.level for c in view.cities if c.status == CityWarningStatus.ISSUED.value and c.level}
    if not issued:
        raise ConflictError(f"warning {warning_id} is not in force in any city", given=view.status)
    firms = registry.list_enterprises(
        store, principal, cities=sorted(issued), purpose=f"graded measures of warning {warning_id}"
    )
    ent_parts, city_parts = [], []
    for level in sorted(set(issued.values())):
        cities = [c for c, lvl in issued.items() if lvl == level]
        subset = firms[firms["city"].isin(cities)]
        if subset.empty:
            continue
        result = required_reductions(subset, level)
        ent_parts.append(result.enterprises)
        city_parts.append(result.cities)
    ents = pd.concat(ent_parts, ignore_index=True) if ent_parts else pd.DataFrame()
    cities_frame = pd.concat(city_parts, ignore_index=True) if city_parts else pd.DataFrame()
    without = sorted(set(issued) - set(firms["city"]))
    return {
        "warning": warning_id,
        "levels": issued,
        "enterprises": ents.astype(object).where(ents.notna(), None).to_dict("records"),
        "cities": cities_frame.astype(object).where(cities_frame.notna(), None).to_dict("records"),
        "short_cities": sorted(cities_frame.loc[cities_frame["falls_short"], "city"]) if not cities_frame.empty else [],
        "cities_without_enterprises": without,
    }


__all__ = [
    "CityState",
    "EventRecord",
    "WarningView",
    "change",
    "get",
    "issue",
    "lift",
    "list_warnings",
    "measures_for",
    "propose",
    "respond",
    "rule_set_levels",
]
