"""Many transfers in one transaction (:func:`xietong.trading.batch.initiate_many`), on SQLite and PostgreSQL:
the same outcome as sending the requests one after another to ``transfers.initiate(..., accept=True)``,
refused requests answered by their error without failing their batch-mates, one audit entry per request
(the chain verifies), client keys honoured, and two concurrent batches of the same units: exactly one moves.

Accounts, unit types and quantities are written for the test (the fixture of ``test_trading_service``).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa

from tests.integration.test_trading_service import BEA, YEAR, Registry, held, n_operations, reg, sound
from xietong.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError, XietongError
from xietong.exchange import actions, audit
from xietong.store.tables import audit_log
from xietong.trading import batch, registry, service, transfers
from xietong.trading.enums import UnitKind
from xietong.trading.tables import trading_block, trading_movement
from xietong.trading.units import UnitType

pytestmark = pytest.mark.integration
__all__ = ["reg"]  # the fixture, used by name
BEB = f"BEB-{YEAR}"

#: (from, to, quantity or serial ranges): good ones, and every kind of refusal, in between
REQUESTS: list[tuple[str, str, int | list[list[int]]]] = [
    ("BJ-OP", "BJ-TR", 40),
    ("BJ-TR", "GOV-110000", 15),
    ("BJ-OP", "BJ-TR", [[100, 109], [120, 120]]),
    ("BJ-OP", "BJ-TR", 10_000),  # more than held
    ("BJ-OP", "BJ-OP", 5),  # the same account
    ("BJ-OP", "TJ-OP", 5),  # Tianjin's market does not take Beijing allowances
    ("GOV-110000", "BJ-TR", 30),
    ("BJ-TR", "BJ-OP", 60),  # takes blocks that arrived earlier in the batch
    ("NOPE", "BJ-TR", 1),  # no such account
    ("BJ-OP", "BJ-TR", 0),  # not a positive quantity
    ("BJ-OP", "BJ-TR", [[990, 1000]]),  # serials the government account holds
    ("BJ-TR", "BJ-OP", 1),
]


def _request(unit: str, src: str, to: str, what: int | list[list[int]]) -> dict[str, Any]:
    size = {"quantity": what} if isinstance(what, int) else {"serials": what}
    return {"from_account": src, "to_account": to, "unit_type": unit, **size}


def _one(reg: Registry, r: dict[str, Any]) -> dict[str, Any] | XietongError:
    try:
        return transfers.initiate(
            reg.store,
            reg.bj,
            r["from_account"],
            r["to_account"],
            r["unit_type"],
            quantity=r.get("quantity"),
            serial_ranges=r.get("serials"),
            accept=True,
        )
    except XietongError as exc:
        return exc


def _outcome(answer: dict[str, Any] | XietongError, unit: str) -> object:
    if isinstance(answer, XietongError):
        return type(answer).__name__, str(answer).replace(unit, "UNIT")
    return answer["state"], answer["quantity"], answer["serials"], answer["from_account"], answer["to_account"]


def _stored(reg: Registry, unit: str, op_index: dict[int, int]) -> tuple[object, object]:
    """The unit type's blocks (with the request that created each) and movements, as stored."""
    b, m = trading_block, trading_movement
    with reg.store.read() as conn:
        blocks = conn.execute(
            sa.select(b.c.account, b.c.first_serial, b.c.last_serial, b.c.state, b.c.operation_id)
            .where(b.c.unit_type == unit)
            .order_by(b.c.first_serial)
        ).all()
        moves = conn.execute(
            sa.select(m.c.operation_id, m.c.first_serial, m.c.last_serial, m.c.from_account, m.c.to_account)
            .where(m.c.unit_type == unit)
            .order_by(m.c.id)
        ).all()
    return (
        [(a, f, la, s, op_index.get(o, "setup")) for a, f, la, s, o in blocks],
        [(op_index.get(o, "setup"), f, la, fr, to) for o, f, la, fr, to in moves],
    )


def test_a_batch_ends_exactly_as_the_same_transfers_sent_one_by_one(reg: Registry) -> None:
    registry.register_unit_type(
        reg.store, reg.bj, UnitType(BEB, UnitKind.ALLOWANCE, "beijing_pilot", standard="BEA"), jurisdiction="北京"
    )
    service.issue(reg.store, reg.bj, BEB, 1000, "GOV-110000")  # the same serials and holders as BEA
    service.allocate(reg.store, reg.bj, BEB, 500, from_account="GOV-110000", to_account="BJ-OP", year=YEAR)

    one_by_one = [_one(reg, _request(BEA, *r)) for r in REQUESTS]
    together = batch.initiate_many(reg.store, reg.bj, [_request(BEB, *r) for r in REQUESTS])

    assert [_outcome(a, BEA) for a in one_by_one] == [_outcome(a, BEB) for a in together]
    assert [isinstance(a, XietongError) for a in together] == [False, False, False, True, True, True, False, False,
                                                              True, True, True, False]  # fmt: skip
    assert isinstance(together[3], InputError) and "fewer than the 10000 asked for" in str(together[3])
    assert isinstance(together[8], NotFoundError)
    index_a = {a["id"]: i for i, a in enumerate(one_by_one) if isinstance(a, dict)}
    index_b = {a["id"]: i for i, a in enumerate(together) if isinstance(a, dict)}
    assert _stored(reg, BEA, index_a) == _stored(reg, BEB, index_b)
    h = held(reg.store)
    assert {k[0]: v for k, v in h.items() if k[1] == BEA} == {k[0]: v for k, v in h.items() if k[1] == BEB}
    sound(reg.store)


