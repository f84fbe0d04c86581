"""Tasks bound to indicator series with targets, and the series' values: recomputed from the
indicator registry (:mod:`xietong.indicators`) and stored with the time of computation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from xietong.agreements.queries import latest_values, one_task
from xietong.agreements.tables import indicator_binding, indicator_value
from xietong.agreements.task_rows import (
    check_may_track,
    check_read,
    json_text,
    save_state,
    state_of,
    task_row,
    today_cst,
)
from xietong.agreements.views import HistoryAction, SeriesView, TaskView
from xietong.errors import InputError, NotFoundError, PermissionDeniedError, XietongError
from xietong.exchange import actions
from xietong.exchange.principals import ANONYMOUS, Principal
from xietong.indicators import Comparator, Context, Registry, default_registry, params_key
from xietong.store.clock import utcnow
from xietong.store.session import Store


def bind_indicator(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    indicator: str,
    *,
    params: Mapping[str, object] | None = None,
    target: float | None = None,
    comparator: Comparator | str | None = None,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
) -> TaskView:
    """Bind a task to an indicator series with a target (binding the same series again changes its target)."""
    reg = registry or default_registry()
    ind = reg.get(indicator)
    normalised = ind.normalise(params)
    cmp = Comparator.parse(comparator) if comparator is not None else ind.comparator
    goal = target if target is not None else ind.target
    if goal is None:
        raise InputError(
            f"indicator {indicator} has no default target",
            expected=f"a target in {ind.unit}",
            given="none",
            hint="give --target (API: target)",
        )
    goal = float(goal)
    key = params_key(normalised)
    with actions.audited_write(
        store, principal, "agreements.indicator.bind", f"agreement {agreement_id} task {task_id}"
    ) as work:
        conn = work.conn
        row = task_row(conn, agreement_id, task_id)
        check_may_track(principal, row, "bind this task to an indicator")
        now = now or utcnow()
        b = indicator_binding.c
        old = conn.execute(
            sa.select(indicator_binding).where(
                b.agreement_id == agreement_id, b.task_id == task_id, b.indicator == indicator, b.params == key
            )
        ).first()
        if old is not None and old.comparator == cmp.value and float(old.target) == goal:
            work.detail = {"indicator": indicator, "params": normalised, "unchanged": True}
            return one_task(conn, agreement_id, task_id, reg, today_cst(now))
        if old is None:
            conn.execute(
                indicator_binding.insert().values(
                    agreement_id=agreement_id,
                    task_id=task_id,
                    indicator=indicator,
                    params=key,
                    comparator=cmp.value,
                    target=goal,
                    bound_by=principal.name,
                    bound_at=now,
                )
            )
        else:
            conn.execute(
                indicator_binding.update()
                .where(b.id == old.id)
                .values(comparator=cmp.value, target=goal, bound_by=principal.name, bound_at=now)
            )
        save_state(conn, row, state_of(row), ["indicators"], principal, HistoryAction.BIND, now)
        work.detail = {"indicator": indicator, "params": normalised, "comparator": cmp.value, "target": goal}
        return one_task(conn, agreement_id, task_id, reg, today_cst(now))


def unbind_indicator(
    store: Store,
    principal: Principal,
    agreement_id: int,
    task_id: str,
    binding_id: int,
    *,
    now: dt.datetime | None = None,
) -> TaskView:
    """Remove a binding (its values stay in the indicator's history)."""
    with actions.audited_write(
        store, principal, "agreements.indicator.unbind", f"agreement {agreement_id} task {task_id}"
    ) as work:
        conn = work.conn
        row = task_row(conn, agreement_id, task_id)
        check_may_track(principal, row, "unbind an indicator from this task")
        b = indicator_binding.c
        old = conn.execute(
            sa.select(indicator_binding).where(b.id == binding_id, b.agreement_id == agreement_id, b.task_id == task_id)
        ).first()
        if old is None:
            raise NotFoundError(f"task {task_id} has no indicator binding {binding_id}")
        now = now or utcnow()
        conn.execute(indicator_binding.delete().where(b.id == binding_id))
        save_state(conn, row, state_of(row), ["indicators"], principal, HistoryAction.UNBIND, now)
        work.detail = {"binding": binding_id, "indicator": old.indicator, "params": json.loads(old.params)}
        return one_task(conn, agreement_id, task_id, None, today_cst(now))


def refresh_indicators(
    store: Store,
    principal: Principal,
    *,
    indicators: Sequence[str] | None = None,
    registry: Registry | None = None,
    now: dt.datetime | None = None,
) -> list[SeriesView]:
    """Recompute every bound indicator series (or those of ``indicators``) and store the values.

    Values are computed outside the write transaction (they only read) and stored together, with the
    time of computation, in one audited write. A series whose computation fails is reported with its
    error and stores nothing; the others are stored.
    """
    check_read(principal)
    if principal.id == ANONYMOUS.id:
        raise PermissionDeniedError(
            "anonymous requests may not recompute indicators",
            expected="an API token with scope read",
            given="no token",
        )
    reg = registry or default_registry()
    for key in indicators or ():
        reg.get(key)
    with store.read() as conn:
        b = indicator_binding.c
        q = (
            sa.select(b.indicator, b.params, sa.func.count())
            .group_by(b.indicator, b.params)
            .order_by(b.indicator, b.params)
        )
        if indicators:
            q = q.where(b.indicator.in_(list(indicators)))
        series = [(str(r[0]), str(r[1]), int(r[2])) for r in conn.execute(q)]
    now = now or utcnow()
    results: list[SeriesView] = []
    for key, params_json, n_tasks in series:
        params = json.loads(params_json)
        if key not in reg:
            results.append(
                SeriesView(key, params, None, None, None, {}, n_tasks, "not registered in this installation")
            )
            continue
        try:
            reading = reg.get(key).compute(Context(store, params, principal, now))
        except XietongError as exc:
            results.append(SeriesView(key, params, None, None, None, {}, n_tasks, exc.describe()))
            continue
        value = None if reading.value is None else float(reading.value)
        results.append(SeriesView(key, params, value, reading.as_of, now, dict(reading.details), n_tasks))
    stored = [r for r in results if r.error is None]
    with actions.audited_write(store, principal, "agreements.indicators.refresh", "indicators") as work:
        for r in stored:
            work.conn.execute(
                indicator_value.insert().values(
                    indicator=r.indicator,
                    params=params_key(r.params),
                    value=r.value,
                    as_of=r.as_of,
                    details=json_text(r.details),
                    computed_at=now,
                    computed_by=principal.name,
                )
            )
        work.detail = {
            "series": len(results),
            "stored": len(stored),
            "values": [{"indicator": r.indicator, "params": r.params, "value": r.value} for r in stored][:50],
            "errors": [{"indicator": r.indicator, "error": r.error} for r in results if r.error][:20],
        }
    return results


def list_indicators(store: Store, principal: Principal, *, registry: Registry | None = None) -> list[dict[str, Any]]:
    """The registered indicators, each with its bound series and their latest values."""
    check_read(principal)
    reg = registry or default_registry()
    b = indicator_binding.c
    with store.read() as conn:
        bound = [
            (str(r[0]), str(r[1]), int(r[2]))
            for r in conn.execute(sa.select(b.indicator, b.params, sa.func.count()).group_by(b.indicator, b.params))
        ]
        latest = latest_values(conn, {(k, p) for k, p, _ in bound})
    out = []
    for ind in reg:
        series = []
        for key, params_json, n in sorted(bound):
            if key != ind.key:
                continue
            v = latest.get((key, params_json))
            series.append(
                SeriesView(
                    key,
                    json.loads(params_json),
                    None if v is None or v.value is None else float(v.value),
                    v.as_of if v is not None else None,
                    v.computed_at if v is not None else None,
                    json.loads(v.details) if v is not None else {},
                    n,
                ).as_dict()
            )
        out.append({**ind.as_dict(), "series": series})
    return out


def indicator_values(
    store: Store,
    principal: Principal,
    indicator: str,
    *,
    params: Mapping[str, object] | None = None,
    registry: Registry | None = None,
    limit: int = 100,
) -> list[SeriesView]:
    """The stored values of one series, newest first (its history)."""
    check_read(principal)
    reg = registry or default_registry()
    key = params_key(reg.get(indicator).normalise(params))
    v = indicator_value.c
    with store.read() as conn:
        rows = conn.execute(
            sa.select(indicator_value)
            .where(v.indicator == indicator, v.params == key)
            .order_by(v.id.desc())
            .limit(limit)
        ).all()
    return [
        SeriesView(indicator, json.loads(r.params), r.value, r.as_of, r.computed_at, json.loads(r.details))
        for r in rows
    ]


__all__ = [
    "bind_indicator",
    "indicator_values",
    "list_indicators",
    "refresh_indicators",
    "unbind_indicator",
]
