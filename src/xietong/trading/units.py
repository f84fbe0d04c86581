"""Unit types: what a block's ``unit_type`` code stands for.

A unit type is one kind of unit of one issuer, origin and vintage: ``EUA-P2`` (EU allowances of phase 2),
``BEA-2024`` (Beijing allowances for 2024), ``CCER-TJ-2015`` (CCER from a Tianjin project),
``HB-FOREST-CHENGDE-2014`` (forestry carbon-sink offsets from Chengde), ``HB-SO2-2016`` (Hebei emission rights
for SO2). Market rules accept or cap units by these attributes (:class:`xietong.trading.rules.UnitFilter`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

from xietong.errors import InputError, Location
from xietong.trading.enums import EmissionRightPollutant, UnitKind


@dataclass(frozen=True, slots=True)
class UnitType:
    """One unit type.

    Parameters
    ----------
    code:
        The ``unit_type`` value of the blocks (unique).
    kind:
        Allowance, offset credit or emission right.
    market:
        The issuing market or programme (``eu_ets``, ``beijing_pilot``, ``ccer``, ``hebei_forestry`` …).
    standard:
        The unit's standard or label (``EUA``, ``CER``, ``CCER``, ``BEA`` …), if any.
    origin:
        Where the reduction or the right comes from, as a lower-case region code (``beijing``,
        ``hebei-chengde``, ``tianjin``), if known.
    project_type:
        For offsets: ``forestry``, ``energy-saving`` …
    vintage:
        Year the units were issued for, if any.
    period:
        Trading period the units belong to (``phase2``), if the market has periods.
    pollutant:
        For emission rights: the pollutant (units in t of that pollutant).
    """

    code: str
    kind: UnitKind
    market: str
    standard: str | None = None
    origin: str | None = None
    project_type: str | None = None
    vintage: int | None = None
    period: str | None = None
    pollutant: EmissionRightPollutant | None = None

    def __post_init__(self) -> None:
        if not self.code or not self.code.strip():
            raise InputError(
                "a unit type needs a code",
                expected="a non-empty code such as 'BEA-2024'",
                given=repr(self.code),
                where=Location(field="code"),
            )
        object.__setattr__(self, "kind", UnitKind(self.kind))
        if self.pollutant is not None:
            object.__setattr__(self, "pollutant", EmissionRightPollutant(self.pollutant))
        if self.kind is UnitKind.EMISSION_RIGHT and self.pollutant is None:
            raise InputError(
                f"emission-right unit type {self.code} names no pollutant",
                expected="one of " + ", ".join(p.value for p in EmissionRightPollutant),
                given="None",
                where=Location(field="pollutant"),
            )


def unit_types_frame(unit_types: Iterable[UnitType]) -> pd.DataFrame:
    """One row per unit type, indexed by code (what a service stores)."""
    rows = [asdict(u) for u in unit_types]
    frame = pd.DataFrame(rows, columns=list(UnitType.__slots__))
    if frame["code"].duplicated().any():
        dup = frame.loc[frame["code"].duplicated(), "code"].iloc[0]
        raise InputError(
            "unit type codes must be unique", expected="one row per code", given=str(dup), where=Location(field="code")
        )
    return frame.set_index("code", drop=False)


__all__ = ["UnitType", "unit_types_frame"]
