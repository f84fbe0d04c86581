"""The trading domain's declaration (domain contract, :mod:`xietong.domains`): E3 of MISSION.md.

Emission rights and carbon trading: a registry of serial-numbered units (allowances, offset credits,
emission rights) with accounts owned per jurisdiction, audited and idempotent operations, cross-jurisdiction
transfers approved under each market's rules, the compliance cycle, replay of published registries and the
pilot markets' quotes. Published as the entry point ``trading``.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.domains import CliGroup, Domain, EventType, Page, ScopeSpec


class TradingScope(StrEnum):
    """Token scopes the trading domain checks (each within the principal's jurisdiction)."""

    #: open accounts, initiate and accept transfers, surrender, retire, bank
    OPERATE = "operate:trading"
    #: register unit types, issue, allocate, auction, cancel (a jurisdiction's registry authority)
    ISSUE = "issue:trading"
    #: approve transfers between jurisdictions for the jurisdiction's market
    APPROVE = "approve:trading"
    #: enter verified emissions, market quotes, send reminders
    PUBLISH = "publish:trading"


class TradingEvent(StrEnum):
    """Webhook events of the registry (sent to the jurisdictions an operation involves)."""

    TRANSFER_INITIATED = "trading.transfer.initiated"
    TRANSFER_AWAITING_APPROVAL = "trading.transfer.awaiting_approval"
    TRANSFER_COMPLETED = "trading.transfer.completed"
    TRANSFER_REJECTED = "trading.transfer.rejected"
    DEADLINE_APPROACHING = "trading.deadline.approaching"


_EVENT_TEXT = {
    TradingEvent.TRANSFER_INITIATED: "a transfer into an account was initiated and waits for the receiver to accept",
    TradingEvent.TRANSFER_AWAITING_APPROVAL: "a transfer between jurisdictions waits for the approvals its markets' rules name",
    TradingEvent.TRANSFER_COMPLETED: "a transfer completed: the units are in the receiving account",
    TradingEvent.TRANSFER_REJECTED: "a transfer was rejected or cancelled; the units are free again in the sender's account",
    TradingEvent.DEADLINE_APPROACHING: "a compliance deadline is near and an account still owes units for the year",
}

DOMAIN = Domain(
    name="trading",
    title_zh="碳排放权交易",
    title_en="Emission trading",
    description="Registry of serial-numbered allowances, offsets and emission rights; transfers between "
    "jurisdictions; compliance under each market's rules; replay of the EUTL and UK ETS; pilot market prices.",
    order=50,
    tables="xietong.trading.tables",
    migrations="xietong.trading.migrations",
    seed="xietong.trading.registry:seed",
    indicators="xietong.trading.indicators:indicators",
    events=tuple(EventType(e.value, _EVENT_TEXT[e]) for e in TradingEvent),
    scopes=(
        ScopeSpec(
            TradingScope.OPERATE.value,
            "open accounts, transfer, accept, surrender, retire and bank units of the principal's jurisdiction",
        ),
        ScopeSpec(
            TradingScope.ISSUE.value,
            "register unit types, issue, allocate, auction and cancel units as the jurisdiction's registry authority",
        ),
        ScopeSpec(TradingScope.APPROVE.value, "approve transfers between jurisdictions for the jurisdiction's market"),
        ScopeSpec(TradingScope.PUBLISH.value, "enter verified emissions and market quotes, send deadline reminders"),
    ),
    api=("xietong.trading.routes:router",),
    cli=(CliGroup("trading", "xietong.trading.commands:app"),),
    pages=(Page("trading", "碳交易", "Trading", "trading.js", order=50),),
    static="xietong.trading:web",
)

__all__ = ["DOMAIN", "TradingEvent", "TradingScope"]
