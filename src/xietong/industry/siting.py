"""Siting: rank candidate parks for a relocating enterprise, and say why, criterion by criterion.

Inputs are values, not domains: the travel times, the park city's annual PM2.5 and warning days and the
receiving river's water class are given in the ``parks`` frame (the platform's indicators publish them;
this module imports no other domain).

Hard constraints (rule ``siting``, editions ``key-regions-2018`` and ``key-regions-2021`` in
``data/rules``; each can be switched off by name):

``key_region_capacity``
    New capacity of the classes the rule names (steel, coking, cement, flat glass, electrolytic
    aluminium …) is not allowed in a park of the key air-pollution region.
``nonattainment_key_emitter`` (``confirmed = false``: Xietong's hard reading of the offset rule)
    A facility under key permit management is not sited in a city whose annual PM2.5 exceeds the
    GB 3095 grade-II limit (35 µg/m³ in GB 3095-2012 Table 1).
``land``
    The park's available land [ha] must be at least the enterprise's need (when both are given).

Soft criteria, each scored in [0, 1] and weighted (:data:`DEFAULT_WEIGHTS`, the Xietong defaults, not a
rule): industry fit (1 when the enterprise's division is among the park's leading industries, 0.5 when
only its section is, else 0); time to Beijing and time to the origin [min], annual PM2.5 [µg/m³] and
warning days [d] (lower is better: ``(max - v) / (max - min)`` over the parks left, 1 when all are
equal); water class of the receiving river (class I → 1.0 … class V → 0.2, worse than V → 0). A missing
value scores 0 and is said so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from xietong import standards
from xietong.errors import InputError, Location, Problem
from xietong.industry import gbt4754, rules
from xietong.industry.enums import EmissionCategory

#: soft criteria → weight (sum 1)
DEFAULT_WEIGHTS: dict[str, float] = {
    "industry_fit": 0.30,
    "time_to_beijing_min": 0.20,
    "time_to_origin_min": 0.15,
    "pm25_annual_ug_m3": 0.15,
    "warning_days": 0.10,
    "water_class": 0.10,
}
LOWER_IS_BETTER = ("time_to_beijing_min", "time_to_origin_min", "pm25_annual_ug_m3", "warning_days")
HARD_CONSTRAINTS = ("key_region_capacity", "nonattainment_key_emitter", "land")
PARK_COLUMNS = ("park", "city", "leading_industries")
_WATER_CLASSES = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "劣V": 6, "V+": 6, "WORSE THAN V": 6}


@dataclass(frozen=True, slots=True)
class Enterprise:
    """A relocating enterprise: GB/T 4754 code, land need [ha], permit category, origin (GB/T 2260)."""

    industry_code: str
    origin: str
    emission_category: EmissionCategory = EmissionCategory.REGISTRATION
    land_ha: float | None = None
    new_capacity: bool = True


@dataclass(slots=True)
class SitingResult:
    """The ranking (best first), the parks removed and why, and the rule rows used unconfirmed."""

    ranking: pd.DataFrame
    removed: pd.DataFrame
    edition: str
    unconfirmed: list[str] = field(default_factory=list)

    def explain(self, park: str) -> str:
        """One paragraph: the park's rank and score and each criterion, or the constraint that removed it."""
        hit = self.removed[self.removed["park"] == park]
        if not hit.empty:
            return "; ".join(f"removed by {r.constraint}: {r.reason}" for r in hit.itertuples())
        row = self.ranking[self.ranking["park"] == park]
        if row.empty:
            raise InputError("unknown park", expected="a park of the candidates", given=repr(park))
        r = row.iloc[0]
        return f"rank {int(r['rank'])}, score {r['score']:.3f}: {r['why']}"


