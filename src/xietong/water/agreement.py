"""Agreement between the classes Xietong computes and the classes a monitoring centre published.

:func:`agreement_report` is the engine of ``xietong water classify FILE --json``: it classifies every
row of a published file (e.g. :func:`~xietong.water.formats.load_cnemc_realtime`) and compares the
computed class with the published one, explaining every disagreement.

A row is **compared** when it has a published class and a value for at least one evaluated item. A row
lacking some of the ``required`` items (default pH, DO, CODMn, NH3-N and TP, the evaluated items every
CNEMC automatic station measures) gets the class of the items it has and is flagged ``partial`` with its
``missing_items``: that is how CNEMC publishes such rows (``docs/water.md``, "Partial rows"). The other
rows are listed under ``not_compared`` with the reason.

By default the comparison reproduces the CNEMC practice (:mod:`xietong.water.standard`,
``[practice.cnemc_realtime]``): values rounded half-even to the published precision, then classified.
``comparison="full"`` classifies the unrounded values (GB/T 8170 full-value comparison).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from xietong.errors import InputError
from xietong.water.classify import Classification, classify
from xietong.water.enums import Comparison, Waterbody, WaterClass, WaterItem
from xietong.water.standard import FloatArray, cnemc_decimals, cnemc_required, method, table

#: items a row should have; a row lacking some is compared as ``partial`` (:func:`cnemc_required`)
DEFAULT_REQUIRED: tuple[WaterItem, ...] = cnemc_required()


class AgreementRow(TypedDict):
    section: str
    section_name: str | None
    time: str
    published_class: str
    computed_class: str | None
    agrees: bool
    deciding_items: list[str]
    partial: bool
    missing_items: list[str]
    reason: str | None


class NotComparedRow(TypedDict):
    section: str
    section_name: str | None
    time: str
    published_class: str | None
    missing_items: list[str]
    reason: str


class AgreementReport(TypedDict):
    """``compared``, ``agreeing``, ``agreement`` (fraction, ``None`` when nothing was compared) and
    ``rows`` (one per compared row, partial rows included) are the stable interface;
    ``partial_compared`` and ``partial_agreeing`` count the partial rows among them; ``not_compared``
    and ``method`` say what was left out and how the classes were computed."""

    compared: int
    agreeing: int
    agreement: float | None
    partial_compared: int
    partial_agreeing: int
    rows: list[AgreementRow]
    not_compared: list[NotComparedRow]
    method: dict[str, Any]


def _iso(t: Any) -> str:
    return pd.Timestamp(t).isoformat() if pd.notna(t) else ""


def _value_text(value: float) -> str:
    return f"{value:.6g}"


def agreement_report(
    frame: pd.DataFrame,
    *,
    comparison: Comparison | str = Comparison.ROUNDED,
    decimals: Mapping[WaterItem, int] | None = None,
    required: Iterable[WaterItem | str] = DEFAULT_REQUIRED,
) -> AgreementReport:
    """Compare computed and published classes, row by row.

    Parameters
    ----------
    frame:
        One row per published sample with ``section``, ``time``, ``published_class``
        (:class:`WaterClass`, its text, or missing), ``waterbody`` (``river``/``lake``; default river),
        optionally ``section_name`` and ``status``, and item columns [item unit] (the frame of
        :func:`~xietong.water.formats.load_cnemc_realtime`).
    comparison, decimals:
        How values meet limits. Default: rounded half-even to the precision the file displays
        (``frame.attrs["display_decimals"]``, set by
        :func:`~xietong.water.formats.load_cnemc_realtime`), else to the Nov 2025 CNEMC precision.
    required:
        Items a row should have; a row lacking some of them is compared on the items it has and
        flagged ``partial`` (CNEMC publication practice, ``docs/water.md``).

    Returns
    -------
    :class:`AgreementReport`, JSON-serialisable.
    """
    for col in ("section", "time", "published_class"):
        if col not in frame.columns:
            raise InputError(
                "the frame lacks a column the agreement report needs",
                expected="section, time, published_class, waterbody and item columns",
                given=", ".join(map(str, frame.columns[:30])),
                hint="load the file with xietong.water.formats.load_cnemc_realtime",
            )
    comp = Comparison(comparison)
    shown = {k: int(v) for k, v in dict(frame.attrs.get("display_decimals") or {}).items() if k in table()}
    if decimals is not None:
        dec, dec_source = dict(decimals), "given"
    elif shown:
        dec, dec_source = cnemc_decimals() | shown, "the precision the file displays"
    else:
        dec, dec_source = cnemc_decimals(), "the CNEMC real-time precision of Nov 2025 pages"
    need = tuple(WaterItem.parse(str(i)) for i in required)
    runs = _Runs.of(frame, comp, dec, need)
    rows: list[AgreementRow] = []
    skipped: list[NotComparedRow] = []
    for pos in range(len(frame)):
        row = runs.row(pos)
        if isinstance(row, str):
            skipped.append(runs.not_compared(pos, row))
        else:
            rows.append(row)
    agreeing = sum(r["agrees"] for r in rows)
    partial = [r for r in rows if r["partial"]]
    return {
        "compared": len(rows),
        "agreeing": agreeing,
        "agreement": agreeing / len(rows) if rows else None,
        "partial_compared": len(partial),
        "partial_agreeing": sum(r["agrees"] for r in partial),
        "rows": rows,
        "not_compared": skipped,
        "method": {
            "standard": "GB 3838-2002 Table 1; 地表水环境质量评价办法（试行） 2011 single-factor method",
            "comparison": comp.value,
            "decimals": {k.value: v for k, v in dec.items()} if comp is Comparison.ROUNDED else None,
            "decimals_source": dec_source if comp is Comparison.ROUNDED else None,
            "rounding": "half-even (GB/T 8170)" if comp is Comparison.ROUNDED else None,
            "evaluated_items": [i.value for i in method().evaluated],
            "required_items": [i.value for i in need],
            "partial_rows": "a row lacking required items gets the class of the evaluated items it has "
            "(CNEMC publication practice); compared and flagged partial",
            "waterbody": "from the sections table (lake limits for lakes and reservoirs)",
        },
    }


@dataclass(frozen=True, slots=True)
class _Runs:
    """The frame classified three ways (as asked, under the other comparison, with the other water body
    type) and the per-row columns the report needs."""

    frame: pd.DataFrame
    comparison: Comparison
    other_comparison: Comparison
    result: Classification
    other: list[WaterClass | None]
    swapped: list[WaterClass | None]
    waterbody: np.ndarray[Any, np.dtype[Any]]
    published: list[WaterClass | None]
    computed: list[WaterClass | None]
    deciding: list[tuple[WaterItem, ...]]
    missing: list[tuple[WaterItem, ...]]
    columns: dict[str, list[Any]]
    views: _Views

    @classmethod
    def of(cls, frame: pd.DataFrame, comp: Comparison, dec: dict[WaterItem, int], need: tuple[WaterItem, ...]) -> _Runs:
        n = len(frame)
        wb = (
            frame["waterbody"].fillna(Waterbody.RIVER.value).to_numpy(dtype=object)
            if "waterbody" in frame.columns
            else np.full(n, Waterbody.RIVER.value, dtype=object)
        )
        result = classify(frame, wb, comparison=comp, decimals=dec, required=need)
        other_comp = Comparison.FULL if comp is Comparison.ROUNDED else Comparison.ROUNDED
        other = classify(frame, wb, comparison=other_comp, decimals=dec, required=need)
        flipped = np.where(wb == Waterbody.LAKE.value, Waterbody.RIVER.value, Waterbody.LAKE.value)
        swapped = classify(frame, flipped, comparison=comp, decimals=dec, required=need)
        return cls(
            frame=frame,
            comparison=comp,
            other_comparison=other_comp,
            result=result,
            other=list(other.samples["water_class"]),
            swapped=list(swapped.samples["water_class"]),
            waterbody=wb,
            published=[_published(v) for v in frame["published_class"]],
            computed=list(result.samples["water_class"]),
            deciding=list(result.samples["deciding_items"]),
            missing=list(result.samples["missing_items"]),
            columns={c: list(frame[c]) for c in ("section", "section_name", "time", "status") if c in frame.columns},
            views=_Views.of(frame, result),
        )

    def _cell(self, column: str, pos: int) -> Any:
        values = self.columns.get(column)
        value = None if values is None else values[pos]
        return None if value is None or (not isinstance(value, str) and bool(pd.isna(value))) else value

    def _missing(self, pos: int) -> list[str]:
        return [i.value for i in self.missing[pos]]

    def row(self, pos: int) -> AgreementRow | str:
        """The compared row at ``pos``, or why it is not compared."""
        pub = self.published[pos]
        computed = self.computed[pos]
        if pub is None or computed is None:
            status = self._cell("status", pos)
            reasons = []
            if pub is None:
                reasons.append("no published class" + (f" (station status {status})" if status else ""))
            if computed is None:
                reasons.append("no value for any evaluated item")
            elif self.missing[pos]:
                reasons.append("no value for " + ", ".join(self._missing(pos)))
            return "; ".join(reasons)
        missing = self._missing(pos)
        agrees = computed is pub
        reason = None
        if not agrees:
            alternatives = []
            if self.other[pos] is pub:
                alternatives.append(f"agrees under {self.other_comparison.value}-value comparison")
            if self.swapped[pos] is pub:
                alt = "river" if str(self.waterbody[pos]) == Waterbody.LAKE.value else "lake"
                alternatives.append(f"agrees with the {alt} TP limits: check the section's water body type")
            reason = "; ".join([_reason(self.views, pos, pub, computed, self.result.evaluated), *alternatives])
        name = self._cell("section_name", pos)
        return {
            "section": str(self.columns["section"][pos]),
            "section_name": None if name is None else str(name),
            "time": _iso(self.columns["time"][pos]),
            "published_class": pub.value,
            "computed_class": computed.value,
            "agrees": agrees,
            "deciding_items": [str(i) for i in self.deciding[pos]],
            "partial": bool(missing),
            "missing_items": missing,
            "reason": reason,
        }

    def not_compared(self, pos: int, reason: str) -> NotComparedRow:
        pub = self.published[pos]
        name = self._cell("section_name", pos)
        return {
            "section": str(self.columns["section"][pos]),
            "section_name": None if name is None else str(name),
            "time": _iso(self.columns["time"][pos]),
            "published_class": None if pub is None else pub.value,
            "missing_items": self._missing(pos),
            "reason": reason,
        }


def _published(value: Any) -> WaterClass | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, WaterClass):
        return value
    text = str(value).strip()
    return None if text in {"", "*", "--"} else WaterClass.parse(text)


@dataclass(frozen=True, slots=True)
class _Views:
    """Item columns as float arrays: given values, compared values and class ranks (NaN = none)."""

    given: dict[str, FloatArray]
    compared: dict[str, FloatArray]
    ranks: dict[str, FloatArray]

    @classmethod
    def of(cls, frame: pd.DataFrame, result: Classification) -> _Views:
        items = [c for c in map(str, frame.columns) if c in {i.value for i in WaterItem}]
        return cls(
            given={c: frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in items},
            compared={str(c): result.compared_values[c].to_numpy(dtype="float64") for c in result.compared_values},
            ranks={
                str(c): result.item_classes[c].to_numpy(dtype="float64", na_value=np.nan) for c in result.item_classes
            },
        )


def _reason(
    views: _Views, pos: int, pub: WaterClass, computed: WaterClass | None, evaluated: tuple[WaterItem, ...]
) -> str:
    """Why the computed class differs from the published one, in words."""
    limits = table()
    if computed is None:
        return "no evaluated item has a value"
    if computed.rank > pub.rank:
        parts = []
        for item in evaluated:
            rank = views.ranks[item.value][pos]
            if np.isnan(rank) or int(rank) <= pub.rank:
                continue
            given = float(views.given[item.value][pos])
            compared = float(views.compared[item.value][pos])
            shown = "" if compared == given else f" (compared as {_value_text(compared)})"
            parts.append(
                f"{limits[item].name_en} {_value_text(given)} {item.unit}{shown} is class "
                f"{WaterClass.from_rank(int(rank)).value}"
            )
        return f"computed {computed.value} is worse than published {pub.value}: " + ", ".join(parts)
    usual = (WaterItem.PH, WaterItem.DO, WaterItem.CODMN, WaterItem.NH3N, WaterItem.TP)
    absent = [i.value for i in usual if i.value not in views.given or np.isnan(views.given[i.value][pos])]
    return (
        f"computed {computed.value} is better than published {pub.value}: the published class must rest on an "
        "item or value not in the data"
        + (f" (no value here for {', '.join(absent)})" if absent else " (an item the site does not publish)")
    )


__all__ = ["DEFAULT_REQUIRED", "AgreementReport", "AgreementRow", "NotComparedRow", "agreement_report"]
