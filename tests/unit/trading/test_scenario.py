"""The worked cross-jurisdiction scenario of issue 15, on the pure core.

Hebei issues forestry carbon-sink offsets to a Chengde account; a Beijing operator buys some; the transfer
is approved by both sides; the operator surrenders them within Beijing's offset cap; one unit over the cap
is refused with the rule named. Quantities and account names are written for the test; the rules are the
Beijing and Hebei rules files (rows tagged unconfirmed, used with ``include_unconfirmed=True``).
"""

from __future__ import annotations

from datetime import date

import pytest

from xietong.errors import ConflictError, InputError
from xietong.trading import rules, serials
from xietong.trading.enums import BlockState, TransferState, UnitKind
from xietong.trading.operations import advance_transfer, check_surrender, transfer_approvers
from xietong.trading.units import UnitType

OFFSET = UnitType(
    "HB-FOREST-CHENGDE-2016",
    UnitKind.OFFSET_CREDIT,
    "hebei_forestry",
    origin="hebei-chengde",
    project_type="forestry",
    vintage=2016,
)
BEA = UnitType("BEA-2016", UnitKind.ALLOWANCE, "beijing_pilot", standard="BEA", origin="beijing", vintage=2016)
ALLOCATED_T = 100_000  # the operator's 2016 allocation (written for the test)
VERIFIED_T = 104_000  # its 2016 verified emissions (written for the test)


def test_chengde_offsets_travel_to_a_beijing_operator_and_are_surrendered_within_the_cap() -> None:
    beijing = rules.load("beijing_pilot", "auto", on=date(2016, 1, 1))
    hebei = rules.load("hebei_emission_rights", "auto", on=date(2016, 1, 1))

    # Hebei issues 20,000 offsets to Chengde's forestry account; Beijing allocates 100,000 BEA
    blocks = serials.empty_blocks()
    blocks = serials.issue(blocks, unit_type=OFFSET.code, quantity=20_000, account="hebei-gov").blocks
    blocks = serials.move(
        blocks, from_account="hebei-gov", to_account="chengde-forestry", unit_type=OFFSET.code, quantity=20_000
    ).blocks
    blocks = serials.issue(blocks, unit_type=BEA.code, quantity=ALLOCATED_T, account="beijing-gov").blocks
    blocks = serials.move(
        blocks, from_account="beijing-gov", to_account="bj-operator", unit_type=BEA.code, quantity=ALLOCATED_T
    ).blocks

    # the operator buys 6,000 offsets: a transfer between jurisdictions needs both sides' approval
    approvers = [
        a for _, a in transfer_approvers(hebei, beijing, sender_jurisdiction="hebei", receiver_jurisdiction="beijing")
    ]
    assert len(approvers) == 2
    state = advance_transfer(TransferState.INITIATED, "accept", required=approvers)
    assert state is TransferState.AWAITING_APPROVAL
    state = advance_transfer(state, "approve", required=approvers, approved_by=approvers[:1])
    assert state is TransferState.AWAITING_APPROVAL  # one side is not enough
    with pytest.raises(ConflictError):
        advance_transfer(state, "complete", required=approvers, approved_by=approvers[:1])
    state = advance_transfer(state, "approve", required=approvers, approved_by=approvers)
    assert state is TransferState.APPROVED
    assert advance_transfer(state, "complete", required=approvers, approved_by=approvers) is TransferState.COMPLETED
    bought = serials.move(
        blocks,
        from_account="chengde-forestry",
        to_account="bj-operator",
        unit_type=OFFSET.code,
        quantity=6_000,
        accepted=beijing.accepted([OFFSET, BEA]),
        market=beijing.label,
    )
    blocks = bought.blocks
    assert bought.moved["first_serial"].tolist() == [1] and bought.moved["last_serial"].tolist() == [6_000]

    # surrender: offsets up to 5 % of the allocation (5,000), the rest in allowances
    checks = check_surrender(beijing, OFFSET, 5_000, year=2016, verified_t=VERIFIED_T, allocated_t=ALLOCATED_T)
    assert [(c.cap, c.left) for c in checks] == [(5_000, 0)]
    blocks = serials.end_life(
        blocks, account="bj-operator", unit_type=OFFSET.code, quantity=5_000, state=BlockState.SURRENDERED
    ).blocks
    check_surrender(
        beijing,
        BEA,
        VERIFIED_T - 5_000,
        year=2016,
        verified_t=VERIFIED_T,
        allocated_t=ALLOCATED_T,
        already=[(OFFSET, 5_000)],
    )
    with pytest.raises(InputError, match="offsets cap") as err:
        check_surrender(
            beijing, OFFSET, 1, year=2016, verified_t=VERIFIED_T, allocated_t=ALLOCATED_T, already=[(OFFSET, 5_000)]
        )
    assert "at most 0 more units" in err.value.describe()
    assert "北京市碳排放权抵消管理办法" in err.value.describe()  # the rule's source is named

    held = serials.holdings(blocks).set_index(["account", "unit_type"])["quantity"]
    assert held[("bj-operator", OFFSET.code)] == 1_000
    assert held[("chengde-forestry", OFFSET.code)] == 14_000
    assert serials.check_invariants(blocks, issued={OFFSET.code: 20_000, BEA.code: ALLOCATED_T}) == []


def test_offsets_from_elsewhere_in_hebei_do_not_count_in_beijing() -> None:
    beijing = rules.load("beijing_pilot", "2013")
    other = UnitType(
        "HB-FOREST-ZHANGJIAKOU-2016",
        UnitKind.OFFSET_CREDIT,
        "hebei_forestry",
        origin="hebei-zhangjiakou",
        project_type="forestry",
    )
    with pytest.raises(InputError, match="does not count for compliance"):
        check_surrender(beijing, other, 10, year=2016, allocated_t=ALLOCATED_T)


def test_without_unconfirmed_rows_beijing_accepts_nothing() -> None:
    strict = rules.load("beijing_pilot", "2013", include_unconfirmed=False)
    with pytest.raises(InputError, match="rows switched off"):
        check_surrender(strict, OFFSET, 1, year=2016, allocated_t=ALLOCATED_T)


def test_eu_phase_1_allowances_cannot_be_surrendered_in_phase_2() -> None:
    p1 = UnitType("EUA-P1", UnitKind.ALLOWANCE, "eu_ets", period="phase1")
    p2 = UnitType("EUA-P2", UnitKind.ALLOWANCE, "eu_ets", period="phase2")
    phase3 = rules.load("eu_ets", "phase3")
    assert check_surrender(phase3, p2, 10, year=2014, verified_t=10) == []  # banked from phase 2
    with pytest.raises(InputError):
        check_surrender(rules.load("eu_ets", "phase2"), p1, 10, year=2009, verified_t=10)
