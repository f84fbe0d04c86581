"""Industry indicators that agreement tasks and the dashboard bind to (published through the domain contract).

Projects (``industry.projects``, ``industry.investment_cny``, ``industry.jobs``: the projects of a park, a
destination or an origin at a stage), economic structure from the stored tables
(``industry.structure_similarity``, ``industry.mean_structure_similarity``, ``industry.sector_share_pct``) and
technology transfer (``industry.tech_contracts_beijing_to_tianjin_hebei_cny``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from xietong import region
from xietong.errors import InputError
from xietong.indicators import Comparator, Context, Indicator, Param, ParamKind, Reading
from xietong.industry import economy, pipeline, structure, transfer
from xietong.industry.enums import Stage

_ACTIVE = "active"
_PROJECT_PARAMS = (
    Param("park", ParamKind.TEXT, "park code (xietong industry parks list)"),
    Param("destination", ParamKind.JURISDICTION, "projects received by this jurisdiction (or places inside it)"),
    Param("origin", ParamKind.JURISDICTION, "projects leaving this jurisdiction (or places inside it)"),
    Param("stage", ParamKind.TEXT, "signed, construction, operating, cancelled, or active (all but cancelled)",
          default=_ACTIVE),
)  # fmt: skip


def _projects(ctx: Context) -> list[dict[str, Any]]:
    stage = ctx.params.get("stage", _ACTIVE)
    rows = pipeline.list_projects(
        ctx.store, ctx.principal, park=ctx.params.get("park"), stage=None if stage == _ACTIVE else stage
    )
    if stage == _ACTIVE:
        rows = [r for r in rows if r["stage"] != Stage.CANCELLED.value]
    for key, column in (("destination", "destination"), ("origin", "origin")):
        if key in ctx.params:
            rows = [r for r in rows if region.is_within(r[column], ctx.params[key])]
    return rows


def _project_reading(field: str | None) -> Callable[[Context], Reading]:
    def compute(ctx: Context) -> Reading:
        rows = _projects(ctx)
        value = float(len(rows)) if field is None else float(sum(r[field] or 0 for r in rows))
        as_of = max((r["recorded_at"] for r in rows), default=None)
        details = {
            "projects": [
                {"id": r["id"], "name": r["name"], "stage": r["stage"], "park": r["park"],
                 "investment_cny": r["investment_cny"], "jobs": r["jobs"]}
                for r in rows[:50]
            ],
            "count": len(rows),
            "params": dict(ctx.params),
        }  # fmt: skip
        return Reading(value, as_of, details)

    return compute


def _matrix(ctx: Context) -> structure.SectorMatrix | None:
    year = int(ctx.params["year"])
    table = economy.from_store(ctx.store, ctx.principal, years=[year])
    if table.frame.empty:
        return None
    return structure.sector_matrix(table.frame, year=year)


def _similarity(ctx: Context) -> Reading:
    m = _matrix(ctx)
    a, b = ctx.params["city_a"], ctx.params["city_b"]
    if m is None or a not in m.values.index or b not in m.values.index:
        return Reading(None, None, {"reason": f"no stored structure of {a} and {b} in {ctx.params['year']}"})
    sim = structure.similarity(m.values.loc[[a, b]])
    return Reading(float(sim["similarity"].iloc[0]), None, {"sectors": list(m.values.columns), "unit": m.unit})


def _mean_similarity(ctx: Context) -> Reading:
    m = _matrix(ctx)
    if m is None or len(m.values) < 2:
        return Reading(None, None, {"reason": f"fewer than two cities stored for {ctx.params['year']}"})
    sim = structure.similarity(m)
    return Reading(
        float(np.mean(sim["similarity"])),
        None,
        {"pairs": len(sim), "cities": list(m.values.index), "sectors": list(m.values.columns)},
    )


def _sector_share(ctx: Context) -> Reading:
    m = _matrix(ctx)
    city, sector = ctx.params["city"], ctx.params["sector"]
    if m is None or city not in m.values.index or sector not in m.values.columns:
        return Reading(None, None, {"reason": f"no stored {sector} value of {city} in {ctx.params['year']}"})
    shares = structure.shares(m)
    lq = structure.location_quotients(m)
    share, quotient = shares.loc[city, sector], lq.loc[city, sector]
    return Reading(float(str(share)), None, {"lq": float(str(quotient)), "unit": m.unit})


def _beijing_outflow(ctx: Context) -> Reading:
    year = int(ctx.params["year"])
    try:
        by_year = transfer.beijing_outflow(ctx.store, ctx.principal)
    except InputError as exc:
        return Reading(None, None, {"reason": exc.message})
    row = by_year[by_year["year"] == year]
    if row.empty:
        return Reading(None, None, {"reason": f"no stored contract from Beijing to Tianjin or Hebei in {year}"})
    r = row.iloc[0]
    return Reading(
        float(r["value_cny"]),
        None,
        {"to_tianjin_cny": float(r["to_tianjin_cny"]), "to_hebei_cny": float(r["to_hebei_cny"]),
         "contracts": int(r["contracts"]), "year": year},
    )  # fmt: skip


def _structure_indicators() -> list[Indicator]:
    year = Param("year", ParamKind.NUMBER, "calendar year of the stored structure table", True)
    return [
        Indicator(
            key="industry.structure_similarity",
            name="Structural similarity of two cities",
            description=(
                "Cosine of the two cities' sector-share vectors (产业结构相似系数, UNIDO 1979) from the stored "
                "structure table (value added by sector); 1 = identical structures. Lower means more complementary."
            ),
            unit="1",
            comparator=Comparator.LE,
            target=None,
            compute=_similarity,
            params=(
                Param("city_a", ParamKind.JURISDICTION, "a city", True),
                Param("city_b", ParamKind.JURISDICTION, "another city", True),
                year,
            ),
            module="industry",
        ),
        Indicator(
            key="industry.mean_structure_similarity",
            name="Mean structural similarity of the region's cities",
            description="Mean of the similarity coefficient over every pair of cities in the stored table for the year.",
            unit="1",
            comparator=Comparator.LE,
            target=None,
            compute=_mean_similarity,
            params=(year,),
            module="industry",
        ),
        Indicator(
            key="industry.sector_share_pct",
            name="Share of a sector in a city's value added",
            description="100 × the sector's value / the sum of the city's sector values, from the stored table; details give the location quotient.",
            unit="%",
            comparator=Comparator.GE,
            target=None,
            compute=_sector_share,
            params=(
                Param("city", ParamKind.JURISDICTION, "city", True),
                Param("sector", ParamKind.TEXT, "primary, secondary, tertiary or a GB/T 4754 section letter", True),
                year,
            ),
            module="industry",
        ),
    ]


def indicators() -> list[Indicator]:
    """The industry domain's indicators."""
    project = [
        ("industry.projects", "Relocation and investment projects", "projects", None, "Number of projects"),
        ("industry.investment_cny", "Investment of projects", "CNY", "investment_cny", "Sum of the investment [CNY] of the projects"),
        ("industry.jobs", "Jobs of projects", "jobs", "jobs", "Sum of the jobs of the projects"),
    ]  # fmt: skip
    out = [
        Indicator(
            key=key,
            name=name,
            description=f"{text} of a park, a destination or an origin at a stage (default: all but cancelled).",
            unit=unit,
            comparator=Comparator.GE,
            target=None,
            compute=_project_reading(field),
            params=_PROJECT_PARAMS,
            module="industry",
        )
        for key, name, unit, field, text in project
    ]
    out += _structure_indicators()
    out.append(
        Indicator(
            key="industry.tech_contracts_beijing_to_tianjin_hebei_cny",
            name="Technology contracts flowing from Beijing to Tianjin and Hebei",
            description=(
                "Value [CNY] of the stored technology contracts whose seller is in Beijing and whose buyer is in "
                "Tianjin or Hebei (any city), registered in the year; details split Tianjin and Hebei."
            ),
            unit="CNY",
            comparator=Comparator.GE,
            target=None,
            compute=_beijing_outflow,
            params=(Param("year", ParamKind.NUMBER, "registration year", True),),
            module="industry",
        )
    )
    return out


__all__ = ["indicators"]
