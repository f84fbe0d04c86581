"""The agreements domain's published dataset (:mod:`xietong.datasets`): the tasks of the imported texts.

Other domains read the tasks through the platform's catalogue — the industry domain links each task to the
parks its text or ``projects`` name — without importing this domain.
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from xietong.agreements.tables import agreement, agreement_task
from xietong.datasets import Dataset
from xietong.enums import Scope
from xietong.exchange.principals import Principal
from xietong.store.session import Store

TASK_COLUMNS = (
    "agreement_id",
    "agreement_title",
    "task_id",
    "number",
    "text",
    "projects",
    "area",
    "lead",
    "partners",
    "status",
    "progress_pct",
)


def _tasks(store: Store, principal: Principal) -> pd.DataFrame:
    """The current tasks still in their text: lists (``projects``, ``lead``, ``partners``) as Python lists."""
    principal.require(Scope.READ, "read agreements")
    t = agreement_task.c
    q = (
        sa.select(
            t.agreement_id,
            agreement.c.title.label("agreement_title"),
            t.task_id,
            t.number,
            t.text,
            t.projects,
            t.area,
            t.lead,
            t.partners,
            t.status,
            t.progress_pct,
        )
        .join(agreement, agreement.c.id == t.agreement_id)
        .where(t.in_text.is_(True))
        .order_by(t.agreement_id, t.position)
    )
    with store.read() as conn:
        frame = pd.DataFrame([dict(r._mapping) for r in conn.execute(q)], columns=list(TASK_COLUMNS))
    for column in ("projects", "lead", "partners"):
        frame[column] = [json.loads(v) for v in frame[column]]
    return frame


def datasets() -> list[Dataset]:
    """The datasets the agreements domain publishes."""
    return [
        Dataset(
            key="agreements.tasks",
            name="Agreement tasks",
            description=(
                "Every task of every imported agreement that is still in its current text: agreement, stable "
                "task id, number, text, the projects and places the text names, area, lead and partner "
                "jurisdictions (GB/T 2260), tracking status and progress [%]."
            ),
            columns=TASK_COLUMNS,
            read=_tasks,
            module="agreements",
        )
    ]


__all__ = ["TASK_COLUMNS", "datasets"]
