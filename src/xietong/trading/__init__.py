"""Emission rights and carbon trading: serial-numbered units, market rules as data, the compliance engine,
registry readers and the replay of published registries. Pure functions (no store, no HTTP, no CLI).

Library surface::

    from xietong.trading import serials, rules, compliance_status, read_eutl, replay_eutl

See ``docs/trading.md`` for the model, the rules files and their sources, and the replay results.
"""

from __future__ import annotations

from xietong.trading import rules, serials
from xietong.trading.compliance import compliance_status, statement, uk_status
from xietong.trading.enums import (
    AccountKind,
    BlockState,
    ComplianceBasis,
    ComplianceCode,
    EmissionRightPollutant,
    EmissionsState,
    OperationKind,
    PilotMarket,
    SelectionMode,
    TradingFormat,
    TransferState,
    UkStatus,
    UnitKind,
)
from xietong.trading.formats import RegistryTables, read_eutl, read_pilot_quotes, read_uk_ets
from xietong.trading.market import market_series, volume_traded
from xietong.trading.replay import ReplayReport, mismatch_markdown, replay_eutl, replay_uk_ets
from xietong.trading.units import UnitType

__all__ = [
    "AccountKind",
    "BlockState",
    "ComplianceBasis",
    "ComplianceCode",
    "EmissionRightPollutant",
    "EmissionsState",
    "OperationKind",
    "PilotMarket",
    "RegistryTables",
    "ReplayReport",
    "SelectionMode",
    "TradingFormat",
    "TransferState",
    "UkStatus",
    "UnitKind",
    "UnitType",
    "compliance_status",
    "market_series",
    "mismatch_markdown",
    "read_eutl",
    "read_pilot_quotes",
    "read_uk_ets",
    "replay_eutl",
    "replay_uk_ets",
    "rules",
    "serials",
    "statement",
    "uk_status",
    "volume_traded",
]
