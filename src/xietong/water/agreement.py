"""Agreement between the classes Xietong computes and the classes a monitoring centre published.

:func:`agreement_report` is the engine of ``xietong water classify FILE --json``: it classifies every
row of a published file (e.g. :func:`~xietong.water.formats.load_cnemc_realtime`) and compares the
computed class with the published one, explaining every disagreement.

A row is **compared** when it has a published class and a value for every item in ``required`` (by
default DO, CODMn, NH3-N and TP: the items the CNEMC automatic stations measure that can decide a class;
pH is not required). The other rows are listed under ``not_compared`` with the reason.

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
from xietong.water.standard import FloatArray, cnemc_decimals, method, table

#: items a row needs to be compared (automatic-station items that can decide the class; pH excluded)
DEFAULT_REQUIRED: tuple[WaterItem, ...] = (WaterItem.DO, WaterItem.CODMN, WaterItem.NH3N, WaterItem.TP)


class AgreementRow(TypedDict):
    section: str
    section_name: str | None
    time: str
    published_class: str
    computed_class: str | None
    agrees: bool
    deciding_items: list[str]
    reason: str | None


class NotComparedRow(TypedDict):
    section: str
    section_name: str | None
    time: str
    published_class: str | None
    reason: str


class AgreementReport(TypedDict):
    """``compared``, ``agreeing``, ``agreement`` (fraction, ``None`` when nothing was compared) and
    ``rows`` (one per compared row) are the stable interface; ``not_compared`` and ``method`` say what
    was left out and how the classes were computed."""

    compared: int
    agreeing: int
    agreement: float | None
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
        optionally ``section_name``, and item columns [item unit] (the frame of
        :func:`~xietong.water.formats.load_cnemc_realtime`).
    comparison, decimals:
        How values meet limits (default: rounded to the CNEMC precision, half-even).
    required:
        Items a row must have to be compared.

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
    dec = dict(cnemc_decimals() if decimals is None else decimals)
    need = [WaterItem.parse(str(i)) for i in required]
    waterbody = (
        frame["waterbody"].fillna(Waterbody.RIVER.value) if "waterbody" in frame.columns else Waterbody.RIVER.value
    )
    result = classify(frame, waterbody, comparison=comp, decimals=dec)
    other_comp = Comparison.FULL if comp is Comparison.ROUNDED else Comparison.ROUNDED
    other = classify(frame, waterbody, comparison=other_comp, decimals=dec)
    wb = np.asarray(
        np.broadcast_to(np.asarray(waterbody, dtype=object), (len(frame),))
        if isinstance(waterbody, str)
        else waterbody,
        dtype=object,
    )
    swapped = classify(frame, np.where(wb == Waterbody.LAKE.value, "river", "lake"), comparison=comp, decimals=dec)

    published = [_published(v) for v in frame["published_class"]]
    names: list[Any] = list(frame["section_name"]) if "section_name" in frame.columns else [None] * len(frame)
    statuses: list[Any] = list(frame["status"]) if "status" in frame.columns else [None] * len(frame)
    sections: list[Any] = list(frame["section"])
    times: list[Any] = list(frame["time"])
    views = _Views.of(frame, result)
    computed_classes: list[WaterClass | None] = list(result.samples["water_class"])
    deciding: list[tuple[WaterItem, ...]] = list(result.samples["deciding_items"])
    other_classes: list[WaterClass | None] = list(other.samples["water_class"])
    swapped_classes: list[WaterClass | None] = list(swapped.samples["water_class"])
    rows: list[AgreementRow] = []
    skipped: list[NotComparedRow] = []
    for pos, pub in enumerate(published):
        name = None if pd.isna(names[pos]) else str(names[pos])
        missing = [i.value for i in need if i.value not in views.given or np.isnan(views.given[i.value][pos])]
        if pub is None or missing:
            reasons = []
            if pub is None:
                status = statuses[pos]
                reasons.append("no published class" + (f" (station status {status})" if status else ""))
            if missing:
                reasons.append("no value for " + ", ".join(missing))
            skipped.append(
                {
                    "section": str(sections[pos]),
                    "section_name": name,
                    "time": _iso(times[pos]),
                    "published_class": None if pub is None else pub.value,
                    "reason": "; ".join(reasons),
                }
            )
            continue
        computed = computed_classes[pos]
        agrees = computed is pub
        reason = None
        if not agrees:
            alternatives = []
            if other_classes[pos] is pub:
                alternatives.append(f"agrees under {other_comp.value}-value comparison")
            if swapped_classes[pos] is pub:
                alt = "river" if str(wb[pos]) == Waterbody.LAKE.value else "lake"
                alternatives.append(f"agrees with the {alt} TP limits: check the section's water body type")
            reason = "; ".join([_reason(views, pos, pub, computed, result.evaluated), *alternatives])
        rows.append(
            {
                "section": str(sections[pos]),
                "section_name": name,
                "time": _iso(times[pos]),
                "published_class": pub.value,
                "computed_class": None if computed is None else computed.value,
                "agrees": agrees,
                "deciding_items": [str(i) for i in deciding[pos]],
                "reason": reason,
            }
        )
    agreeing = sum(r["agrees"] for r in rows)
    return {
        "compared": len(rows),
        "agreeing": agreeing,
        "agreement": agreeing / len(rows) if rows else None,
        "rows": rows,
        "not_compared": skipped,
        "method": {
            "standard": "GB 3838-2002 Table 1; 地表水环境质量评价办法（试行） 2011 single-factor method",
            "comparison": comp.value,
            "decimals": {k.value: v for k, v in dec.items()} if comp is Comparison.ROUNDED else None,
            "rounding": "half-even (GB/T 8170)" if comp is Comparison.ROUNDED else None,
            "evaluated_items": [i.value for i in method().evaluated],
            "required_items": [i.value for i in need],
            "waterbody": "from the sections table (lake limits for lakes and reservoirs)",
        },
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
