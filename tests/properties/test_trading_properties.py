"""Random sequences of registry operations on the serial-block core (Hypothesis state machine).

After every step: each unit type adds up to what was issued, no serial is in two blocks, no holding is
negative and holdings equal a plain reference count; a refused operation raises an ``InputError`` and
leaves the block table untouched; acceptance and banking follow the rules files. Accounts, unit types and
quantities are written for the test.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from xietong.errors import InputError
from xietong.trading import ranges, rules, serials
from xietong.trading.enums import BlockState, UnitKind
from xietong.trading.operations import check_surrender
from xietong.trading.units import UnitType

UNITS = {
    "EUA-P1": UnitType("EUA-P1", UnitKind.ALLOWANCE, "eu_ets", standard="EUA", period="phase1"),
    "EUA-P2": UnitType("EUA-P2", UnitKind.ALLOWANCE, "eu_ets", standard="EUA", period="phase2"),
    "BEA-2016": UnitType("BEA-2016", UnitKind.ALLOWANCE, "beijing_pilot", standard="BEA", origin="beijing"),
    "CCER-TJ": UnitType("CCER-TJ", UnitKind.OFFSET_CREDIT, "ccer", standard="CCER", origin="tianjin"),
}
#: account → market whose acceptance rules apply when it receives units (None: a government account)
ACCOUNTS: dict[str, tuple[str, str] | None] = {
    "gov": None,
    "eu-op": ("eu_ets", "phase3"),
    "bj-op": ("beijing_pilot", "2013"),
    "tj-op": ("tianjin_pilot", "2013"),
}
ACCEPTED = {a: (None if m is None else rules.load(*m).accepted(UNITS.values())) for a, m in ACCOUNTS.items()}
#: banking between EU periods as the rules files say (phase1 → phase2 refused, phase2 → phase3 allowed)
BANKING = {("phase1", "phase2"): False, ("phase2", "phase3"): True, ("phase1", "phase3"): False}
EDITION_OF_PERIOD = {"phase2": "phase2", "phase3": "phase3"}

units = st.sampled_from(sorted(UNITS))
accounts = st.sampled_from(sorted(ACCOUNTS))
quantities = st.integers(1, 80)


class Registry(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = serials.empty_blocks()
        self.issued: Counter[str] = Counter()
        self.held: Counter[tuple[str, str]] = Counter()

    def _refused(self, call: object) -> None:
        before = self.blocks.copy()
        try:
            call()  # type: ignore[operator]
        except InputError:
            pd.testing.assert_frame_equal(self.blocks, before)  # nothing moved, nothing mutated
        else:
            raise AssertionError("the operation should have been refused")

    @rule(unit=units, q=quantities)
    def issue(self, unit: str, q: int) -> None:
        self.blocks = serials.issue(self.blocks, unit_type=unit, quantity=q, account="gov").blocks
        self.issued[unit] += q
        self.held[("gov", unit)] += q

    @rule(src=accounts, dst=accounts, unit=units, q=quantities)
    def transfer(self, src: str, dst: str, unit: str, q: int) -> None:
        if src == dst:
            return
        ok = self.held[(src, unit)] >= q and (ACCEPTED[dst] is None or unit in ACCEPTED[dst])

        def call() -> serials.MoveResult:
            return serials.move(
                self.blocks, from_account=src, to_account=dst, unit_type=unit, quantity=q, accepted=ACCEPTED[dst]
            )

        if not ok:
            self._refused(call)
            return
        self.blocks = call().blocks
        self.held[(src, unit)] -= q
        self.held[(dst, unit)] += q

    @precondition(lambda self: len(self.blocks) > 0)
    @rule(data=st.data(), dst=accounts)
    def transfer_serials(self, data: st.DataObject, dst: str) -> None:
        held = self.blocks.loc[self.blocks["state"] == BlockState.HELD.value]
        if held.empty:
            return
        row = held.iloc[data.draw(st.integers(0, len(held) - 1))]
        first = data.draw(st.integers(int(row["first_serial"]), int(row["last_serial"])))
        last = data.draw(st.integers(first, int(row["last_serial"])))
        src, unit = str(row["account"]), str(row["unit_type"])
        foreign = data.draw(st.booleans())
        sender = next(a for a in sorted(ACCOUNTS) if a != src) if foreign else src
        if sender == dst:
            return

        def call() -> serials.MoveResult:
            return serials.move(
                self.blocks,
                from_account=sender,
                to_account=dst,
                unit_type=unit,
                serials=[(first, last)],
                accepted=ACCEPTED[dst],
            )

        if foreign or (ACCEPTED[dst] is not None and unit not in ACCEPTED[dst]):
            self._refused(call)  # serials not in the sender's account, or a unit type the receiver refuses
            return
        self.blocks = call().blocks
        self.held[(src, unit)] -= last - first + 1
        self.held[(dst, unit)] += last - first + 1

    @rule(
        account=accounts,
        unit=units,
        q=quantities,
        state=st.sampled_from([BlockState.SURRENDERED, BlockState.RETIRED, BlockState.CANCELLED]),
    )
    def end_life(self, account: str, unit: str, q: int, state: BlockState) -> None:
        def call() -> serials.MoveResult:
            return serials.end_life(self.blocks, account=account, unit_type=unit, quantity=q, state=state)

        if self.held[(account, unit)] < q:
            self._refused(call)
            return
        self.blocks = call().blocks
        self.held[(account, unit)] -= q

    @rule(unit=st.sampled_from(["EUA-P1", "EUA-P2"]), year=st.sampled_from([2009, 2014]), q=quantities)
    def eu_surrender_obeys_banking(self, unit: str, year: int, q: int) -> None:
        period = "phase2" if year <= 2012 else "phase3"
        market = rules.load("eu_ets", EDITION_OF_PERIOD[period])
        u = UNITS[unit]
        allowed = u.period == period or BANKING.get((str(u.period), period), False)
        if allowed:
            check_surrender(market, u, q, year=year, verified_t=q)
        else:
            with pytest.raises(InputError, match=r"banking|does not count"):
                check_surrender(market, u, q, year=year, verified_t=q)

    @rule(pair=st.sampled_from(sorted(BANKING)))
    def bank(self, pair: tuple[str, str]) -> None:
        target = rules.load("eu_ets", EDITION_OF_PERIOD[pair[1]])
        if BANKING[pair]:
            assert target.bank(*pair).allowed
        else:
            with pytest.raises(InputError, match="banking"):
                target.bank(*pair)

    @invariant()
    def conservation_disjointness_and_no_negative_holdings(self) -> None:
        assert serials.check_invariants(self.blocks, issued=dict(self.issued)) == []
        h = serials.holdings(self.blocks)
        assert (h["quantity"] > 0).all()
        got = {(a, u): int(q) for a, u, q in h[["account", "unit_type", "quantity"]].itertuples(index=False)}
        assert got == {k: v for k, v in self.held.items() if v}

    @invariant()
    def accounts_only_hold_what_their_market_accepts(self) -> None:
        for (account, unit), q in self.held.items():
            if q and ACCEPTED[account] is not None:
                assert unit in ACCEPTED[account]


Registry.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestRegistry = Registry.TestCase


#: an account's free blocks: disjoint sorted serial ranges, some of them adjacent (written for the test)
_gaps_and_sizes = st.lists(st.tuples(st.integers(0, 3), st.integers(1, 40)), min_size=0, max_size=8)


def _blocks(gaps_and_sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, at = [], 1
    for gap, size in gaps_and_sizes:
        out.append((at + gap, at + gap + size - 1))
        at += gap + size
    return out


def _pairs(frame: pd.DataFrame) -> list[tuple[int, int]]:
    return sorted(zip(frame["first_serial"].tolist(), frame["last_serial"].tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(layout=_gaps_and_sizes, quantity=st.integers(-2, 400), pick=st.lists(st.integers(0, 400), max_size=4))
def test_the_tuple_take_of_one_transfer_chooses_and_refuses_as_the_vectorised_core(
    layout: list[tuple[int, int]], quantity: int, pick: list[int]
) -> None:
    """ranges.take (a single transfer's hot path) gives the core's taken and kept blocks, or its error."""
    blocks = _blocks(layout)
    n = len(blocks)
    frame = serials.blocks_frame(["U"] * n, [f for f, _ in blocks], [la for _, la in blocks], ["a"] * n, ["held"] * n)
    serial_ranges = [(s, s + 2) for s in sorted(set(pick))] if pick else None
    q = None if serial_ranges is not None else quantity

    def core() -> object:
        taken, rest = serials.take(frame, account="a", unit_type="U", quantity=q, serials=serial_ranges)
        return _pairs(taken), _pairs(rest)

    def fast() -> object:
        return ranges.take(blocks, account="a", unit_type="U", quantity=q, serial_ranges=serial_ranges)

    outcomes = []
    for call in (core, fast):
        try:
            outcomes.append(call())
        except InputError as exc:
            outcomes.append(("refused", str(exc)))
    assert outcomes[0] == outcomes[1]
    if not isinstance(outcomes[1][0], str):
        taken, _ = outcomes[1]
        assert sum(la - f + 1 for f, la in taken) == (q if q is not None else 3 * len(serial_ranges or []))
