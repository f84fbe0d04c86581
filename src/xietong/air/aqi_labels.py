"""Labels of AQI results as categoricals (primary pollutant, level, category, colour) and the frame
columns of an :class:`~xietong.air.aqi.AqiArrays`, without per-row Python work."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong.air.aqi_tables import SLOT_POLLUTANT, SLOTS, AqiArrays, edition_tables, fixed_edition, parse_pollutant
from xietong.enums import Pollutant


def _slot_mask_labels(edition: str, zh: bool) -> tuple[str, ...]:
    """Label of every 7-bit slot mask: ``"PM10,PM2.5"`` (pollutant codes) or the CNEMC names."""
    et = edition_tables(edition)
    out = []
    for mask in range(1 << len(SLOTS)):
        names: list[str] = []
        for i, slot in enumerate(SLOTS):
            if mask & (1 << i):
                name = et.names_zh[slot] if zh else SLOT_POLLUTANT[i].value
                if name not in names:
                    names.append(name)
        out.append(",".join(names))
    return tuple(out)


def mask_labels(masks: npt.NDArray[np.uint8], edition: str, *, zh: bool = False) -> pd.Categorical[str]:
    """Slot bitmasks (``AqiArrays.primary`` / ``exceedance``) as a categorical; 0 → NA."""
    labels = _slot_mask_labels(edition, zh)
    uniq = sorted(set(labels[1:]))
    index = {lab: i for i, lab in enumerate(uniq)}
    code_of_mask = np.array([-1] + [index[lab] for lab in labels[1:]], dtype=np.int16)
    codes = code_of_mask.take(masks)
    return cast("pd.Categorical[str]", pd.Categorical.from_codes(codes, dtype=_dtype(tuple(uniq)), validate=False))


def level_labels(level: npt.NDArray[np.int8], edition: str, field_name: str) -> pd.Categorical[str]:
    """A level attribute (``category_zh``, ``category_en``, ``hex``, ``roman`` …) per row; level 0 → NA."""
    levels = edition_tables(edition).levels
    cats = [str(lv[field_name]) for lv in levels]
    codes = level.astype(np.int8) - np.int8(1)
    return cast("pd.Categorical[str]", pd.Categorical.from_codes(codes, dtype=_dtype(tuple(cats)), validate=False))


@cache
def _dtype(categories: tuple[str, ...]) -> pd.CategoricalDtype:
    return pd.CategoricalDtype(pd.Index(list(categories)))


def level_info(edition: str) -> pd.DataFrame:
    """HJ 633 Table 1/2 and Appendix A of ``edition`` as a frame (level, range, category, colour, text)."""
    return pd.DataFrame(list(edition_tables(fixed_edition(edition)).levels))


def sensitive_groups(pollutant: str | Pollutant) -> str:
    """HJ 633-2026 Table 2: the sensitive groups for a pollutant whose IAQI exceeds 100."""
    p = parse_pollutant(pollutant)
    return edition_tables("2026").sensitive_groups[p.value]


def pollutants_of_mask(mask: int) -> tuple[Pollutant, ...]:
    """The pollutants in a slot bitmask (O3's two slots count once)."""
    out: list[Pollutant] = []
    for i, p in enumerate(SLOT_POLLUTANT):
        if mask & (1 << i) and p not in out:
            out.append(p)
    return tuple(out)


def result_columns(res: AqiArrays, edition: str, *, slots: Sequence[str] | None = None) -> dict[str, Any]:
    """Frame columns of an :class:`AqiArrays` (nullable ints and categoricals, no per-row Python work)."""
    cols: dict[str, Any] = {}
    for slot in slots or SLOTS:
        v = res.iaqi.get(slot)
        name = "iaqi_" + slot.lower().replace(".", "")
        if v is None:
            cols[name] = pd.arrays.IntegerArray(
                np.zeros(len(res.aqi), dtype=np.int16), np.ones(len(res.aqi), dtype=np.bool_)
            )
        else:
            cols[name] = pd.arrays.IntegerArray(np.maximum(v, 0), v < 0)
    cols["aqi"] = pd.arrays.IntegerArray(np.maximum(res.aqi, 0), res.aqi < 0)
    cols["aqi_available"] = pd.arrays.IntegerArray(np.maximum(res.aqi_available, 0), res.aqi_available < 0)
    cols["level"] = pd.arrays.IntegerArray(res.level, res.level == 0)
    cols["level_roman"] = level_labels(res.level, edition, "roman")
    cols["category_zh"] = level_labels(res.level, edition, "category_zh")
    cols["category_en"] = level_labels(res.level, edition, "category_en")
    cols["colour"] = level_labels(res.level, edition, "hex")
    cols["primary"] = mask_labels(res.primary, edition)
    cols["primary_zh"] = mask_labels(res.primary, edition, zh=True)
    cols["exceedance"] = mask_labels(res.exceedance, edition)
    cols["incomplete"] = res.incomplete
    cols["beyond_table"] = res.beyond_table
    return cols


__all__ = [
    "level_info",
    "level_labels",
    "mask_labels",
    "pollutants_of_mask",
    "result_columns",
    "sensitive_groups",
]