def test_each_request_has_its_audit_entry_and_the_chain_verifies(reg: Registry) -> None:
    with reg.store.read() as conn:
        before = int(conn.execute(sa.select(sa.func.max(audit_log.c.seq))).scalar_one())
    out = batch.initiate_many(
        reg.store,
        reg.tj,  # Tianjin may move Tianjin's units but not Beijing's
        [_request(f"TJEA-{YEAR}", "GOV-120000", "TJ-OP", 10), _request(BEA, "BJ-OP", "BJ-TR", 10)],
    )
    assert isinstance(out[0], dict) and isinstance(out[1], PermissionDeniedError)
    with reg.store.read() as conn:
        rows = conn.execute(
            sa.select(audit_log.c.action, audit_log.c.outcome, audit_log.c.target)
            .where(audit_log.c.seq > before)
            .order_by(audit_log.c.seq)
        ).all()
        result = audit.verify(conn, public_key=actions.audit_key(reg.store).public_key)
    assert [tuple(r) for r in rows] == [
        ("trading.transfer", "ok", f"operation {out[0]['id']}"),
        ("trading.transfer", "denied", "BJ-OP → BJ-TR"),
    ]
    assert result.ok and result.signed_size == result.head_seq


def test_a_transfer_that_needs_approval_is_refused_in_a_batch_and_the_rest_applies(reg: Registry) -> None:
    before = held(reg.store)
    out = batch.initiate_many(  # the region's operator acts for both sides
        reg.store, reg.op, [_request(BEA, "BJ-OP", "CD-TR", 100), _request(BEA, "BJ-OP", "BJ-TR", 100)]
    )
    assert isinstance(out[0], InputError) and "needs approval" in str(out[0])
    assert isinstance(out[1], dict) and out[1]["state"] == "completed"
    assert held(reg.store)[("BJ-OP", BEA)] == (before[("BJ-OP", BEA)][0] - 100, 0)
    assert ("CD-TR", BEA) not in held(reg.store)
    sound(reg.store)


def test_client_keys_in_a_batch_replay_or_conflict_as_one_by_one(reg: Registry) -> None:
    first = transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=40, accept=True, client_key="k1")
    ops = n_operations(reg.store)
    out = batch.initiate_many(
        reg.store,
        reg.bj,
        [
            _request(BEA, "BJ-OP", "BJ-TR", 40) | {"client_key": "k1"},  # sent before: the first answer again
            _request(BEA, "BJ-OP", "BJ-TR", 41) | {"client_key": "k1"},  # the same key, other content
            _request(BEA, "BJ-OP", "BJ-TR", 7) | {"client_key": "k2"},
            _request(BEA, "BJ-OP", "BJ-TR", 7) | {"client_key": "k2"},  # twice in the batch: applied once
            _request(BEA, "BJ-OP", "BJ-TR", 8) | {"client_key": "k2"},
        ],
    )
    assert isinstance(out[0], dict) and out[0]["replayed"] is True and out[0]["id"] == first["id"]
    assert isinstance(out[1], ConflictError) and isinstance(out[4], ConflictError)
    assert isinstance(out[2], dict) and isinstance(out[3], dict)
    assert out[3]["id"] == out[2]["id"] and out[3]["replayed"] is True and "replayed" not in out[2]
    assert n_operations(reg.store) == ops + 1
    again = transfers.initiate(reg.store, reg.bj, "BJ-OP", "BJ-TR", BEA, quantity=7, accept=True, client_key="k2")
    assert again["id"] == out[2]["id"] and again["serials"] == out[2]["serials"] and again["replayed"] is True
    assert held(reg.store)[("BJ-TR", BEA)] == (47, 0)
    sound(reg.store)


def _race(reg: Registry, serials: list[list[int]], receivers: tuple[str, str]) -> list[object]:
    """Two threads send a batch moving the same serials from BJ-OP at the same moment; what each got."""
    barrier = threading.Barrier(len(receivers))
    results: list[object] = []

    def send(to: str) -> None:
        barrier.wait()
        request = {"from_account": "BJ-OP", "to_account": to, "unit_type": BEA, "serials": serials}
        results.append(batch.initiate_many(reg.store, reg.bj, [request])[0])

    threads = [threading.Thread(target=send, args=(to,)) for to in receivers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_concurrent_batches_of_the_same_units_exactly_one_moves_them(reg: Registry) -> None:
    for i in range(3):
        results = _race(reg, [[1 + 100 * i, 100 * (i + 1)]], ("BJ-TR", "GOV-110000"))
        assert sorted(isinstance(r, dict) for r in results) == [False, True]
        assert any(isinstance(r, InputError) and "not all held by account BJ-OP" in str(r) for r in results)
    assert held(reg.store)[("BJ-OP", BEA)] == (200, 0)
    sound(reg.store)
