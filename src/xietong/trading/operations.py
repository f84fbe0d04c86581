"""Rules of single operations: what a market lets an operator surrender, who approves a transfer, and the
transfer's states.

Pure functions over :class:`~xietong.trading.rules.MarketRules` and
:class:`~xietong.trading.units.UnitType`. A service calls :func:`check_surrender` before
:func:`xietong.trading.serials.end_life`, :func:`transfer_approvers` when a transfer is initiated, and
:func:`advance_transfer` for every step of its workflow; every refusal is an :class:`InputError` (or a
:class:`ConflictError` for a step that does not fit the state) naming the rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from xietong.errors import ConflictError, InputError, Location
from xietong.trading.enums import TransferState
from xietong.trading.rules import MarketRules
from xietong.trading.serials import check_quantity
from xietong.trading.units import UnitType


@dataclass(frozen=True, slots=True)
class LimitCheck:
    """One cap applied to a surrender: the cap [units], used before, asked for now, left afterwards."""

    name: str
    cap: int
    used: int
    requested: int
    source: str
    confirmed: bool

    @property
    def left(self) -> int:
        return self.cap - self.used - self.requested


def _rules_file(rules: MarketRules, field: str) -> Location:
    return Location(source=f"{rules.market}_{rules.edition}.toml", field=field)


def period_for_year(rules: MarketRules, year: int) -> str | None:
    """The trading period of ``rules`` that contains compliance year ``year``."""
    return next((p.id for p in rules.periods if p.first_year <= year <= p.last_year), None)


def check_surrender(
    rules: MarketRules,
    unit: UnitType,
    quantity: int,
    *,
    year: int,
    verified_t: float | None = None,
    allocated_t: float | None = None,
    already: Iterable[tuple[UnitType, int]] = (),
) -> list[LimitCheck]:
    """Check that ``quantity`` units of ``unit`` may be surrendered for compliance year ``year``.

    Rules applied, in order: the quantity is a positive whole number; the market accepts the unit type
    (``[[units]]`` rows); a unit of another trading period counts only where banking into this period is
    allowed (``[[banking]]``); every cap whose filter matches the unit (``[[limit]]``: at most
    ``max_share_pct`` % of the year's ``verified_t`` or ``allocated_t`` [t CO2e], counting the units
    ``already`` surrendered for the year) still has room. Caps are whole units, rounded down.

    Returns the caps applied (with what is left), or raises :class:`InputError` naming the rule.
    """
    q = check_quantity(quantity)
    if rules.accepts(unit) is None:
        names = "; ".join(r.name for r in rules.units) or "no unit types (rows switched off?)"
        raise InputError(
            f"{rules.label}: unit type {unit.code} ({unit.kind}) does not count for compliance",
            expected=f"a unit type under one of: {names}",
            given=unit.code,
            where=_rules_file(rules, "units"),
            hint="rule: a market counts only the unit types its [[units]] rows list",
        )
    period = period_for_year(rules, year)
    if unit.period is not None and period is not None:
        rules.bank(unit.period, period)
    used_before = list(already)
    checks: list[LimitCheck] = []
    for limit in rules.limits:
        if not limit.filter.matches(unit):
            continue
        base = verified_t if limit.of == "verified_emissions" else allocated_t
        if base is None:
            raise InputError(
                f"{rules.label}: the cap '{limit.name}' needs the year's {limit.of}",
                expected=f"{limit.of} [t CO2e]",
                given="None",
                where=Location(field="verified_t" if limit.of == "verified_emissions" else "allocated_t"),
            )
        cap = int(Fraction(round(base)) * Fraction(str(limit.max_share_pct)) / 100)
        used = sum(n for u, n in used_before if limit.filter.matches(u))
        check = LimitCheck(limit.name, cap, used, q, limit.source, limit.confirmed)
        if check.left < 0:
            raise InputError(
                f"{rules.label}: surrender refused by the rule '{limit.name}'",
                expected=f"at most {max(cap - used, 0)} more units of this kind for {year} (cap {cap} of {limit.of} {base:,.0f} t)",
                given=str(q),
                where=_rules_file(rules, "limit"),
                hint=f"source: {limit.source}",
            )
        checks.append(check)
    return checks


def transfer_approvers(
    sender_rules: MarketRules | None,
    receiver_rules: MarketRules,
    *,
    sender_jurisdiction: str,
    receiver_jurisdiction: str,
) -> list[tuple[str, str]]:
    """Who must approve a transfer: ``(market, approver)`` for each side whose rules ask for approval of a
    transfer between jurisdictions. Empty within one jurisdiction."""
    if sender_jurisdiction == receiver_jurisdiction:
        return []
    out: list[tuple[str, str]] = []
    for r in (sender_rules, receiver_rules):
        if r is not None:
            out += [(r.market, a) for a in r.transfer_approvers()]
    return out


#: allowed steps: (state, event) → next state; ``approve`` is resolved by :func:`advance_transfer`
_STEPS: dict[tuple[TransferState, str], TransferState] = {
    (TransferState.INITIATED, "accept"): TransferState.AWAITING_APPROVAL,
    (TransferState.INITIATED, "reject"): TransferState.REJECTED,
    (TransferState.INITIATED, "cancel"): TransferState.CANCELLED,
    (TransferState.AWAITING_APPROVAL, "approve"): TransferState.AWAITING_APPROVAL,
    (TransferState.AWAITING_APPROVAL, "reject"): TransferState.REJECTED,
    (TransferState.APPROVED, "complete"): TransferState.COMPLETED,
}


def advance_transfer(
    state: TransferState,
    event: str,
    *,
    required: Sequence[str] = (),
    approved_by: Iterable[str] = (),
) -> TransferState:
    """The next state of a transfer after ``event`` (``accept``, ``approve``, ``reject``, ``cancel``,
    ``complete``).

    After the receiver accepts, the transfer waits for the approvals ``required`` (approver names from
    :func:`transfer_approvers`); once every one is in ``approved_by`` it is ``approved``, and only an
    approved transfer completes (the service then calls :func:`xietong.trading.serials.move`). An
    approval by someone not required is refused. A step that does not fit the state raises
    :class:`ConflictError`.
    """
    state = TransferState(state)
    nxt = _STEPS.get((state, event))
    if nxt is None:
        allowed = sorted(e for (s, e) in _STEPS if s is state)
        raise ConflictError(
            f"a transfer in state {state.value} cannot be {event!r}-ed",
            expected="one of " + (", ".join(allowed) or "no further steps"),
            given=event,
            where=Location(field="event"),
        )
    given = set(approved_by)
    if event == "approve":
        stray = given - set(required)
        if stray:
            raise InputError(
                "approval by an approver the rules do not name",
                expected=", ".join(required) or "no approver",
                given=", ".join(sorted(stray)),
                where=Location(field="approver"),
            )
    if nxt is TransferState.AWAITING_APPROVAL and set(required) <= given:
        return TransferState.APPROVED
    return nxt


__all__ = ["LimitCheck", "advance_transfer", "check_surrender", "period_for_year", "transfer_approvers"]
