"""Economic structure: tables from files or the store, in the layouts the CLI and the API serve.

A structure table is read by :func:`xietong.industry.panel.read_panel` (long CSV, or the wide layout of the
shared city panel). Its consistency problems (shares not adding up to 100 %, sector values not adding up to
the total, a reported share off the share of the values) are **reported, never repaired**: a computation
for some years refuses when a row of those years has a problem, and names the problems of the other years
(which it does not use) as notes. An import into the store (``industry_structure_value``, system-versioned)
is all-or-nothing over the years imported; each city's figures are published by its own jurisdiction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd
import sqlalchemy as sa

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Problem
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.industry import panel, structure
from xietong.industry.service import finish_batch, new_batch, refuse_owner, require_publish, versioned_upsert
from xietong.industry.tables import industry_structure_value, industry_structure_value_history
from xietong.store.clock import utcnow
from xietong.store.session import Store

LONG = ["city", "year", "sector", "indicator", "value", "unit", "row"]


@dataclass(slots=True)
class Table:
    """A long structure frame ready for computing, and the problems of rows it does not use (notes)."""

    frame: pd.DataFrame
    source: str
    notes: list[Problem] = field(default_factory=list)


def _problem_years(p: panel.Panel) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for row, year in zip(p.frame["row"], p.frame["year"], strict=True):
        out.setdefault(int(row), set()).add(int(year))
    return out


def from_file(path: str | Path | IO[str], *, years: Iterable[int] | None = None, source: str | None = None) -> Table:
    """A file's table, restricted to ``years`` (all when ``None``); problems of those years refuse it."""
    name = source or (Path(path).name if isinstance(path, (str, Path)) else "structure table")
    p = panel.read_panel(path, source=name)
    wanted = None if years is None else {int(y) for y in years}
    row_years = _problem_years(p)
    blocking, notes = [], []
    for prob in p.problems:
        ys = row_years.get(int(prob.where.row or 0))
        if wanted is None or ys is None or ys & wanted:
            blocking.append(prob)
        else:
            notes.append(prob)
    if blocking:
        raise InputError.refuse(
            blocking,
            summary=f"{len(blocking)} problem(s) in the structure table {name}; nothing was computed or written",
            hint="Xietong reports inconsistent rows and never rescales them: correct the file",
        )
    frame = p.frame if wanted is None else p.frame[p.frame["year"].isin(sorted(wanted))]
    for y in sorted(wanted or ()):
        panel.require_year(p.frame, y, source=name)
    return Table(frame.reset_index(drop=True), name, notes)


def _names(codes: Iterable[str]) -> list[str]:
    return [region.get(c).name_en for c in codes]


def structure_table(table: Table, year: int, *, indicator: str = "value_added") -> pd.DataFrame:
    """``city, city_name, year, sector, value, unit, share [%], lq, krugman_specialisation`` for ``year``."""
    m = structure.sector_matrix(table.frame, year=year, indicator=indicator, source=table.source)
    out = structure.structure(m)
    k = structure.krugman_specialisation(m)
    out["krugman_specialisation"] = out["city"].map(k)
    out.insert(1, "city_name", _names(out["city"]))
    return out


def similarity_table(table: Table, year: int, *, indicator: str = "value_added") -> pd.DataFrame:
    """``city_a, city_b, similarity, krugman_dissimilarity, year`` for every pair of cities."""
    m = structure.sector_matrix(table.frame, year=year, indicator=indicator, source=table.source)
    sim = structure.similarity(m)
    sim["krugman_dissimilarity"] = structure.krugman_dissimilarity(m)["krugman"].to_numpy()
    sim["year"] = year
    return sim


def shift_share_table(table: Table, base: int, end: int, *, indicator: str = "value_added") -> pd.DataFrame:
    """Shift-share of each city and sector between ``base`` and ``end`` (values in the table's unit)."""
    if end <= base:
        raise InputError("the end year must come after the base year", given=f"{base} → {end}")
    mb = structure.sector_matrix(table.frame, year=base, indicator=indicator, source=table.source)
    me = structure.sector_matrix(table.frame, year=end, indicator=indicator, source=table.source)
    out = structure.shift_share(mb, me)
    out.insert(0, "end_year", end)
    out.insert(0, "base_year", base)
    return out


# -- the store -----------------------------------------------------------------------------------------


def import_table(store: Store, principal: Principal, table: Table) -> dict[str, Any]:
    """Store the table's values (revisions kept), all-or-nothing; each city by its own jurisdiction."""
    require_publish(principal, "publish structure tables")
    frame = table.frame
    if frame.empty:
        raise InputError("no values to import", expected="rows of the selected years", given="none")
    for city in sorted(set(frame["city"])):
        if not principal.may_act_for(city):
            raise refuse_owner(principal, f"the structure figures of {city}", city)
    counts = {"read": len(frame), "new": 0, "revised": 0, "unchanged": 0}
    with actions.audited_write(store, principal, "industry.structure.import", table.source) as work:
        conn, now = work.conn, utcnow()
        batch = new_batch(conn, principal, "industry.structure", "panel", table.source, now)
        for rec in frame.itertuples(index=False):
            keys = {"city": rec.city, "year": int(str(rec.year)), "sector": rec.sector, "indicator": rec.indicator,
                    "unit": rec.unit}  # fmt: skip
            outcome = versioned_upsert(
                conn,
                (industry_structure_value, industry_structure_value_history),
                keys,
                {"value": float(str(rec.value))},
                batch_id=batch,
                now=now,
            )
            counts[outcome] += 1
        finish_batch(conn, batch, counts)
        work.target = f"batch {batch}"
        work.detail = {"source": table.source, "years": sorted({int(y) for y in frame["year"]}), **counts}
    return {"batch_id": batch, **counts}


def from_store(
    store: Store, principal: Principal, *, years: Sequence[int] | None = None, require: bool = False
) -> Table:
    """The stored values as a table (row numbers 0: they come from the store, not a file); with ``require``,
    an :class:`InputError` naming the stored years when one of ``years`` has no values."""
    principal.require(Scope.READ, "read structure tables")
    v = industry_structure_value.c
    q = sa.select(v.city, v.year, v.sector, v.indicator, v.value, v.unit).order_by(v.city, v.year, v.sector)
    if years:
        q = q.where(v.year.in_([int(y) for y in years]))
    with store.read() as conn:
        frame = pd.DataFrame([dict(r._mapping) for r in conn.execute(q)], columns=LONG[:-1])
    frame["row"] = 0
    frame["year"] = frame["year"].astype("int64")
    frame["value"] = frame["value"].astype("float64")
    missing = sorted(set(years or ()) - {int(y) for y in frame["year"]})
    if require and missing:
        present = stored_years(store, principal)
        raise InputError(
            f"no structure table stored for {', '.join(map(str, missing))}",
            expected="one of the stored years: " + (", ".join(map(str, present)) or "none"),
            given=", ".join(map(str, missing)),
            hint="store one with `xietong industry import-structure FILE` (or POST /api/v1/industry/structure), "
            "or compute from a file with --panel FILE",
        )
    return Table(frame, "the store")


def stored_years(store: Store, principal: Principal) -> list[int]:
    principal.require(Scope.READ, "read structure tables")
    with store.read() as conn:
        return [
            int(r[0])
            for r in conn.execute(
                sa.select(industry_structure_value.c.year).distinct().order_by(industry_structure_value.c.year)
            )
        ]


__all__ = [
    "Table",
    "from_file",
    "from_store",
    "import_table",
    "shift_share_table",
    "similarity_table",
    "stored_years",
    "structure_table",
]
