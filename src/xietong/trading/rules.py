"""Market rules as data: one TOML file per market and edition, chosen explicitly or by the date in force.

Files live in ``xietong/trading/rules/<market>_<edition>.toml``, registered with their effective dates in
``rules/index.toml`` (the same scheme as :mod:`xietong.standards`, whose loader is bound to its own package).
Every rule row carries ``source`` and ``confirmed``; ``confirmed = false`` marks a row recalled but not read in
its source during this work. ``load(..., include_unconfirmed=False)`` switches those rows off: a rule that is
then missing makes the function that needs it raise an :class:`InputError` naming the rule.

>>> from datetime import date
>>> in_force("eu_ets", date(2010, 6, 1))
'phase2'
>>> load("eu_ets", "phase3").deadline.for_year(2015)
datetime.date(2016, 4, 30)
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from xietong.errors import InputError, Location, NotFoundError
from xietong.trading.enums import ComplianceBasis, ExcludedYears
from xietong.trading.units import UnitType


@dataclass(frozen=True, slots=True)
class Edition:
    """One edition of a market's rules: its id, title and the first day it applies."""

    market: str
    edition: str
    title: str
    effective: date
    source: str


@dataclass(frozen=True, slots=True)
class Period:
    """A trading period: compliance years ``first_year..last_year`` (inclusive)."""

    id: str
    first_year: int
    last_year: int
    source: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Deadline:
    """Surrender deadline for the emissions of year X: ``month``/``day`` of year X + ``year_offset``."""

    month: int
    day: int
    year_offset: int
    source: str
    confirmed: bool

    def for_year(self, year: int) -> date:
        return date(year + self.year_offset, self.month, self.day)

    def for_years(self, years: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
        """Vectorised :meth:`for_year` → ``datetime64[D]``."""
        y = np.asarray(years, dtype=np.int64) + self.year_offset
        base = (y - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (self.month - 1)
        return np.asarray(base.astype("datetime64[D]") + (self.day - 1))


@dataclass(frozen=True, slots=True)
class Basis:
    """How surrenders are set against emissions, and which periods' final deficits are carried in."""

    basis: ComplianceBasis
    carry_deficit_from: tuple[str, ...]
    source: str
    confirmed: bool
    #: status of a year whose emissions are excluded (from the ``[excluded_years]`` row; default no status)
    excluded_years: ExcludedYears = ExcludedYears.NO_STATUS


@dataclass(frozen=True, slots=True)
class Banking:
    """Whether units of ``from_period`` count in ``to_period``."""

    from_period: str
    to_period: str
    allowed: bool
    source: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """Which unit types a rule row is about. An empty tuple means 'any'; ``origins_exclude`` removes."""

    kinds: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    standards: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    origins_exclude: tuple[str, ...] = ()
    project_types: tuple[str, ...] = ()
    periods: tuple[str, ...] = ()
    pollutants: tuple[str, ...] = ()

    def matches(self, unit: UnitType) -> bool:
        checks: list[tuple[tuple[str, ...], object]] = [
            (self.kinds, unit.kind),
            (self.markets, unit.market),
            (self.standards, unit.standard),
            (self.origins, unit.origin),
            (self.project_types, unit.project_type),
            (self.periods, unit.period),
            (self.pollutants, unit.pollutant),
        ]
        if any(allowed and (value is None or str(value) not in allowed) for allowed, value in checks):
            return False
        return not (self.origins_exclude and unit.origin in self.origins_exclude)


@dataclass(frozen=True, slots=True)
class UnitRule:
    """A row saying which unit types count in this market."""

    name: str
    filter: UnitFilter
    source: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Limit:
    """At most ``max_share_pct`` % of the year's ``of`` (``verified_emissions`` or ``allocation``) may be
    surrendered in units matching ``filter``."""

    name: str
    filter: UnitFilter
    max_share_pct: float
    of: str
    source: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class Penalty:
    """A sanction for a shortfall: a fixed ``amount`` per t, or a multiple of the market price."""

    name: str
    currency: str
    per: str
    source: str
    confirmed: bool
    amount: float | None = None
    amount_multiple_min: float | None = None
    amount_multiple_max: float | None = None


@dataclass(frozen=True, slots=True)
class TransferRule:
    """Whether a transfer from another jurisdiction into this market needs this market's approval."""

    cross_jurisdiction_approval: bool
    approver: str
    source: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class MarketRules:
    """The rules of one market edition (rows switched off when unconfirmed and not included)."""

    market: str
    edition: str
    title: str
    effective: date
    jurisdiction: str
    currency: str
    include_unconfirmed: bool
    periods: tuple[Period, ...] = ()
    deadline: Deadline | None = None
    basis: Basis | None = None
    banking: tuple[Banking, ...] = ()
    units: tuple[UnitRule, ...] = ()
    limits: tuple[Limit, ...] = ()
    penalties: tuple[Penalty, ...] = ()
    transfers: TransferRule | None = None
    unconfirmed: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.market} {self.edition}"

    def missing(self, what: str) -> InputError:
        """The error for a rule this edition lacks (absent, or unconfirmed and switched off)."""
        return InputError(
            f"the rules of {self.label} have no {what}",
            expected=f"a {what} row",
            given="none (the row is unconfirmed and switched off, or absent)",
            where=Location(source=f"{self.market}_{self.edition}.toml", field=what),
            hint="load the rules with include_unconfirmed=True, or pass the value explicitly",
        )

    def require_deadline(self) -> Deadline:
        if self.deadline is None:
            raise self.missing("compliance deadline")
        return self.deadline

    def require_basis(self) -> Basis:
        if self.basis is None:
            raise self.missing("compliance basis")
        return self.basis

    def accepts(self, unit: UnitType) -> UnitRule | None:
        """The first row under which ``unit`` counts in this market, or ``None``."""
        return next((r for r in self.units if r.filter.matches(unit)), None)

    def accepted(self, unit_types: Iterable[UnitType]) -> set[str]:
        """Codes of the unit types this market accepts (for :func:`xietong.trading.serials.move`)."""
        return {u.code for u in unit_types if self.accepts(u) is not None}

    def bank(self, from_period: str, to_period: str) -> Banking:
        """The banking row from one period to the next; refuses when banking is not allowed or unknown."""
        if from_period == to_period:
            return Banking(from_period, to_period, True, "same period", True)
        row = next((b for b in self.banking if b.from_period == from_period and b.to_period == to_period), None)
        where = Location(source=f"{self.market}_{self.edition}.toml", field="banking")
        if row is None:
            raise InputError(
                f"{self.label}: no rule allows banking from {from_period} into {to_period}",
                expected="a [[banking]] row with allowed = true",
                given=f"{from_period} → {to_period}",
                where=where,
                hint="units of another period count only where the rules allow banking",
            )
        if not row.allowed:
            raise InputError(
                f"{self.label}: banking from {from_period} into {to_period} is not allowed",
                expected="units of the compliance period (or of a period banking allows)",
                given=f"units of {from_period}",
                where=where,
                hint=f"rule: {row.source}",
            )
        return row

    def transfer_approvers(self) -> list[str]:
        """Who must approve a transfer from another jurisdiction into this market (may be empty)."""
        t = self.transfers
        return [t.approver] if t is not None and t.cross_jurisdiction_approval else []


def _rules_dir() -> Any:
    return resources.files("xietong.trading").joinpath("rules")


@cache
def _index() -> dict[str, tuple[dict[str, Any], tuple[Edition, ...]]]:
    raw = tomllib.loads(_rules_dir().joinpath("index.toml").read_text("utf-8"))
    out: dict[str, tuple[dict[str, Any], tuple[Edition, ...]]] = {}
    for market, spec in raw["market"].items():
        eds = [
            Edition(market, str(e["edition"]), e["title"], e["effective"], e.get("source", ""))
            for e in spec["editions"]
        ]
        out[market] = (spec, tuple(sorted(eds, key=lambda e: e.effective)))
    return out


def markets() -> tuple[str, ...]:
    """The registered markets."""
    return tuple(sorted(_index()))


def market_jurisdiction(market: str) -> str:
    """The jurisdiction a market belongs to, as ``rules/index.toml`` names it (``beijing``, ``EU`` …)."""
    editions(market)  # refuses an unknown market
    return str(_index()[market][0].get("jurisdiction", ""))


def editions(market: str) -> tuple[Edition, ...]:
    """All registered editions of ``market``, oldest first."""
    try:
        return _index()[market][1]
    except KeyError:
        raise NotFoundError(
            f"unknown market {market!r}", expected="one of " + ", ".join(markets()), given=repr(market)
        ) from None


def in_force(market: str, on: date) -> str:
    """The edition of ``market`` in force on ``on`` (dates before the first edition take the first)."""
    chosen = editions(market)[0]
    for e in editions(market):
        if e.effective <= on:
            chosen = e
    return chosen.edition


def in_force_years(market: str, years: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """Vectorised :func:`in_force` for compliance years (the edition in force on 1 January of each year)."""
    eds = editions(market)
    starts = np.array([np.datetime64(e.effective, "D") for e in eds])
    days = (np.asarray(years, dtype=np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    idx = np.clip(np.searchsorted(starts, days, side="right") - 1, 0, len(eds) - 1)
    return np.array([e.edition for e in eds], dtype=object)[idx]


def _filter(row: dict[str, Any]) -> UnitFilter:
    keys = ("kinds", "markets", "standards", "origins", "origins_exclude", "project_types", "periods", "pollutants")
    return UnitFilter(**{k: tuple(str(v) for v in row.get(k, ())) for k in keys})


def _keep(row: dict[str, Any], include_unconfirmed: bool) -> bool:
    return include_unconfirmed or bool(row.get("confirmed", False))


@cache
def load(
    market: str, edition: str = "auto", *, on: date | None = None, include_unconfirmed: bool = True
) -> MarketRules:
    """The rules of one edition (``edition="auto"`` with ``on=``: the edition in force on that date).

    Cached; treat the result as read-only.
    """
    if edition == "auto":
        if on is None:
            raise InputError(
                "edition='auto' needs a date", expected="on=date(...)", given="None", where=Location(field="on")
            )
        edition = in_force(market, on)
    eds = {e.edition: e for e in editions(market)}
    if edition not in eds:
        raise InputError(
            f"unknown edition of {market}",
            expected="one of " + ", ".join(eds),
            given=repr(edition),
            where=Location(field="edition"),
        )
    spec = _index()[market][0]
    raw = tomllib.loads(_rules_dir().joinpath(f"{market}_{edition}.toml").read_text("utf-8"))
    return _build(raw, eds[edition], spec, include_unconfirmed)


def _build(raw: dict[str, Any], ed: Edition, spec: dict[str, Any], inc: bool) -> MarketRules:
    def ok(row: dict[str, Any]) -> bool:
        return _keep(row, inc)

    def src(row: dict[str, Any]) -> tuple[str, bool]:
        return str(row.get("source", "")), bool(row.get("confirmed", False))

    unconfirmed: list[str] = []
    for section, rows in raw.items():
        for row in rows if isinstance(rows, list) else [rows] if isinstance(rows, dict) else []:
            if not row.get("confirmed", False):
                unconfirmed.append(f"{section}: {row.get('name', row.get('id', section))}")
    c = raw.get("compliance")
    b = raw.get("compliance_basis")
    x = raw.get("excluded_years")
    excluded_years = ExcludedYears(x["status"]) if x and ok(x) else ExcludedYears.NO_STATUS
    t = raw.get("transfers")
    return MarketRules(
        market=ed.market,
        edition=ed.edition,
        title=ed.title,
        effective=ed.effective,
        jurisdiction=str(spec.get("jurisdiction", "")),
        currency=str(raw.get("currency", "")),
        include_unconfirmed=inc,
        periods=tuple(
            Period(str(p["id"]), int(p["first_year"]), int(p["last_year"]), *src(p))
            for p in raw.get("period", [])
            if ok(p)
        ),
        deadline=Deadline(int(c["deadline_month"]), int(c["deadline_day"]), int(c["deadline_year_offset"]), *src(c))
        if c and ok(c)
        else None,
        basis=Basis(
            ComplianceBasis(b["basis"]), tuple(b.get("carry_deficit_from", ())), *src(b), excluded_years=excluded_years
        )
        if b and ok(b)
        else None,
        banking=tuple(
            Banking(str(r["from_period"]), str(r["to_period"]), bool(r["allowed"]), *src(r))
            for r in raw.get("banking", [])
            if ok(r)
        ),
        units=tuple(UnitRule(str(r["name"]), _filter(r), *src(r)) for r in raw.get("units", []) if ok(r)),
        limits=tuple(
            Limit(str(r["name"]), _filter(r), float(r["max_share_pct"]), str(r["of"]), *src(r))
            for r in raw.get("limit", [])
            if ok(r)
        ),
        penalties=tuple(
            Penalty(
                str(r["name"]),
                str(r.get("currency", "")),
                str(r.get("per", "")),
                *src(r),
                amount=r.get("amount"),
                amount_multiple_min=r.get("amount_multiple_min"),
                amount_multiple_max=r.get("amount_multiple_max"),
            )
            for r in raw.get("penalty", [])
            if ok(r)
        ),
        transfers=TransferRule(bool(t["cross_jurisdiction_approval"]), str(t["approver"]), *src(t))
        if t and ok(t)
        else None,
        unconfirmed=tuple(unconfirmed),
    )


def period_of(
    market: str, years: npt.ArrayLike, *, include_unconfirmed: bool = True
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """For each compliance year: (edition in force, trading period id). Years outside every period of their
    edition get ``None`` as period."""
    y = np.asarray(years, dtype=np.int64)
    eds = in_force_years(market, y)
    period = np.full(len(y), None, dtype=object)
    for ed in np.unique(eds.astype(str)):
        rules = load(market, ed, include_unconfirmed=include_unconfirmed)
        sel = eds == ed
        for p in rules.periods:
            period[sel & (y >= p.first_year) & (y <= p.last_year)] = p.id
    return eds, period


__all__ = [
    "Banking",
    "Basis",
    "Deadline",
    "Edition",
    "Limit",
    "MarketRules",
    "Penalty",
    "Period",
    "TransferRule",
    "UnitFilter",
    "UnitRule",
    "editions",
    "in_force",
    "in_force_years",
    "load",
    "market_jurisdiction",
    "markets",
    "period_of",
]
