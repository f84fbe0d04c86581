"""The tiny domain's service: a seed and an indicator, both over its table."""

from __future__ import annotations

import sqlalchemy as sa

from xietong.exchange.principals import Principal
from xietong.indicators import Comparator, Context, Indicator, Reading
from xietong.store.session import Store
from xietong_tiny.tables import tiny_note


def seed(store: Store, operator: Principal) -> dict[str, int]:
    """One note, once."""
    with store.write() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(tiny_note)).scalar_one():
            return {"tiny notes added": 0}
        conn.execute(tiny_note.insert().values(text=f"seeded by {operator.name}"))
    return {"tiny notes added": 1}


def notes(store: Store) -> list[str]:
    with store.read() as conn:
        return [str(r[0]) for r in conn.execute(sa.select(tiny_note.c.text).order_by(tiny_note.c.id))]


def _count(ctx: Context) -> Reading:
    return Reading(float(len(notes(ctx.store))))


def indicators() -> list[Indicator]:
    return [
        Indicator(
            key="tiny.notes",
            name="Tiny notes",
            description="notes in the tiny table",
            unit="notes",
            comparator=Comparator.GE,
            target=1,
            compute=_count,
            module="tiny",
        )
    ]
