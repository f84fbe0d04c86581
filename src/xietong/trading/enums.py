"""Enumerations of the trading domain: the single source of allowed options.

Core functions, the CLI and the API schemas validate against these (OpenAPI lists their values). The
compliance codes follow the EU Transaction Log's legend (A–E, a trailing ``*`` when the data changed after
the deadline) and the UK ETS registry's compliance report (A, B, C, EXCLUDED, NOT_APPLICABLE); see
``docs/trading.md`` for the definitions and their sources.
"""

from __future__ import annotations

from enum import StrEnum


class UnitKind(StrEnum):
    """What a unit is.

    * ``allowance``: a unit of a cap-and-trade market (EUA, UKA, Beijing's BEA, Tianjin's TJEA), 1 t CO2e.
    * ``offset_credit``: a credit from a project outside the cap (CER/ERU, CCER, Beijing's forestry
      carbon sinks such as Chengde's), 1 t CO2e.
    * ``emission_right``: a tradable right to emit a pollutant in a jurisdiction (Hebei's 排污权 for SO2,
      NOx, COD and NH3-N), in tonnes of that pollutant.
    """

    ALLOWANCE = "allowance"
    OFFSET_CREDIT = "offset_credit"
    EMISSION_RIGHT = "emission_right"


class AccountKind(StrEnum):
    """Who holds an account (EU Union Registry and UK ETS account types, simplified)."""

    OPERATOR_HOLDING = "operator_holding"  # an installation's (or aircraft operator's) account
    GOVERNMENT = "government"  # a jurisdiction's issuance / allocation / auction account
    TRADING = "trading"  # a trader's or intermediary's account (no compliance obligation)


class BlockState(StrEnum):
    """Where a serial block is in its lifecycle. Only ``held`` blocks can move again."""

    HELD = "held"
    SURRENDERED = "surrendered"  # handed in against a compliance obligation
    RETIRED = "retired"  # voluntarily taken out of circulation (offsetting)
    CANCELLED = "cancelled"  # taken out by the registry (correction, expiry, deletion)


class OperationKind(StrEnum):
    """Registry operations. Each moves whole or split serial blocks (``issue`` creates them)."""

    ISSUE = "issue"
    ALLOCATE = "allocate"  # free allocation from a government account to an operator
    AUCTION = "auction"  # sale from a government account
    TRANSFER = "transfer"
    SURRENDER = "surrender"
    RETIRE = "retire"
    CANCEL = "cancel"
    BANK = "bank"  # carry units into the next trading period where the rules allow


#: the operations that end a block's life (they change its state, not its account)
TERMINAL_OPERATIONS: dict[OperationKind, BlockState] = {
    OperationKind.SURRENDER: BlockState.SURRENDERED,
    OperationKind.RETIRE: BlockState.RETIRED,
    OperationKind.CANCEL: BlockState.CANCELLED,
}


class TransferState(StrEnum):
    """The lifecycle of a transfer: initiated by the sender, accepted by the receiver, and approved by
    each market whose rules ask for it (a transfer between jurisdictions)."""

    INITIATED = "initiated"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class TransferStep(StrEnum):
    """Steps of a pending transfer (after ``initiate``), as the API and CLI name them."""

    ACCEPT = "accept"
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


class SelectionMode(StrEnum):
    """How the units of a move are chosen: the lowest serials first, or explicit serial ranges."""

    FIFO = "fifo"
    SERIALS = "serials"


class EmissionsState(StrEnum):
    """What the verified-emissions cell of an installation-year says."""

    REPORTED = "reported"  # a number (0 included: 0 is an entered value)
    NOT_REPORTED = "not_reported"  # EUTL text ``Not Reported``, or an empty cell where one was due
    EXCLUDED = "excluded"  # EUTL ``Excluded``, UK ``EXCLUDED``: no obligation that year
    #: no figure, and none was due: an empty EUTL cell (the EUTL writes ``Not Reported`` where one was due),
    #: a UK year after the last year of operation. Counts as 0 t; the year keeps its cumulative status.
    ABSENT = "absent"


