"""Registry operations on the store, on SQLite and PostgreSQL: the bad inputs and faults of issue 15 are
refused with the rule named and move nothing; client keys make operations idempotent; two concurrent
transfers of the same units: exactly one succeeds.

Accounts, unit types and quantities are written for the test; the rules are the shipped rules files.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from xietong.errors import ConflictError, InputError, PermissionDeniedError
from xietong.exchange import admin, notify
from xietong.exchange.bootstrap import operator
from xietong.exchange.principals import Principal
from xietong.store.session import Store
from xietong.store.tables import audit_log, outbox
from xietong.trading import cycle, ledger, registry, service, transfers
from xietong.trading.domain import TradingScope
from xietong.trading.enums import UnitKind
from xietong.trading.tables import trading_holding, trading_operation
from xietong.trading.units import UnitType

pytestmark = pytest.mark.integration
YEAR = date.today().year
BEA = f"BEA-{YEAR}"
TJEA = f"TJEA-{YEAR}"
ALL = frozenset({"read", *(s.value for s in TradingScope)})


@dataclass
class Registry:
    store: Store
    op: Principal
    bj: Principal
    tj: Principal
    hb: Principal


def _principal(store: Store, op: Principal, name: str, jurisdiction: str) -> Principal:
    p = admin.create_principal(store, op, name, jurisdiction)
    return Principal(p.id, p.name, p.jurisdiction, p.kind, ALL)


@pytest.fixture
def reg(store: Store) -> Registry:
    """Beijing and Tianjin allowances; a Beijing operator with 500 BEA allocated, a Beijing trading
    account, a Tianjin operator and a Chengde account (written for the test)."""
    op = operator(store)
    r = Registry(
        store,
        op,
        _principal(store, op, "bj", "北京"),
        _principal(store, op, "tj", "天津"),
        _principal(store, op, "hb", "河北"),
    )
    registry.register_unit_type(
        store, r.bj, UnitType(BEA, UnitKind.ALLOWANCE, "beijing_pilot", standard="BEA"), jurisdiction="北京"
    )
    registry.register_unit_type(
        store, r.tj, UnitType(TJEA, UnitKind.ALLOWANCE, "tianjin_pilot", standard="TJEA"), jurisdiction="天津"
    )
    registry.open_account(
        store, r.bj, "BJ-OP", kind="operator_holding", name="op", jurisdiction="北京", market="beijing_pilot"
    )
    registry.open_account(store, r.bj, "BJ-TR", kind="trading", name="trader", jurisdiction="北京")
    registry.open_account(
        store, r.tj, "TJ-OP", kind="operator_holding", name="op", jurisdiction="天津", market="tianjin_pilot"
    )
    registry.open_account(store, r.hb, "CD-TR", kind="trading", name="chengde", jurisdiction="承德")
    service.issue(store, r.bj, BEA, 1000, "GOV-110000")
    service.allocate(store, r.bj, BEA, 500, from_account="GOV-110000", to_account="BJ-OP", year=YEAR)
    service.issue(store, r.tj, TJEA, 300, "GOV-120000")
    return r


def held(store: Store) -> dict[tuple[str, str], tuple[int, int]]:
    with store.read() as conn:
        return {
            (r.account, r.unit_type): (int(r.held), int(r.reserved)) for r in conn.execute(sa.select(trading_holding))
        }


def sound(store: Store) -> None:
    with store.read() as conn:
        assert ledger.check_store(conn) == []


def n_operations(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(trading_operation)).scalar_one())


def refused(reg: Registry, call: Any, error: type[Exception], match: str) -> None:
    """``call`` raises ``error`` naming the rule, and nothing moved."""
    before, ops = held(reg.store), n_operations(reg.store)
    with pytest.raises(error, match=match):
        call()
    assert held(reg.store) == before and n_operations(reg.store) == ops
    sound(reg.store)


def test_more_units_than_held_are_refused(reg: Registry) -> None:
    refused(
        reg,
        lambda: transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=501),
        InputError,
        "holds 500 units of .*fewer than the 501 asked for",
    )


def test_a_unit_type_the_receiving_market_does_not_accept_is_refused(reg: Registry) -> None:
    service.issue(reg.store, reg.tj, TJEA, 10, "GOV-120000")
    refused(
        reg,
        lambda: service.auction(reg.store, reg.tj, TJEA, 5, from_account="GOV-120000", to_account="BJ-OP"),
        InputError,
        "not accepted by the receiving market beijing_pilot",
    )


def test_serials_not_in_the_senders_account_are_refused(reg: Registry) -> None:
    refused(
        reg,
        lambda: transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, serial_ranges=[(450, 520)]),
        InputError,
        "serials 450-520 of .* are not all held by account BJ-OP",
    )


@pytest.mark.parametrize(
    ("quantity", "match"),
    [
        (-3, "must be positive"),
        (0, "must be positive"),
        (2.5, "not a whole number"),
        ("ten", "not a number"),
        (True, "not a number"),
    ],
)
def test_negative_zero_and_non_integer_quantities_are_refused(reg: Registry, quantity: object, match: str) -> None:
    refused(
        reg, lambda: transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=quantity), InputError, match
    )


def test_a_retry_with_the_same_client_key_returns_the_first_answer(reg: Registry) -> None:
    first = transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=40, accept=True, client_key="bj-001")
    before = (held(reg.store), n_operations(reg.store))
    again = transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=40, accept=True, client_key="bj-001")
    assert (
        again["replayed"] is True and again["id"] == first["id"] and again["serials"] == first["serials"] == [[1, 40]]
    )
    assert (held(reg.store), n_operations(reg.store)) == before
    refused(
        reg,
        lambda: transfers.initiate(
            reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=41, accept=True, client_key="bj-001"
        ),
        ConflictError,
        "client key 'bj-001' was already used for another request",
    )
    with reg.store.read() as conn:  # the refusal is in the audit log
        last = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.outcome).order_by(audit_log.c.seq.desc()).limit(1)
        ).one()
    assert tuple(last) == ("trading.transfer", "failed")


def test_a_surrender_after_the_deadline_is_recorded_and_flagged(reg: Registry) -> None:
    old = YEAR - 2  # Beijing's deadline for it, 15 June of the next year, has passed
    service.allocate(reg.store, reg.bj, BEA, 100, from_account="GOV-110000", to_account="BJ-OP", year=old)
    cycle.record_emissions(
        reg.store,
        reg.bj,
        [{"account": "BJ-OP", "year": old, "verified_t": 80, "verifier": "v", "verified_on": f"{old + 1}-03-01"}],
    )
    out = service.surrender(reg.store, reg.bj, "BJ-OP", BEA, year=old, quantity=80)
    assert out["late"] is True and f"after the deadline {old + 1}-06-15" in out["warnings"][0]
    row = cycle.compliance(reg.store, reg.bj, account="BJ-OP", year=old).iloc[0]
    assert row["surrendered_late_t"] == 80.0
    assert row["code"] == "C*"  # the emissions were entered after the deadline too (now), and changed after it


def test_within_one_jurisdiction_a_transfer_accepted_at_once_completes(reg: Registry) -> None:
    out = transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, serial_ranges=[[10, 19], [30, 30]], accept=True)
    assert out["state"] == "completed" and out["quantity"] == 11 and out["required_approvals"] == []
    assert held(reg.store)[("BJ-TR", BEA)] == (11, 0) and held(reg.store)[("BJ-OP", BEA)] == (489, 0)
    sound(reg.store)


def test_initiation_refuses_a_receiving_market_that_does_not_accept(reg: Registry) -> None:
    refused(
        reg,
        lambda: transfers.initiate(reg.store, reg.bj, "BJ-OP", "TJ-OP", BEA, quantity=100),
        InputError,
        "tianjin_pilot",
    )


def test_reject_and_cancel_free_the_reserved_units(reg: Registry) -> None:
    t = transfers.initiate(reg.store, reg.bj, "BJ-OP", "CD-TR", BEA, quantity=100)
    assert [a["market"] for a in t["required_approvals"]] == ["beijing_pilot", "hebei_emission_rights"]
    assert held(reg.store)[("BJ-OP", BEA)] == (400, 100)
    with pytest.raises(PermissionDeniedError):
        transfers.accept(reg.store, reg.tj, t["id"])  # Tianjin is neither side
    assert transfers.reject(reg.store, reg.hb, t["id"], reason="not agreed")["state"] == "rejected"
    assert held(reg.store)[("BJ-OP", BEA)] == (500, 0)
    with pytest.raises(ConflictError, match="cannot be 'accept'-ed"):
        transfers.accept(reg.store, reg.hb, t["id"])
    t2 = transfers.initiate(reg.store, reg.bj, "BJ-OP", "CD-TR", BEA, quantity=50)
    assert transfers.cancel(reg.store, reg.bj, t2["id"])["state"] == "cancelled"
    assert held(reg.store)[("BJ-OP", BEA)] == (500, 0)
    sound(reg.store)


def test_another_jurisdiction_may_not_move_an_account(reg: Registry) -> None:
    refused(
        reg,
        lambda: transfers.initiate(reg.store, reg.tj, "BJ-OP", "BJ-TR", BEA, quantity=1),
        PermissionDeniedError,
        "belongs to 北京",
    )
    refused(
        reg,
        lambda: service.cancel(reg.store, reg.tj, "BJ-OP", BEA, quantity=1, reason="x"),
        PermissionDeniedError,
        "cancel units",
    )


def test_retire_and_cancel_end_the_units_in_the_account(reg: Registry) -> None:
    service.retire(reg.store, reg.bj, "BJ-OP", BEA, quantity=10, reason="offsetting an event")
    service.cancel(reg.store, reg.bj, "BJ-OP", BEA, serial_ranges=[(100, 104)], reason="correction")
    with reg.store.read() as conn:
        h = cycle.holdings_frame(conn, ["BJ-OP"]).iloc[0]
    assert (h["held"], h["retired"], h["cancelled"]) == (485, 10, 5)
    sound(reg.store)


def test_banking_follows_the_rules(reg: Registry) -> None:
    op = reg.op  # the EU accounts and unit types of a replayed outside registry belong to the region
    registry.open_account(
        reg.store, op, "EU-OP", kind="operator_holding", name="eu", jurisdiction=None, market="eu_ets"
    )
    registry.register_unit_type(
        reg.store,
        op,
        UnitType("EUA-P2", UnitKind.ALLOWANCE, "eu_ets", standard="EUA", period="phase2"),
        jurisdiction=None,
    )
    service.issue(reg.store, op, "EUA-P2", 50, "EU-OP")
    out = service.bank(reg.store, op, "EU-OP", "EUA-P2", 20, to_period="phase3")
    assert out["detail"]["to_period"] == "phase3" and out["serials"] == [[1, 20]]
    refused(
        reg,
        lambda: service.bank(reg.store, op, "EU-OP", "EUA-P2", 5, to_period="phase1"),
        InputError,
        "no rule allows banking from phase2 into phase1",
    )
    registry.register_unit_type(
        reg.store,
        op,
        UnitType("EUA-P1", UnitKind.ALLOWANCE, "eu_ets", standard="EUA", period="phase1"),
        jurisdiction=None,
    )
    refused(
        reg,
        lambda: service.issue(reg.store, op, "EUA-P1", 5, "EU-OP"),
        InputError,
        "not accepted by the receiving market eu_ets phase3",
    )


def test_deadline_reminders_are_queued_once(reg: Registry) -> None:
    notify.subscribe(
        reg.store,
        reg.op,
        "https://eeb.beijing.gov.cn/hooks",
        jurisdiction="北京",
        events=["trading."],
        allow=["*.gov.cn"],
    )
    cycle.record_emissions(
        reg.store,
        reg.bj,
        [
            {
                "account": "BJ-OP",
                "year": YEAR,
                "verified_t": 600,
                "verifier": "v",
                "verified_on": date.today().isoformat(),
            }
        ],
    )
    sent = cycle.remind(reg.store, reg.bj, days=366)
    assert [(s["account"], s["year"], s["owed_t"], s["deadline"]) for s in sent] == [
        ("BJ-OP", YEAR, 600.0, f"{YEAR + 1}-06-15")
    ]
    assert cycle.remind(reg.store, reg.bj, days=366) == []
    with reg.store.read() as conn:
        events = [r.event for r in conn.execute(sa.select(outbox.c.event))]
    assert events.count("trading.deadline.approaching") == 1


def _race(reg: Registry, serials: tuple[int, int], receivers: tuple[str, str]) -> list[str]:
    """Two threads transfer the same serials from BJ-OP at the same moment; what each got."""
    barrier = threading.Barrier(len(receivers))
    results: list[str] = []

    def move(to: str) -> None:
        barrier.wait()
        try:
            transfers.initiate(reg.store, reg.bj, "BJ-OP", to, BEA, serial_ranges=[serials], accept=True)
            results.append("ok")
        except InputError as exc:
            results.append("refused: " + str(exc))

    threads = [threading.Thread(target=move, args=(to,)) for to in receivers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_concurrent_transfers_of_the_same_units_exactly_one_succeeds(reg: Registry) -> None:
    rounds = 3
    for i in range(rounds):
        results = sorted(_race(reg, (1 + 100 * i, 100 * (i + 1)), ("BJ-TR", "GOV-110000")))
        assert len(results) == 2 and results[0] == "ok"
        assert results[1].startswith("refused") and "not all held by account BJ-OP" in results[1]
    h = held(reg.store)
    assert h[("BJ-OP", BEA)] == (500 - 100 * rounds, 0)
    moved = h.get(("BJ-TR", BEA), (0, 0))[0] + h[("GOV-110000", BEA)][0] - 500  # the government kept 500
    assert moved == 100 * rounds
    sound(reg.store)


def test_the_same_client_key_sent_twice_at_once_moves_the_units_once(reg: Registry) -> None:
    barrier = threading.Barrier(2)
    answers: list[dict[str, Any]] = []

    def send() -> None:
        barrier.wait()
        answers.append(
            transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=30, accept=True, client_key="twice")
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == 2 and answers[0]["id"] == answers[1]["id"]
    assert sorted(bool(a.get("replayed")) for a in answers) == [False, True]
    assert held(reg.store)[("BJ-TR", BEA)] == (30, 0)
    sound(reg.store)
