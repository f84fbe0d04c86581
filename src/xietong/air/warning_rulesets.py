"""Warning rule sets as data: the clauses of ``xietong/standards/warning_<rule set>.toml`` parsed into
:class:`RuleSet` objects (the table of rule sets and how the engine reads them: :mod:`xietong.air.warning`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from xietong import standards
from xietong.enums import WarningLevel
from xietong.errors import InputError, Location

#: the registered standard id of the rule sets (``standards.load(STANDARD, rule_set)``)
STANDARD = "warning"
#: the rule set used when none is named: the one in force today (2024 guidance, [C:S16])
DEFAULT_RULE_SET = "key-regions-2024"

HOUR_S = 3600
DAY_S = 24 * HOUR_S
#: length of one forecast window: a daily AQI is a 24-h mean (HJ 633-2012 §5.1.2; rolling 24 h [C:S13])
WINDOW_HOURS = 24


#: ordered categorical dtype of every ``level`` column (``none < blue < yellow < orange < red``)
LEVEL_DTYPE = pd.CategoricalDtype([lvl.value for lvl in WarningLevel], ordered=True)


class Comparison(StrEnum):
    """How a window's AQI is compared with a clause's threshold."""

    ABOVE = ">"  # strictly above: "日AQI>200"
    AT_LEAST = ">="  # reaching: "日AQI达到500"


class RunMeasure(StrEnum):
    """How an ``and`` condition's duration is measured inside the chain of its clause."""

    CONSECUTIVE = "consecutive"  # the longest chain of touching windows meeting it
    TOTAL = "total"  # the total time of all windows meeting it


@dataclass(frozen=True, slots=True)
class Condition:
    """``AQI <op> aqi`` holding for at least ``hours`` [h]."""

    op: Comparison
    aqi: float
    hours: float
    run: RunMeasure = RunMeasure.CONSECUTIVE

    def met(self, aqi: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Element-wise test of window AQI values (NaN never meets a condition)."""
        with np.errstate(invalid="ignore"):
            out = aqi > self.aqi if self.op is Comparison.ABOVE else aqi >= self.aqi
        return np.asarray(out, dtype=bool)

    def describe(self) -> str:
        """``AQI > 200 for ≥ 72 h``."""
        return f"AQI {self.op.value} {self.aqi:g} for ≥ {self.hours:g} h"


@dataclass(frozen=True, slots=True)
class Clause:
    """One clause of a rule set: a level fires when ``when`` (and ``and_``, if any) hold."""

    rule_set: str
    level: WarningLevel
    label: str
    text: str
    tag: str
    when: Condition
    and_: Condition | None = None

    @property
    def id(self) -> str:
        """Stable id, e.g. ``key-regions-2024/orange/b``."""
        return f"{self.rule_set}/{self.level.value}/{self.label}"

    def describe(self) -> str:
        text = self.when.describe()
        if self.and_ is not None:
            extra = "" if self.and_.run is RunMeasure.CONSECUTIVE else " in total"
            text += f" and {self.and_.describe()}{extra}"
        return text


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A parsed rule set. Build one with :func:`load_rules`; change a switch with :func:`dataclasses.replace`.

    Attributes
    ----------
    id, title: rule-set id (``key-regions-2024``) and title.
    effective: first day the rule set applies (from ``standards/index.toml``).
    levels: the warning levels the rule set has, mildest first (no ``none``).
    clauses: every clause, in file order.
    rolling_windows: ``True`` when a daily AQI may be any 24 consecutive hours; ``False`` when windows must be
        natural days (start at 00:00 China Standard Time).
    merge_gap_hours: episodes separated by at most this gap [h] are one episode.
    quiet_hours: a warning may be lifted when the forecast stays below every clause for MORE than this [h].
    """

    id: str
    title: str
    effective: date
    levels: tuple[WarningLevel, ...]
    clauses: tuple[Clause, ...]
    rolling_windows: bool
    merge_gap_hours: float
    quiet_hours: float

    def clause(self, clause_id: str) -> Clause:
        """The clause with this id (``orange/b`` or the full ``key-regions-2024/orange/b``)."""
        for c in self.clauses:
            if clause_id in (c.id, f"{c.level.value}/{c.label}"):
                return c
        raise InputError(
            f"no clause {clause_id!r} in rule set {self.id}",
            expected="one of " + ", ".join(c.id for c in self.clauses),
            given=repr(clause_id),
        )


# --------------------------------------------------------------------------------------------- rule sets


def rule_sets() -> tuple[str, ...]:
    """Ids of the registered rule sets, oldest first."""
    return standards.edition_ids(STANDARD)


def _condition(raw: Any, where: str) -> Condition:
    try:
        return Condition(
            op=Comparison(raw["op"]),
            aqi=float(raw["aqi"]),
            hours=float(raw["hours"]),
            run=RunMeasure(raw.get("run", RunMeasure.CONSECUTIVE.value)),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InputError(
            "malformed warning condition",
            expected='{ op = ">" | ">=", aqi = <number>, hours = <number>, run = "consecutive" | "total" }',
            given=repr(raw),
            where=Location(source=where),
            hint=f"fix the rule-set file ({exc})",
        ) from None


def load_rules(rule_set: str | RuleSet = DEFAULT_RULE_SET) -> RuleSet:
    """Parse a rule set from its TOML file (``xietong/standards/warning_<rule_set>.toml``).

    A :class:`RuleSet` passes through unchanged, so every function accepts either.
    """
    if isinstance(rule_set, RuleSet):
        return rule_set
    standards.check_edition(STANDARD, rule_set)
    raw = standards.load(STANDARD, rule_set)
    source = f"standards/warning_{rule_set}.toml"
    levels = tuple(WarningLevel(v) for v in raw["levels"])
    clauses: list[Clause] = []
    for i, c in enumerate(raw["clause"]):
        level = WarningLevel(c["level"])
        if level not in levels:
            raise InputError(
                "clause level not among the rule set's levels",
                expected=", ".join(levels),
                given=level.value,
                where=Location(source=source, row=i + 1, field="level"),
            )
        clauses.append(
            Clause(
                rule_set=rule_set,
                level=level,
                label=str(c["label"]),
                text=str(c.get("text", "")),
                tag=str(c.get("tag", "")),
                when=_condition(c["when"], source),
                and_=_condition(c["and"], source) if "and" in c else None,
            )
        )
    effective = next(e.effective for e in standards.editions(STANDARD) if e.edition == rule_set)
    return RuleSet(
        id=rule_set,
        title=str(raw["title"]),
        effective=effective,
        levels=levels,
        clauses=tuple(clauses),
        rolling_windows=bool(raw["windows"]["rolling"]),
        merge_gap_hours=float(raw["episode"]["merge_gap_hours"]),
        quiet_hours=float(raw["lift"]["quiet_hours"]),
    )


def rules_in_force(on: date) -> RuleSet:
    """The rule set in force on the day ``on`` (China Standard Time).

    Days before 2016-02-05 get ``jjj-2016`` too (the first registered rule set).
    """
    return load_rules(standards.in_force(STANDARD, on))


__all__ = [
    "DAY_S",
    "DEFAULT_RULE_SET",
    "HOUR_S",
    "LEVEL_DTYPE",
    "STANDARD",
    "WINDOW_HOURS",
    "Clause",
    "Comparison",
    "Condition",
    "RuleSet",
    "RunMeasure",
    "load_rules",
    "rule_sets",
    "rules_in_force",
]