class ComplianceCode(StrEnum):
    """EU Transaction Log compliance codes of an installation-year (letter at the deadline; ``*`` when the
    data changed after the deadline).

    * A: units surrendered (cumulated over the trading period) ≥ verified emissions (cumulated).
    * B: units surrendered < verified emissions.
    * C: verified emissions were not entered by the deadline (30 April of year X+1).
    * D: verified emissions were corrected by the competent authority after the deadline.
    * E: verified emissions were entered but not verified by the deadline.
    """

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    A_CHANGED = "A*"
    B_CHANGED = "B*"
    C_CHANGED = "C*"
    D_CHANGED = "D*"
    E_CHANGED = "E*"

    @property
    def letter(self) -> str:
        """The code without its star: ``"A*"`` → ``"A"``."""
        return self.value[0]

    @property
    def changed_after_deadline(self) -> bool:
        return self.value.endswith("*")

    @classmethod
    def of(cls, letter: str, changed: bool) -> ComplianceCode:
        return cls(letter + ("*" if changed else ""))


class UkStatus(StrEnum):
    """UK ETS compliance report, 'Static surrender status [year]' (sheet 'Field categorisation').

    * A: cumulative surrenders by the most recent deadline (30 April) ≥ cumulative recorded emissions.
    * B: cumulative surrenders < cumulative recorded emissions.
    * C: recorded emissions were not entered by the surrender deadline.
    * EXCLUDED: an aircraft operator that never operated under the UK ETS (no obligation).
    * NOT_APPLICABLE: the operator's emissions reporting period has not started.
    """

    A = "A"
    B = "B"
    C = "C"
    EXCLUDED = "EXCLUDED"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class ComplianceBasis(StrEnum):
    """How surrenders are set against emissions in a compliance status (a market rule)."""

    #: cumulated from the start of the trading period (EUTL, Registries Regulation 2216/2004)
    CUMULATIVE_PERIOD = "cumulative_period"
    #: each year on its own (Chinese pilots: the year's allowances against the year's verified emissions)
    PER_YEAR = "per_year"


class EmissionRightPollutant(StrEnum):
    """Pollutants of Hebei's paid use and trading of emission rights (排污权)."""

    SO2 = "SO2"
    NOX = "NOx"
    COD = "COD"
    NH3N = "NH3-N"


class PilotMarket(StrEnum):
    """China's pilot carbon markets in the quotes file (product prefix → market)."""

    BEIJING = "beijing"
    TIANJIN = "tianjin"
    SHANGHAI = "shanghai"
    GUANGDONG = "guangdong"
    HUBEI = "hubei"
    SHENZHEN = "shenzhen"
    CHONGQING = "chongqing"
    FUJIAN = "fujian"


class ExcludedYears(StrEnum):
    """What status an excluded year gets (a market rule)."""

    #: no status for the year (EU reading, unconfirmed)
    NO_STATUS = "no_status"
    #: the cumulative status like any other year; only an operator excluded in every year so far is
    #: EXCLUDED (UK compliance report, 'Field categorisation')
    CUMULATIVE = "cumulative"


class TradingFormat(StrEnum):
    """Registry formats of :mod:`xietong.trading.formats` that `trading replay` and `trading import` read
    (pilot-market quotes have their own command, `trading quotes ingest`)."""

    EUTL = "eutl"
    UK_ETS = "uk-ets"


__all__ = [
    "TERMINAL_OPERATIONS",
    "AccountKind",
    "BlockState",
    "ComplianceBasis",
    "ComplianceCode",
    "EmissionRightPollutant",
    "EmissionsState",
    "ExcludedYears",
    "OperationKind",
    "PilotMarket",
    "SelectionMode",
    "TradingFormat",
    "TransferState",
    "TransferStep",
    "UkStatus",
    "UnitKind",
]