def water_class_number(value: object) -> float:
    """Water class as a number 1–6 (I … V, 6 = worse than V); NaN when missing or unknown."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return float("nan")
    if isinstance(value, (int, np.integer)) and 1 <= int(value) <= 6:
        return float(value)
    return float(_WATER_CLASSES.get(str(value).strip().upper().removeprefix("CLASS "), float("nan")))


def _codes(value: object) -> list[str]:
    if isinstance(value, str):
        return [c.strip() for c in value.replace(",", ";").split(";") if c.strip()]
    if isinstance(value, Iterable):
        return [str(c) for c in value]
    return []


def industry_fit(code: str, leading: Iterable[str]) -> float:
    """1 when ``code``'s division is a leading industry (or lies inside one), 0.5 for the same section only."""
    codes = list(leading)
    div = gbt4754.normalise(code)
    div2 = div if div.isalpha() else div[:2]
    for c in codes:
        n = gbt4754.normalise(c)
        if n.isalpha() and n == gbt4754.section_of(div):
            return 0.5 if not div.isalpha() else 1.0
        if not n.isalpha() and not div.isalpha() and (div.startswith(n) or n.startswith(div2)):
            return 1.0
    sections = {gbt4754.section_of(c) for c in codes}
    return 0.5 if gbt4754.section_of(div) in sections else 0.0


def _check_parks(parks: pd.DataFrame, source: str | None) -> None:
    missing = [c for c in PARK_COLUMNS if c not in parks.columns]
    if missing:
        raise InputError(
            "missing columns in the candidate parks",
            expected=", ".join(PARK_COLUMNS),
            given=", ".join(map(str, parks.columns)),
        )
    problems = [
        Problem(
            "unknown GB/T 4754-2017 industry code",
            Location(source, i + 2, "leading_industries"),
            expected="a section letter A–T or a code starting with a division 01–97",
            given=repr(code),
        )
        for i, value in enumerate(parks["leading_industries"])
        for code in _codes(value)
        if not gbt4754.is_valid(code)
    ]
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} unknown industry codes in the candidate parks")


def _hard(
    enterprise: Enterprise, parks: pd.DataFrame, spec: Mapping[str, object], on: date, active: set[str]
) -> pd.DataFrame:
    removed: list[dict[str, str]] = []
    key_region = set(spec["key_region"]["jurisdictions"])  # type: ignore[index]
    classes = list(spec["no_new_capacity"]["classes"])  # type: ignore[index]
    code = gbt4754.normalise(enterprise.industry_code)
    # the enterprise's code lies inside a banned class, or (a coarser code) contains one: both are refused,
    # and the reason names the classes so that a coarse code can be made precise
    banned = [c for c in classes if not code.isalpha() and (code.startswith(c) or c.startswith(code))]
    limit = float(standards.load("gb3095", standards.in_force("gb3095", on))["limits"]["PM2.5_annual"][1])
    for r in parks.itertuples():
        if "key_region_capacity" in active and enterprise.new_capacity and banned and str(r.city) in key_region:
            removed.append({"park": str(r.park), "constraint": "key_region_capacity", "reason": (
                f"new capacity of {code} (division {code[:2]} {gbt4754.name(code)}) is banned in the key region, which includes "
                f"{r.city}: rule siting {spec['edition']}, classes {', '.join(banned)}")})  # fmt: skip
        pm = getattr(r, "pm25_annual_ug_m3", float("nan"))
        if (
            "nonattainment_key_emitter" in active
            and enterprise.emission_category is EmissionCategory.KEY
            and pm is not None
            and not pd.isna(pm)
            and float(pm) > limit
        ):
            removed.append({"park": str(r.park), "constraint": "nonattainment_key_emitter", "reason": (
                f"a key-management emitter in a city over the PM2.5 limit: {float(pm):g} > {limit:g} µg/m³ "
                "(GB 3095 grade II, annual); Xietong's reading of the offset rule [unconfirmed]")})  # fmt: skip
        land = getattr(r, "available_land_ha", float("nan"))
        if (
            "land" in active
            and enterprise.land_ha is not None
            and land is not None
            and not pd.isna(land)
            and float(land) < enterprise.land_ha
        ):
            removed.append(
                {
                    "park": str(r.park),
                    "constraint": "land",
                    "reason": f"available land {float(land):g} ha < needed {enterprise.land_ha:g} ha",
                }
            )
    return pd.DataFrame(removed, columns=["park", "constraint", "reason"])


