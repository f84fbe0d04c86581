"""Agreement tasks ↔ the parks they name, read through the platform (no import of the agreements domain).

The agreements domain publishes its tasks as the dataset ``agreements.tasks`` (:mod:`xietong.datasets`);
this module reads it and runs :func:`xietong.industry.parks.match` over each task's ``projects`` and text
against the parks in the store (seeded and imported), so a park added later links to the tasks that name it
without re-importing anything. Links are computed when read, never stored: they follow every new text
revision and every park revision.

A task then "shows the park's projects and figures" in two ways: the industry views of a park list its
tasks next to its projects, investment and jobs; and the task, in the agreements domain, can be bound to the
indicators ``industry.projects`` / ``industry.investment_cny`` / ``industry.jobs`` with ``park=<code>``
(each link carries those suggested bindings).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import sqlalchemy as sa

from xietong.datasets import default_catalogue
from xietong.errors import NotFoundError
from xietong.exchange.principals import Principal
from xietong.industry import parks
from xietong.industry.enums import ParkKind, ParkLevel, Stage
from xietong.industry.service import park_rows
from xietong.industry.tables import industry_project
from xietong.store.session import Store

TASKS_DATASET = "agreements.tasks"
#: indicators a linked task can be bound to, with ``park=<code>``
PARK_INDICATORS = ("industry.projects", "industry.investment_cny", "industry.jobs")


def _stored_parks(store: Store) -> list[parks.Park]:
    with store.read() as conn:
        rows = park_rows(conn)
    return [
        parks.Park(
            code=r.code,
            name_zh=r.name_zh,
            name_en=r.name_en,
            jurisdiction=r.jurisdiction_code,
            level=ParkLevel(r.level),
            kind=ParkKind(r.kind),
            partner=r.partner_code,
            lon=r.lon,
            lat=r.lat,
            approximate=bool(r.approximate),
            aliases=tuple(json.loads(r.aliases)),
        )
        for r in rows
    ]


def _figures(store: Store) -> dict[str, dict[str, Any]]:
    """Per park: projects by stage, investment [CNY] and jobs of the projects not cancelled."""
    p = industry_project.c
    q = sa.select(p.park_code, p.stage, sa.func.count(), sa.func.sum(p.investment_cny), sa.func.sum(p.jobs)).where(
        p.park_code.is_not(None)
    )
    out: dict[str, dict[str, Any]] = {}
    with store.read() as conn:
        for code, stage, n, investment, jobs in conn.execute(q.group_by(p.park_code, p.stage)):
            f = out.setdefault(str(code), {"projects": {}, "investment_cny": 0.0, "jobs": 0})
            f["projects"][str(stage)] = int(n)
            if stage != Stage.CANCELLED.value:
                f["investment_cny"] += float(investment or 0.0)
                f["jobs"] += int(jobs or 0)
    return out


def task_links(store: Store, principal: Principal, *, park: str | None = None) -> list[dict[str, Any]]:
    """One row per (task, park) the task names: the task, the park and the park's figures.

    Empty when no agreement is imported. ``park`` keeps the links of one park (404 if it does not exist).
    """
    tasks = default_catalogue().read(TASKS_DATASET, store, principal)
    known = _stored_parks(store)
    if park is not None and park not in {p.code for p in known}:
        raise NotFoundError(f"no park {park!r}", hint="list them with `xietong industry parks list`")
    by_code = {p.code: p for p in known}
    figures = _figures(store)
    out: list[dict[str, Any]] = []
    for rec in tasks.to_dict("records"):
        for code in parks.match([*rec["projects"], str(rec["text"])], known):
            if park is not None and code != park:
                continue
            p = by_code[code]
            out.append(
                {
                    "agreement_id": int(rec["agreement_id"]),
                    "agreement_title": rec["agreement_title"],
                    "task_id": rec["task_id"],
                    "number": rec["number"],
                    "text": rec["text"],
                    "named_in": "projects" if parks.match(list(rec["projects"]), [p]) else "text",
                    "park": code,
                    "park_name_zh": p.name_zh,
                    "park_name_en": p.name_en,
                    "park_jurisdiction": p.jurisdiction,
                    **figures.get(code, {"projects": {}, "investment_cny": 0.0, "jobs": 0}),
                    "bind": [f"{key} park={code}" for key in PARK_INDICATORS],
                }
            )
    return out


def links_frame(store: Store, principal: Principal) -> pd.DataFrame:
    """The links as a table: ``agreement_id, task_id, number, park, named_in``."""
    rows = task_links(store, principal)
    return pd.DataFrame(rows, columns=["agreement_id", "task_id", "number", "park", "named_in", "text"])


__all__ = ["PARK_INDICATORS", "TASKS_DATASET", "links_frame", "task_links"]
