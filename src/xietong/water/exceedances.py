"""Exceedances of a section's target class (GB 3838-2002): the pure rule that opens a water-pollution incident
by exceedance (:func:`xietong.water.incidents.detect_exceedances` applies it to the stored samples)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from xietong.errors import InputError
from xietong.water.enums import WaterItem

#: samples in a row that must exceed the target class on the same item to open an incident
DEFAULT_CONSECUTIVE = 3


@dataclass(frozen=True, slots=True)
class Exceedance:
    """A section whose last ``consecutive`` samples all exceed its target class on ``item``."""

    section: str
    item: str
    target_class: str
    first_time: datetime
    last_time: datetime
    classes: list[str]
    values: list[float]


def find_exceedances(samples: pd.DataFrame, *, consecutive: int = DEFAULT_CONSECUTIVE) -> list[Exceedance]:
    """Pure: from classified samples (:func:`xietong.water.samples.classify_wide`), the sections whose
    last ``consecutive`` samples exceed the target class on the same evaluated item (the first such item
    in GB 3838 Table 1 order)."""
    if consecutive < 1:
        raise InputError("consecutive must be at least 1", given=repr(consecutive))
    out: list[Exceedance] = []
    if samples.empty:
        return out
    for section, group in samples.sort_values(["section", "time"]).groupby("section", sort=True):
        last = group.tail(consecutive)
        if len(last) < consecutive or last["target_class"].isna().any():
            continue
        sets = [set(str(t).split()) for t in last["target_exceeding_items"]]
        common = set.intersection(*sets) if sets else set()
        if not common:
            continue
        item = next(i.value for i in WaterItem if i.value in common)
        out.append(
            Exceedance(
                str(section), item, str(last["target_class"].iloc[-1]),
                pd.Timestamp(last["time"].iloc[0]).to_pydatetime(), pd.Timestamp(last["time"].iloc[-1]).to_pydatetime(),
                [str(c) for c in last["water_class"]], [float(v) for v in last[item]],
            )
        )  # fmt: skip
    return out


__all__ = ["DEFAULT_CONSECUTIVE", "Exceedance", "find_exceedances"]
