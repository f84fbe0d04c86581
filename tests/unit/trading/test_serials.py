"""Serial blocks: each unit in exactly one block, moved whole or split, never more than held.

Quantities and account names here are written for the tests (no real holdings).
"""

from __future__ import annotations

import pandas as pd
import pytest

from xietong.errors import InputError
from xietong.trading import serials
from xietong.trading.enums import BlockState


def issued(*specs: tuple[str, int, str]) -> pd.DataFrame:
    blocks = serials.empty_blocks()
    for unit_type, q, account in specs:
        blocks = serials.issue(blocks, unit_type=unit_type, quantity=q, account=account).blocks
    return blocks


def ranges(blocks: pd.DataFrame, account: str) -> list[tuple[int, int]]:
    own = blocks.loc[blocks["account"] == account].sort_values("first_serial")
    return list(zip(own["first_serial"].tolist(), own["last_serial"].tolist(), strict=True))


def test_issuance_continues_after_the_last_serial_of_the_unit_type() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"), ("BEA-2016", 50, "gov-bj"), ("TJEA-2016", 10, "gov-tj"))
    assert ranges(blocks, "gov-bj") == [(1, 150)]  # the two issues are adjacent and merge
    assert ranges(blocks, "gov-tj") == [(1, 10)]  # serials are per unit type


def test_issuing_serials_already_issued_is_refused() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    with pytest.raises(InputError, match="already issued"):
        serials.issue(blocks, unit_type="BEA-2016", quantity=5, account="gov-bj", first_serial=100)


def test_fifo_move_takes_the_lowest_serials_and_splits_the_last_block() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    res = serials.move(blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", quantity=30)
    assert ranges(res.blocks, "op-1") == [(1, 30)]
    assert ranges(res.blocks, "gov-bj") == [(31, 100)]
    assert res.quantity == 30
    assert res.moved[["from_account", "account"]].iloc[0].tolist() == ["gov-bj", "op-1"]


def test_a_move_can_span_several_blocks() -> None:
    blocks = issued(("BEA-2016", 10, "gov-bj"))
    blocks = serials.move(
        blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", serials=[(4, 6)]
    ).blocks
    res = serials.move(blocks, from_account="gov-bj", to_account="op-2", unit_type="BEA-2016", quantity=5)
    assert ranges(res.blocks, "op-2") == [(1, 3), (7, 8)]
    assert ranges(res.blocks, "gov-bj") == [(9, 10)]


def test_explicit_serial_ranges_cut_holes_in_the_senders_block() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    res = serials.move(
        blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", serials=[(10, 19), (50, 50)]
    )
    assert ranges(res.blocks, "op-1") == [(10, 19), (50, 50)]
    assert ranges(res.blocks, "gov-bj") == [(1, 9), (20, 49), (51, 100)]


def test_moving_more_than_held_is_refused_and_names_the_holding() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    with pytest.raises(InputError, match="holds 100 units of BEA-2016, fewer than the 101") as err:
        serials.move(blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", quantity=101)
    assert "more units than the sender holds" in err.value.describe()


def test_serials_not_in_the_senders_account_are_refused() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    blocks = serials.move(blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", quantity=10).blocks
    with pytest.raises(InputError, match="not all held by account gov-bj"):
        serials.move(blocks, from_account="gov-bj", to_account="op-2", unit_type="BEA-2016", serials=[(5, 15)])


@pytest.mark.parametrize("quantity", [2.5, -3, 0, "ten", True, float("nan")])
def test_quantities_must_be_positive_whole_numbers(quantity: object) -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    with pytest.raises(InputError):
        serials.move(blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", quantity=quantity)  # type: ignore[arg-type]


def test_a_whole_float_quantity_is_accepted() -> None:
    assert serials.check_quantity(12.0) == 12


def test_unit_type_not_accepted_by_the_receiving_market_is_refused_before_anything_moves() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    with pytest.raises(InputError, match="not accepted by the receiving market tianjin_pilot"):
        serials.move(
            blocks,
            from_account="gov-bj",
            to_account="op-tj",
            unit_type="BEA-2016",
            quantity=1,
            accepted={"TJEA-2016"},
            market="tianjin_pilot",
        )


def test_overlapping_or_reversed_serial_ranges_are_refused() -> None:
    blocks = issued(("BEA-2016", 100, "gov-bj"))
    for bad in ([(5, 10), (10, 12)], [(9, 5)]):
        with pytest.raises(InputError):
            serials.move(blocks, from_account="gov-bj", to_account="op-1", unit_type="BEA-2016", serials=bad)


def test_surrendered_units_stay_with_the_account_and_never_move_again() -> None:
    blocks = issued(("BEA-2016", 100, "op-1"))
    res = serials.end_life(blocks, account="op-1", unit_type="BEA-2016", quantity=60, state=BlockState.SURRENDERED)
    held = serials.holdings(res.blocks)
    assert held["quantity"].tolist() == [40]
    everything = serials.holdings(res.blocks, state=None)
    assert everything["quantity"].tolist() == [100]
    with pytest.raises(InputError, match="holds 40 units"):
        serials.move(res.blocks, from_account="op-1", to_account="op-2", unit_type="BEA-2016", quantity=41)


def test_merge_adjacent_joins_only_same_account_and_state() -> None:
    blocks = pd.DataFrame(
        {
            "unit_type": ["U"] * 4,
            "first_serial": [1, 11, 21, 31],
            "last_serial": [10, 20, 30, 40],
            "account": ["a", "a", "b", "b"],
            "state": ["held", "held", "held", "retired"],
        }
    )
    merged = serials.merge_adjacent(blocks)
    assert merged[["first_serial", "last_serial", "account"]].values.tolist() == [
        [1, 20, "a"],
        [21, 30, "b"],
        [31, 40, "b"],
    ]


def test_invariants_catch_a_serial_in_two_accounts_and_a_broken_total() -> None:
    blocks = pd.DataFrame(
        {
            "unit_type": ["U", "U"],
            "first_serial": [1, 10],
            "last_serial": [10, 20],
            "account": ["a", "b"],
            "state": ["held", "held"],
        }
    )
    problems = serials.check_invariants(blocks, issued={"U": 20})
    messages = [p.message for p in problems]
    assert any("in two blocks" in m for m in messages)
    assert any("do not add up" in m for m in messages)
    with pytest.raises(InputError):
        serials.assert_invariants(blocks)


def test_the_history_of_a_serial_is_every_move_that_contains_it() -> None:
    blocks = serials.empty_blocks()
    log = []
    step = serials.issue(blocks, unit_type="U", quantity=10, account="gov")
    log.append(step.moved)
    step = serials.move(step.blocks, from_account="gov", to_account="a", unit_type="U", serials=[(3, 6)])
    log.append(step.moved)
    step = serials.move(step.blocks, from_account="a", to_account="b", unit_type="U", quantity=1)
    log.append(step.moved)
    history = serials.trace(pd.concat(log, ignore_index=True), "U", 3)
    assert history["account"].tolist() == ["gov", "a", "b"]
    assert serials.trace(pd.concat(log, ignore_index=True), "U", 8)["account"].tolist() == ["gov"]