def _scores(enterprise: Enterprise, kept: pd.DataFrame) -> pd.DataFrame:
    s = pd.DataFrame(index=kept.index)
    s["industry_fit"] = [industry_fit(enterprise.industry_code, _codes(v)) for v in kept["leading_industries"]]
    for col in LOWER_IS_BETTER:
        v = pd.to_numeric(kept[col], errors="coerce") if col in kept.columns else pd.Series(np.nan, index=kept.index)
        lo, hi = v.min(), v.max()
        s[col] = np.where(v.isna(), 0.0, 1.0 if not hi > lo else (hi - v) / (hi - lo))
    wc = (
        kept["water_class"].map(water_class_number)
        if "water_class" in kept.columns
        else pd.Series(np.nan, index=kept.index)
    )
    s["water_class"] = np.where(wc.isna(), 0.0, (6.0 - wc) / 5.0)
    return s


def _why(kept: pd.DataFrame, scores: pd.DataFrame, weights: Mapping[str, float]) -> list[str]:
    """Per park: each criterion's value, score, weight and contribution, in words."""
    texts = []
    for idx in kept.index:
        parts = []
        for crit, w in weights.items():
            score = float(scores[crit].to_numpy()[kept.index.get_loc(idx)])
            if crit == "industry_fit":
                codes = _codes(kept["leading_industries"].to_numpy()[kept.index.get_loc(idx)])
                shown = "leading " + ";".join(codes) if codes else "no leading industry recorded"
            else:
                value: Any = kept.at[idx, crit] if crit in kept.columns else None
                shown = "missing (scores 0)" if value is None or pd.isna(value) else str(value)
            parts.append(f"{crit} {shown} → {score:.2f} × {w:.2f} = {score * w:.3f}")
        texts.append("; ".join(parts))
    return texts


def rank_parks(
    enterprise: Enterprise,
    parks: pd.DataFrame,
    *,
    on: date,
    weights: Mapping[str, float] | None = None,
    constraints: Iterable[str] = HARD_CONSTRAINTS,
    edition: str = "auto",
    strict: bool = False,
    source: str | None = None,
) -> SitingResult:
    """Rank candidate parks for ``enterprise`` on the date ``on`` (which selects the rule editions).

    ``parks`` has ``park, city, leading_industries`` and any of ``time_to_beijing_min``,
    ``time_to_origin_min``, ``pm25_annual_ug_m3``, ``warning_days``, ``water_class``,
    ``available_land_ha``. Ties keep the input order. With ``strict=True`` a constraint resting on an
    unconfirmed rule row is refused instead of applied.
    """
    w = dict(DEFAULT_WEIGHTS if weights is None else weights)
    unknown = [k for k in w if k not in DEFAULT_WEIGHTS]
    if unknown or abs(sum(w.values()) - 1.0) > 1e-9 or any(v < 0 for v in w.values()):
        raise InputError(
            "invalid siting weights", expected=f"weights ≥ 0 of {list(DEFAULT_WEIGHTS)} adding up to 1", given=str(w)
        )
    active = set(constraints)
    bad = active - set(HARD_CONSTRAINTS)
    if bad:
        raise InputError("unknown hard constraint", expected=", ".join(HARD_CONSTRAINTS), given=", ".join(sorted(bad)))
    gbt4754.normalise(enterprise.industry_code, where=Location(field="industry_code"))
    _check_parks(parks, source)
    edition = rules.in_force("siting", on) if edition == "auto" else edition
    spec = rules.load("siting", edition)
    used = [
        p
        for p in rules.unconfirmed(spec, prefix=f"siting_{edition}.")
        if p.split(".")[1] in active or p.endswith("mapping")
    ]
    if strict and used:
        raise InputError(
            "a hard constraint rests on unconfirmed rule rows",
            expected="confirmed rows (strict=True)",
            given=", ".join(used),
        )
    removed = _hard(enterprise, parks.reset_index(drop=True), spec, on, active)
    kept = parks[~parks["park"].isin(removed["park"])].reset_index(drop=True)
    scores = _scores(enterprise, kept)
    total = sum(scores[c] * wt for c, wt in w.items())
    ranking = kept.assign(score=total, why=_why(kept, scores, w))
    for c in w:
        ranking[f"{c}_score"] = scores[c]
    ranking = ranking.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    return SitingResult(ranking, removed, edition, used)


__all__ = [
    "DEFAULT_WEIGHTS",
    "HARD_CONSTRAINTS",
    "Enterprise",
    "SitingResult",
    "industry_fit",
    "rank_parks",
    "water_class_number",
]
