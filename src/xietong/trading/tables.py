"""The trading domain's tables: a registry of serial-numbered units with a transaction log.

Defined on the platform's :data:`xietong.store.tables.metadata`, created by the domain's Alembic branch
(``xietong/trading/migrations``, label ``trading``). The model follows the EU Union Registry's transaction
log: every block movement is a row of ``trading_movement`` linked to its ``trading_operation``, so the whole
history of any serial is a query (``xietong trading trace``).

* ``trading_unit_type``: what a block's ``unit_type`` stands for (:class:`xietong.trading.units.UnitType`),
  the issuing jurisdiction and the units issued so far (conservation is checked against it).
* ``trading_account``: operator holding accounts (linked to the platform's enterprise registry), each
  jurisdiction's government accounts, trading accounts; owned by a jurisdiction (NULL: the region, e.g.
  the accounts of a replayed outside registry).
* ``trading_block``: the units, as inclusive serial ranges held by one account in one state; a block
  reserved by a pending transfer names it in ``reserved_by``; ``operation_id`` is the operation that
  created the block.
* ``trading_holding``: per account and unit type, the free held units and the units reserved by pending
  transfers. The row is what concurrent operations lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
  writers are serialised by ``BEGIN IMMEDIATE``), and its ``CHECK`` constraints refuse a negative holding.
* ``trading_operation`` (+ ``_step``, ``_approval``): the transaction log: issue, allocate, auction,
  transfer (initiated → accepted → approvals → completed), surrender for a compliance year, retire, cancel,
  bank; with the client key and the hash of the request for idempotent retries.
* ``trading_installation_year`` (+ ``_history``): verified emissions per account and year (verifier, date),
  and, for accounts imported from an outside registry, the allocation and surrenders it published.
* ``trading_quote``: daily quotes of the pilot markets; ``trading_notice``: reminders already sent.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata
from xietong.store.types import UtcDateTime

trading_unit_type = sa.Table(
    "trading_unit_type",
    metadata,
    sa.Column("code", sa.String(60), primary_key=True, comment="e.g. BEA-2026, HB-FOREST-CHENGDE-2026"),
    sa.Column("kind", sa.String(20), nullable=False, comment="xietong.trading.UnitKind"),
    sa.Column("market", sa.String(40), nullable=False, comment="issuing market or programme"),
    sa.Column("standard", sa.String(30), nullable=True),
    sa.Column("origin", sa.String(40), nullable=True, comment="lower-case region code, e.g. hebei-chengde"),
    sa.Column("project_type", sa.String(40), nullable=True),
    sa.Column("vintage", sa.Integer, nullable=True),
    sa.Column("period", sa.String(30), nullable=True, comment="trading period of the units"),
    sa.Column("pollutant", sa.String(8), nullable=True, comment="emission rights: SO2, NOx, COD, NH3-N"),
    sa.Column(
        "jurisdiction_code",
        sa.String(6),
        sa.ForeignKey("jurisdiction.code"),
        nullable=True,
        comment="the issuing jurisdiction; NULL = a registry outside the region",
    ),
    sa.Column("issued", sa.BigInteger, nullable=False, comment="units issued so far"),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.CheckConstraint("issued >= 0", name="issued_not_negative"),
)

trading_account = sa.Table(
    "trading_account",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False, comment="xietong.trading.AccountKind"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column(
        "jurisdiction_code",
        sa.String(6),
        sa.ForeignKey("jurisdiction.code"),
        nullable=True,
        index=True,
        comment="owner; NULL = the region (accounts of a replayed outside registry)",
    ),
    sa.Column("market", sa.String(40), nullable=True, comment="market whose rules apply (acceptance, compliance)"),
    sa.Column("enterprise_city", sa.String(6), nullable=True, comment="enterprise.city_code of the operator"),
    sa.Column("enterprise_name", sa.String(200), nullable=True, comment="enterprise.name of the operator"),
    sa.Column("installation", sa.String(40), nullable=True, comment="id in an outside registry (EUTL account)"),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("closed_at", UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(["enterprise_city", "enterprise_name"], ["enterprise.city_code", "enterprise.name"]),
)

trading_operation = sa.Table(
    "trading_operation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(12), nullable=False, comment="xietong.trading.OperationKind"),
    sa.Column("state", sa.String(20), nullable=False, comment="TransferState for transfers; completed otherwise"),
    sa.Column("unit_type", sa.String(60), sa.ForeignKey("trading_unit_type.code"), nullable=False),
    sa.Column("quantity", sa.BigInteger, nullable=False, comment="[units]"),
    sa.Column("from_account", sa.String(40), sa.ForeignKey("trading_account.code"), nullable=True, index=True),
    sa.Column("to_account", sa.String(40), sa.ForeignKey("trading_account.code"), nullable=True, index=True),
    sa.Column("year", sa.Integer, nullable=True, comment="compliance year (surrender) or allocation year"),
    sa.Column("late", sa.Boolean, nullable=False, comment="a surrender after the compliance deadline"),
    sa.Column("required_approvals", sa.Text, nullable=False, comment="JSON [{market, approver, jurisdiction}]"),
    sa.Column("detail", sa.Text, nullable=False, comment="JSON: rule checks, price, note"),
    sa.Column("result", sa.Text, nullable=True, comment="JSON answer, returned again to an idempotent retry"),
    sa.Column("client_key", sa.String(100), nullable=True),
    sa.Column("request_hash", sa.String(64), nullable=True, comment="SHA-256 of the canonical request"),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("completed_at", UtcDateTime(), nullable=True),
    sa.Column("version", sa.Integer, nullable=False, comment="incremented on every step"),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.UniqueConstraint("actor", "client_key"),
)

trading_operation_step = sa.Table(
    "trading_operation_step",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("operation_id", sa.Integer, sa.ForeignKey("trading_operation.id"), nullable=False, index=True),
    sa.Column("step", sa.String(20), nullable=False, comment="initiate, accept, approve, complete, reject, cancel"),
    sa.Column("state", sa.String(20), nullable=False, comment="the operation's state after the step"),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, comment="JSON"),
)

trading_approval = sa.Table(
    "trading_approval",
    metadata,
    sa.Column("operation_id", sa.Integer, sa.ForeignKey("trading_operation.id"), primary_key=True),
    sa.Column("market", sa.String(40), primary_key=True, comment="the market whose rules ask for the approval"),
    sa.Column("approver", sa.String(200), nullable=False, comment="as the rules name it"),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False, comment="who may give it"),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
)

trading_block = sa.Table(
    "trading_block",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("unit_type", sa.String(60), sa.ForeignKey("trading_unit_type.code"), nullable=False),
    sa.Column("first_serial", sa.BigInteger, nullable=False, comment="inclusive"),
    sa.Column("last_serial", sa.BigInteger, nullable=False, comment="inclusive"),
    sa.Column("account", sa.String(40), sa.ForeignKey("trading_account.code"), nullable=False),
    sa.Column("state", sa.String(12), nullable=False, comment="xietong.trading.BlockState"),
    sa.Column("reserved_by", sa.Integer, nullable=True, index=True, comment="the pending transfer holding it"),
    sa.Column("operation_id", sa.Integer, nullable=False, comment="trading_operation.id that created the block"),
    sa.CheckConstraint("first_serial >= 1 AND last_serial >= first_serial", name="serial_range"),
    # two blocks of one unit type never start at the same serial (the service keeps them disjoint)
    sa.UniqueConstraint("unit_type", "first_serial"),
    sa.Index("ix_trading_block_account_unit_type_state", "account", "unit_type", "state"),
)

trading_movement = sa.Table(
    "trading_movement",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("operation_id", sa.Integer, nullable=False, index=True, comment="trading_operation.id"),
    sa.Column("unit_type", sa.String(60), nullable=False),
    sa.Column("first_serial", sa.BigInteger, nullable=False),
    sa.Column("last_serial", sa.BigInteger, nullable=False),
    sa.Column("from_account", sa.String(40), nullable=True, comment="NULL for an issue"),
    sa.Column("to_account", sa.String(40), nullable=False, comment="the account holding the units afterwards"),
    sa.Column("state", sa.String(12), nullable=False, comment="the units' state afterwards"),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Index("ix_trading_movement_unit_type_first_serial", "unit_type", "first_serial"),
)

trading_holding = sa.Table(
    "trading_holding",
    metadata,
    sa.Column("account", sa.String(40), sa.ForeignKey("trading_account.code"), primary_key=True),
    sa.Column("unit_type", sa.String(60), sa.ForeignKey("trading_unit_type.code"), primary_key=True),
    sa.Column("held", sa.BigInteger, nullable=False, comment="free held units"),
    sa.Column("reserved", sa.BigInteger, nullable=False, comment="held units reserved by pending transfers"),
    sa.CheckConstraint("held >= 0", name="held_not_negative"),
    sa.CheckConstraint("reserved >= 0", name="reserved_not_negative"),
)


def _installation_year_columns(*, history: bool = False) -> list[sa.Column[object]]:
    return [
        sa.Column("verified_t", sa.Float(53), nullable=True, comment="verified emissions [t CO2e]"),
        sa.Column("emissions_state", sa.String(14), nullable=False, comment="xietong.trading.EmissionsState"),
        sa.Column("verifier", sa.String(200), nullable=True),
        sa.Column("verified_on", sa.Date, nullable=True),
        sa.Column("allocated_external_t", sa.Float(53), nullable=True, comment="published by an outside registry"),
        sa.Column("surrendered_external_t", sa.Float(53), nullable=True, comment="published by an outside registry"),
        sa.Column("published_code", sa.String(16), nullable=True, comment="code the outside registry published"),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False, comment="first entry of the year's emissions"),
        sa.Column("entered_by", sa.String(100), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False, primary_key=history),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
    ]


trading_installation_year = sa.Table(
    "trading_installation_year",
    metadata,
    sa.Column("account", sa.String(40), sa.ForeignKey("trading_account.code"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    *_installation_year_columns(),
)

trading_installation_year_history = sa.Table(
    "trading_installation_year_history",
    metadata,
    sa.Column("account", sa.String(40), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    *_installation_year_columns(history=True),
    sa.Column("superseded_at", UtcDateTime(), nullable=False),
)

trading_quote = sa.Table(
    "trading_quote",
    metadata,
    sa.Column("market", sa.String(16), primary_key=True, comment="xietong.trading.PilotMarket"),
    sa.Column("product", sa.String(16), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True, comment="trading day (China Standard Time)"),
    sa.Column("exchange", sa.String(60), nullable=False),
    sa.Column("open_cny_t", sa.Float(53), nullable=True),
    sa.Column("high_cny_t", sa.Float(53), nullable=True),
    sa.Column("low_cny_t", sa.Float(53), nullable=True),
    sa.Column("avg_price_cny_t", sa.Float(53), nullable=True),
    sa.Column("volume_t", sa.Float(53), nullable=True),
    sa.Column("turnover_cny", sa.Float(53), nullable=True),
    sa.Column("traded", sa.Boolean, nullable=False),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
)

trading_notice = sa.Table(
    "trading_notice",
    metadata,
    sa.Column("account", sa.String(40), sa.ForeignKey("trading_account.code"), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(30), primary_key=True, comment="e.g. deadline_approaching"),
    sa.Column("deadline", sa.Date, nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=False),
)

__all__ = [
    "trading_account",
    "trading_approval",
    "trading_block",
    "trading_holding",
    "trading_installation_year",
    "trading_installation_year_history",
    "trading_movement",
    "trading_notice",
    "trading_operation",
    "trading_operation_step",
    "trading_quote",
    "trading_unit_type",
]
