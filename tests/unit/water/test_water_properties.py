"""Differential tests: the vectorised sample results against a plain per-row reading of the rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

from xietong.water.classify import classify, item_class
from xietong.water.enums import WaterItem
from xietong.water.standard import method, table

ITEMS = ["ph", "do", "codmn", "cod", "nh3n", "tp", "hg", "pb", "cyanide"]  # Table 1 order
# values around the limits (on them, just past them) and in between, plus missing
CANDIDATES: dict[str, list[float]] = {}
for name in ITEMS:
    lim = table()[WaterItem(name)]
    edges = sorted({float(t) for t in lim.limits_text})
    values = {0.0, *edges, *(e * 1.01 for e in edges), *(e * 0.99 for e in edges), edges[-1] * 3}
    CANDIDATES[name] = [*sorted(values), math.nan]


def reference(row: dict[str, float]) -> tuple[int, tuple[str, ...], tuple[str, ...]]:
    """Class rank, deciding items and main pollutants of one sample, straight from the rules."""
    m = method()
    ranks = {i: int(item_class([v], i)[0]) for i, v in row.items()}
    ranks = {i: r for i, r in ranks.items() if r > 0}
    if not ranks:
        return 0, (), ()
    worst = max(ranks.values())
    deciding = tuple(i for i in ITEMS if ranks.get(i) == worst)
    if worst <= 3:
        return worst, deciding, ()
    limits = table()

    def multiple(i: str) -> float:
        lim = limits[WaterItem(i)]
        if lim.kind != "max":
            return math.nan
        c3 = float(lim.limits_text[2])
        return (row[i] - c3) / c3

    priority = {p.value for p in m.priority}
    candidates = [i for i in ITEMS if ranks.get(i, 0) > 3]
    candidates.sort(
        key=lambda i: (
            i not in priority,
            -ranks[i],
            math.inf if math.isnan(multiple(i)) else -round(multiple(i), 9),
            ITEMS.index(i),
        )
    )
    return worst, deciding, tuple(candidates[:3])


@settings(max_examples=60, deadline=None)
@given(data_frames([column(name, elements=st.sampled_from(CANDIDATES[name])) for name in ITEMS]))
def test_vectorised_equals_per_row(frame: pd.DataFrame) -> None:
    result = classify(frame)
    for pos, (_, row) in enumerate(frame.iterrows()):
        rank, deciding, main = reference({k: float(v) for k, v in row.items()})
        got = result.samples.iloc[pos]
        assert (0 if pd.isna(got["class_rank"]) else int(got["class_rank"])) == rank
        assert tuple(str(i) for i in got["deciding_items"]) == deciding
        assert tuple(str(i) for i in got["main_pollutants"]) == main


def test_many_rows_share_few_tuples() -> None:
    frame = pd.DataFrame({"codmn": np.tile([3.0, 7.0, 12.0], 10_000), "nh3n": np.tile([0.2, 1.2, 3.0], 10_000)})
    result = classify(frame)
    assert result.samples["main_pollutants"].iloc[2] == (WaterItem.NH3N, WaterItem.CODMN)
    assert result.samples["main_pollutants"].iloc[29_999] == (WaterItem.NH3N, WaterItem.CODMN)
    assert result.samples["deciding_items"].iloc[0] == (WaterItem.CODMN, WaterItem.NH3N)  # both class II
