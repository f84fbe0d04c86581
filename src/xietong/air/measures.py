"""Graded emission-reduction measures for a warning level: per enterprise, per city, against the required share.

Not one size fits all (严禁"一刀切", STANDARDS.md §7.4): during a warning an enterprise cuts according to
its **performance grade** (绩效分级) and industry, not by a flat quota. A-grade enterprises decide their
own reductions (no mandatory curtailment); B-grade enterprises curtail partly; C and D cut most or stop
[C:S20]. The city's list as a whole must cut a **required share of society-wide emissions** of SO2, NOx,
PM and VOCs: yellow ≥ 10 %, orange ≥ 20 %, red ≥ 30 % [C:S14]. :func:`required_reductions` computes both
and flags a city whose list falls short.

The ratios are data (``xietong/data/warning_measures.toml``): the required shares are confirmed, the
grade ratios are **assumptions** [R] to be replaced by each industry's technical guide and each plant's
own plan (一厂一策) — per industry in the table, per enterprise in the ``ratio`` column.

All emissions are in tonnes per day [t/day].

>>> import pandas as pd
>>> firms = pd.DataFrame({"name": ["Steel A", "Coke C"], "city": "Tangshan", "industry": ["steel", "coking"],
...     "grade": ["A", "C"], "so2_t_per_day": [2.0, 1.0], "nox_t_per_day": [4.0, 1.0],
...     "pm_t_per_day": [1.0, 0.5], "vocs_t_per_day": [0.5, 2.0]})
>>> r = required_reductions(firms, "orange")
>>> r.enterprises[["name", "ratio", "so2_cut_t_per_day"]].to_dict("records")
[{'name': 'Steel A', 'ratio': 0.0, 'so2_cut_t_per_day': 0.0}, {'name': 'Coke C', 'ratio': 0.3, 'so2_cut_t_per_day': 0.3}]
>>> bool(r.cities["falls_short"].iloc[0]), r.cities["short_pollutants"].iloc[0]
(True, 'SO2, NOx, PM')
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong import region
from xietong.air.warning_input import given_repr
from xietong.air.warning_rulesets import LEVEL_DTYPE
from xietong.enums import WarningLevel
from xietong.errors import InputError, Location, UnitError, UnknownJurisdictionError

_E = TypeVar("_E", bound=StrEnum)


class PerformanceGrade(StrEnum):
    """Enterprise environmental performance grade (绩效分级) [C:S20].

    A: advanced, decides its own reductions; B: good, partial curtailment; C: medium; D: bare legal minimum
    (2026 2号). MEE's "A+" (selected from A) is graded A here.
    """

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class EmissionPollutant(StrEnum):
    """The four pollutants of the reduction requirement (SO2, NOx, PM, VOCs) [C:S14]."""

    SO2 = "SO2"
    NOX = "NOx"
    PM = "PM"
    VOCS = "VOCs"

    @property
    def key(self) -> str:
        """``so2``, ``nox``, ``pm``, ``vocs``: the stem of every column about this pollutant."""
        return self.value.lower()

    @property
    def column(self) -> str:
        """Baseline emission column: ``so2_t_per_day`` … [t/day]."""
        return f"{self.key}_t_per_day"


EMISSION_POLLUTANTS: tuple[EmissionPollutant, ...] = tuple(EmissionPollutant)
#: required columns of an enterprise frame (``ratio`` is optional)
ENTERPRISE_COLUMNS: tuple[str, ...] = ("name", "city", "industry", "grade", *(p.column for p in EMISSION_POLLUTANTS))
#: required columns of an inventory frame (society-wide emissions per city)
INVENTORY_COLUMNS: tuple[str, ...] = ("city", *(p.column for p in EMISSION_POLLUTANTS))
#: above this, one enterprise's emission in t/day is implausible (probably t/year)
MAX_ENTERPRISE_T_PER_DAY = 1000.0
#: above this, one city's society-wide emission in t/day is implausible (probably t/year)
MAX_CITY_T_PER_DAY = 20000.0


@dataclass(frozen=True, slots=True)
class MeasureTable:
    """Required shares per level and reduction ratios per level and grade (and per industry) [fraction 0–1]."""

    required_share: Mapping[WarningLevel, float]
    grade_ratio: Mapping[tuple[WarningLevel, PerformanceGrade], float]
    industry_ratio: Mapping[tuple[str, WarningLevel, PerformanceGrade], float]

    def ratio(self, level: WarningLevel, grade: PerformanceGrade, industry: str) -> tuple[float, str]:
        """The mandatory ratio and where it came from (``industry table`` or ``grade table``)."""
        key = (industry.strip().casefold(), level, grade)
        if key in self.industry_ratio:
            return self.industry_ratio[key], "industry table"
        return self.grade_ratio[(level, grade)], "grade table"


def _check_ratio(value: object, where: str) -> float:
    ratio = float(value)  # type: ignore[arg-type]
    if not 0.0 <= ratio <= 1.0:
        raise InputError(
            "reduction ratio out of range",
            expected="a fraction between 0 and 1",
            given=repr(value),
            where=Location(source=where),
            hint="write 30 % as 0.3",
        )
    return ratio


def _table(raw: Mapping[str, object], key: str, source: str) -> Mapping[str, object]:
    value = raw.get(key)
    if not isinstance(value, Mapping):
        raise InputError(
            f"{source}: [{key}] missing or not a table",
            expected=f"a TOML table [{key}] (see xietong/data/warning_measures.toml)",
            given=repr(value),
        )
    return value


def _parse(enum: type[_E], value: str, where: str) -> _E:
    try:
        return enum(value)
    except ValueError:
        raise InputError(
            f"{where}: unknown {enum.__name__}",
            expected=", ".join(e.value for e in enum),
            given=repr(value),
        ) from None


def measure_table(raw: Mapping[str, object], source: str = "measures") -> MeasureTable:
    """Build and check a :class:`MeasureTable` from a parsed TOML-like mapping (see the shipped file)."""
    shares = _table(raw, "required_share", source)
    grades = _table(raw, "grade_ratio", source)
    industries = _table(raw, "industry_ratio", source) if "industry_ratio" in raw else {}
    absent = [lvl.value for lvl in WarningLevel if lvl.value not in shares]
    if absent:
        raise InputError(
            f"{source}: required_share incomplete",
            expected="a share for every level: " + ", ".join(WarningLevel),
            given="missing " + ", ".join(absent),
        )
    required = {lvl: _check_ratio(shares[lvl.value], f"{source}: required_share.{lvl}") for lvl in WarningLevel}
    grade_ratio: dict[tuple[WarningLevel, PerformanceGrade], float] = {}
    industry_ratio: dict[tuple[str, WarningLevel, PerformanceGrade], float] = {}
    tables: list[tuple[str | None, Mapping[str, object]]] = [(None, grades)]
    tables += [(str(name), _table(industries, str(name), source)) for name in industries]
    for industry, table in tables:
        for level_name in table:
            level = _parse(WarningLevel, level_name, f"{source}: level")
            for grade_name, value in _table(table, level_name, source).items():
                grade = _parse(PerformanceGrade, grade_name, f"{source}: grade")
                where = (
                    f"{source}: {'grade_ratio' if industry is None else 'industry_ratio.' + industry}.{level}.{grade}"
                )
                ratio = _check_ratio(value, where)
                if grade is PerformanceGrade.A and ratio != 0.0:
                    raise InputError(
                        "A-grade enterprises decide their own reductions",
                        expected="ratio 0 for grade A (no mandatory curtailment [S20])",
                        given=repr(value),
                        where=Location(source=where),
                    )
                if industry is None:
                    grade_ratio[(level, grade)] = ratio
                else:
                    industry_ratio[(industry.strip().casefold(), level, grade)] = ratio
    missing = [f"{lvl}.{g}" for lvl in WarningLevel for g in PerformanceGrade if (lvl, g) not in grade_ratio]
    if missing:
        raise InputError(
            f"{source}: grade_ratio incomplete",
            expected="a ratio for every level and grade",
            given="missing " + ", ".join(missing),
        )
    return MeasureTable(required, grade_ratio, industry_ratio)


@cache
def load_measures() -> MeasureTable:
    """The shipped measure table (``xietong/data/warning_measures.toml``)."""
    text = resources.files("xietong.data").joinpath("warning_measures.toml").read_text("utf-8")
    return measure_table(tomllib.loads(text), "data/warning_measures.toml")


@dataclass(frozen=True, slots=True)
class Reductions:
    """The result of :func:`required_reductions`: ``enterprises`` and ``cities`` frames, and the level."""

    level: WarningLevel
    enterprises: pd.DataFrame
    cities: pd.DataFrame

    @property
    def short_cities(self) -> tuple[str, ...]:
        """Codes of the cities whose list falls short of the required share."""
        return tuple(self.cities.loc[self.cities["falls_short"], "city"])


def _codes(values: pd.Series, source: str) -> pd.Series:
    out = []
    for i, v in enumerate(values.astype(str)):
        found = region.find(v)
        if found is None:
            raise UnknownJurisdictionError(
                f"unknown city in {source}",
                expected="a GB/T 2260 code or a name known to xietong.region",
                given=repr(v),
                where=Location(source=source, row=i + 1, field="city"),
                hint="run `xietong region list` to see the codes",
            )
        out.append(found.code)
    return pd.Series(out, index=values.index, dtype=object)


def _emissions(frame: pd.DataFrame, source: str, ceiling: float) -> dict[EmissionPollutant, npt.NDArray[np.float64]]:
    out: dict[EmissionPollutant, npt.NDArray[np.float64]] = {}
    for p in EMISSION_POLLUTANTS:
        raw = frame[p.column]
        values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = np.flatnonzero(np.isnan(values) | (values < 0))
        if bad.size:
            i = int(bad[0])
            raise InputError(
                f"{source}: {p.column} must be a number ≥ 0",
                expected="baseline emissions in t/day (0 when the enterprise does not emit it)",
                given=given_repr(raw.iloc[i]),
                where=Location(source=source, row=i + 1, field=p.column),
            )
        big = np.flatnonzero(values > ceiling)
        if big.size:
            i = int(big[0])
            raise UnitError(
                f"{source}: {p.column} is implausibly large for t/day",
                expected=f"at most {ceiling:g} t/day",
                given=f"{values[i]:g}",
                where=Location(source=source, row=i + 1, field=p.column),
                hint="this looks like t/year: divide by 365",
            )
        out[p] = values
    return out


def required_reductions(
    enterprises: pd.DataFrame,
    level: WarningLevel | str,
    *,
    measures: MeasureTable | None = None,
    inventory: pd.DataFrame | None = None,
    source: str = "enterprises",
) -> Reductions:
    """Per-enterprise required reductions at ``level`` and per-city totals against the required share.

    Parameters
    ----------
    enterprises:
        One row per enterprise: ``name``, ``city`` (code or name), ``industry``, ``grade`` (A/B/C/D),
        ``so2_t_per_day``, ``nox_t_per_day``, ``pm_t_per_day``, ``vocs_t_per_day`` (baseline emissions
        [t/day]); optional ``ratio``: the plant's own mandatory ratio at this level (一厂一策) [0–1],
        empty to use the tables (not allowed for grade A, which decides its own reductions).
    level:
        The warning level (``none`` and ``blue`` carry no mandatory reductions).
    measures:
        Ratios and shares; default :func:`load_measures`.
    inventory:
        Society-wide emissions per city: ``city`` + the four ``*_t_per_day`` columns [t/day]. The required
        share applies to these (全社会排放总量 [C:S14]). Without it, the listed enterprises' own baseline is
        the base, which understates the requirement; ``share_base`` says which base was used.

    Returns
    -------
    Reductions
        ``enterprises``: the input columns plus ``level``, ``ratio`` (mandatory fraction), ``ratio_source``
        (``enterprise``, ``industry table``, ``grade table``), and per pollutant ``<p>_cut_t_per_day`` and
        ``<p>_after_t_per_day`` [t/day].
        ``cities``: one row per city of the list or the inventory: ``city``, ``level``, ``required_share``,
        ``share_base``, ``n_enterprises``, per pollutant ``<p>_base_t_per_day``, ``<p>_cut_t_per_day``,
        ``<p>_required_t_per_day`` [t/day], ``<p>_share`` (cut / base) and ``<p>_short`` (bool); and
        ``falls_short`` (any pollutant short) with ``short_pollutants`` (``"SO2, VOCs"``).
    """
    lvl = WarningLevel.parse(level)
    table = measures if measures is not None else load_measures()
    missing = [c for c in ENTERPRISE_COLUMNS if c not in enterprises.columns]
    if missing:
        raise InputError(
            f"{source}: missing column(s) " + ", ".join(missing),
            expected="columns " + ", ".join(ENTERPRISE_COLUMNS) + " (and optionally ratio)",
            given="columns " + ", ".join(map(str, enterprises.columns)),
            where=Location(source=source),
        )
    firms = enterprises.reset_index(drop=True).copy()
    firms["city"] = _codes(firms["city"], source)
    grades = _grades(firms["grade"], source)
    firms["grade"] = [g.value for g in grades]
    emissions = _emissions(firms, source, MAX_ENTERPRISE_T_PER_DAY)
    ratios, ratio_source = _mandatory_ratios(firms, grades, lvl, table, source)
    out = firms.copy()
    out["level"] = pd.Series([lvl.value] * len(out), dtype=LEVEL_DTYPE)
    out["ratio"] = ratios
    out["ratio_source"] = ratio_source
    for p in EMISSION_POLLUTANTS:
        out[p.column] = emissions[p]
        out[f"{p.key}_cut_t_per_day"] = emissions[p] * ratios
        out[f"{p.key}_after_t_per_day"] = emissions[p] - emissions[p] * ratios

    cities = _city_totals(out, lvl, table, inventory)
    return Reductions(lvl, out, cities)


def _grades(values: pd.Series, source: str) -> list[PerformanceGrade]:
    """Performance grades A–D of the ``grade`` column (A+ counts as A); an unknown one is refused."""
    grades: list[PerformanceGrade] = []
    for i, g in enumerate(values.astype(str)):
        key = g.strip().upper()
        key = "A" if key == "A+" else key
        if key not in PerformanceGrade.__members__:
            raise InputError(
                f"{source}: unknown performance grade",
                expected="A, B, C or D (A+ counts as A)",
                given=repr(g),
                where=Location(source=source, row=i + 1, field="grade"),
            )
        grades.append(PerformanceGrade(key))
    return grades


def _mandatory_ratios(
    firms: pd.DataFrame, grades: list[PerformanceGrade], level: WarningLevel, table: MeasureTable, source: str
) -> tuple[npt.NDArray[np.float64], list[str]]:
    """Each enterprise's mandatory reduction ratio at ``level`` [0–1] and where it comes from: its own
    ``ratio`` (一厂一策; never for grade A), else the industry or the grade table. None below yellow."""
    own = (
        pd.to_numeric(firms["ratio"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "ratio" in firms.columns
        else np.full(len(firms), np.nan)
    )
    ratios = np.empty(len(firms))
    ratio_source: list[str] = []
    for i, (grade, industry) in enumerate(zip(grades, firms["industry"].astype(str), strict=True)):
        if not np.isnan(own[i]):
            if grade is PerformanceGrade.A and own[i] != 0.0:
                raise InputError(
                    f"{source}: A-grade enterprises decide their own reductions",
                    expected="an empty ratio (or 0) for grade A",
                    given=f"{own[i]:g}",
                    where=Location(source=source, row=i + 1, field="ratio"),
                    hint="record voluntary A-grade cuts outside the mandatory list",
                )
            ratios[i] = _check_ratio(own[i], f"{source}, row {i + 1}, field 'ratio'")
            ratio_source.append("enterprise")
        else:
            ratios[i], where = table.ratio(level, grade, industry)
            ratio_source.append(where)
    if level in (WarningLevel.NONE, WarningLevel.BLUE):
        ratios[:] = 0.0  # no mandatory reductions below yellow [C:S26][R→C:S17]
    return ratios, ratio_source


def _city_totals(
    firms: pd.DataFrame, level: WarningLevel, table: MeasureTable, inventory: pd.DataFrame | None
) -> pd.DataFrame:
    cuts = firms.groupby("city", sort=True).agg(
        n_enterprises=("name", "size"),
        **{f"{p.key}_cut_t_per_day": (f"{p.key}_cut_t_per_day", "sum") for p in EMISSION_POLLUTANTS},
        **{f"{p.key}_listed_t_per_day": (p.column, "sum") for p in EMISSION_POLLUTANTS},
    )
    if inventory is not None:
        source = "inventory"
        missing = [c for c in INVENTORY_COLUMNS if c not in inventory.columns]
        if missing:
            raise InputError(
                "inventory: missing column(s) " + ", ".join(missing),
                expected="columns " + ", ".join(INVENTORY_COLUMNS),
                given="columns " + ", ".join(map(str, inventory.columns)),
            )
        inv = inventory.reset_index(drop=True).copy()
        inv["city"] = _codes(inv["city"], source)
        em = _emissions(inv, source, MAX_CITY_T_PER_DAY)
        base = pd.DataFrame({"city": inv["city"], **{f"{p.key}_base_t_per_day": em[p] for p in EMISSION_POLLUTANTS}})
        base = base.groupby("city", sort=True).sum()
        cities = base.join(cuts, how="outer")
        no_inv = cities[f"{EMISSION_POLLUTANTS[0].key}_base_t_per_day"].isna()
        for p in EMISSION_POLLUTANTS:
            col = f"{p.key}_base_t_per_day"
            cities[col] = cities[col].fillna(cities[f"{p.key}_listed_t_per_day"])
        share_base = np.where(no_inv, "listed enterprises", "inventory")
    else:
        cities = cuts.copy()
        for p in EMISSION_POLLUTANTS:
            cities[f"{p.key}_base_t_per_day"] = cities[f"{p.key}_listed_t_per_day"]
        share_base = np.full(len(cities), "listed enterprises")
    cities = cities.reset_index().rename(columns={"index": "city"})
    cities["n_enterprises"] = cities["n_enterprises"].fillna(0).astype(int)
    share = table.required_share[level]
    out = pd.DataFrame(
        {
            "city": cities["city"].astype(object),
            "level": pd.Series([level.value] * len(cities), dtype=LEVEL_DTYPE),
            "required_share": share,
            "share_base": share_base,
            "n_enterprises": cities["n_enterprises"],
        }
    )
    short_any = np.zeros(len(cities), dtype=bool)
    short_names: list[list[str]] = [[] for _ in range(len(cities))]
    for p in EMISSION_POLLUTANTS:
        base_t = cities[f"{p.key}_base_t_per_day"].fillna(0.0).to_numpy(dtype=float)
        cut_t = cities[f"{p.key}_cut_t_per_day"].fillna(0.0).to_numpy(dtype=float)
        need_t = share * base_t
        with np.errstate(invalid="ignore", divide="ignore"):
            achieved = np.where(base_t > 0, cut_t / base_t, np.nan)
        short = cut_t < need_t * (1 - 1e-9)  # relative tolerance for float sums
        out[f"{p.key}_base_t_per_day"] = base_t
        out[f"{p.key}_cut_t_per_day"] = cut_t
        out[f"{p.key}_required_t_per_day"] = need_t
        out[f"{p.key}_share"] = achieved
        out[f"{p.key}_short"] = short
        short_any |= short
        for i in np.flatnonzero(short):
            short_names[i].append(p.value)
    out["falls_short"] = short_any
    out["short_pollutants"] = [", ".join(n) for n in short_names]
    return out


__all__ = [
    "EMISSION_POLLUTANTS",
    "ENTERPRISE_COLUMNS",
    "INVENTORY_COLUMNS",
    "MAX_CITY_T_PER_DAY",
    "MAX_ENTERPRISE_T_PER_DAY",
    "EmissionPollutant",
    "MeasureTable",
    "PerformanceGrade",
    "Reductions",
    "load_measures",
    "measure_table",
    "required_reductions",
]
