"""Random sequences of registry operations through the service on the store (Hypothesis state machine),
on SQLite and PostgreSQL, with a bounded number of examples.

After every step, read back from the store: every unit type adds up to what was issued, no serial is in two
blocks, the holdings equal their blocks and a plain reference count, none is negative; every unit held in an
account of a market is of a type that market accepts; surrenders stayed within the caps of the market's
rules; units were banked only where the banking rows allow. A refused operation must be one the reference
model expects to be refused (more than held, a type the receiver does not accept, a cap, banking the rules
forbid) and changes nothing. Accounts, unit types and quantities are written for the test.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from xietong.errors import InputError
from xietong.exchange.bootstrap import operator
from xietong.store.session import Store
from xietong.trading import batch, ledger, registry, rules, service, transfers
from xietong.trading.enums import UnitKind
from xietong.trading.tables import trading_block, trading_holding, trading_operation
from xietong.trading.units import UnitType

pytestmark = pytest.mark.integration
YEAR = date.today().year

#: unit kinds: (suffix, kind, issuing market, standard, origin, period, issuer jurisdiction, government account)
UNITS = {
    "BEA": (UnitKind.ALLOWANCE, "beijing_pilot", "BEA", "beijing", None, "110000", "GOV-110000"),
    "TJEA": (UnitKind.ALLOWANCE, "tianjin_pilot", "TJEA", "tianjin", None, "120000", "GOV-120000"),
    "CCER": (UnitKind.OFFSET_CREDIT, "ccer", "CCER", "tianjin", None, "120000", "GOV-120000"),
    "EUA2": (UnitKind.ALLOWANCE, "eu_ets", "EUA", None, "phase2", None, None),
}
#: accounts: (jurisdiction, market); the EU account belongs to the region
ACCOUNTS = {
    "BJ-OP": ("110000", "beijing_pilot"),
    "BJ-TR": ("110000", None),
    "TJ-OP": ("120000", "tianjin_pilot"),
    "EU-OP": (None, "eu_ets"),
}


def machine(store: Store) -> type[RuleBasedStateMachine]:
    op = operator(store)

    class Registry(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            n = uuid.uuid4().hex[:8]  # each example has its own accounts and unit types in the one store
            self.u = {k: f"P{n}-{k}" for k in UNITS}
            self.a = {k: f"P{n}-{k}" for k in ACCOUNTS}
            self.units = {}
            for k, (kind, market, standard, origin, period, issuer, _) in UNITS.items():
                unit = UnitType(self.u[k], kind, market, standard=standard, origin=origin, period=period)
                registry.register_unit_type(store, op, unit, jurisdiction=issuer)
                self.units[k] = unit
            for k, (j, market) in ACCOUNTS.items():
                kind = "operator_holding" if market else "trading"
                registry.open_account(store, op, self.a[k], kind=kind, name=k, jurisdiction=j, market=market)
            self.issued: Counter[str] = Counter()
            self.held: Counter[tuple[str, str]] = Counter()  # (account code, unit code) → free held units
            self.allocated: Counter[str] = Counter()  # BJ-OP's allocation this year
            self.offsets_surrendered: Counter[str] = Counter()

        def holder(self, key: str) -> str:
            gov = UNITS[key][6]
            return gov if gov is not None else self.a["EU-OP"]

        def accepts(self, account: str, unit: str) -> bool:
            market = ACCOUNTS[account][1]
            return market is None or rules.load(market, "auto", on=date.today()).accepts(self.units[unit]) is not None

        def attempt(self, call: object, expect_ok: bool) -> dict[str, object] | None:
            before = self.snapshot()
            try:
                out = call()  # type: ignore[operator]
            except InputError:
                assert not expect_ok, "refused although the model allows it"
                assert self.snapshot() == before, "a refused operation changed the store"
                return None
            assert expect_ok, "done although the model refuses it"
            return out  # type: ignore[no-any-return]

        def snapshot(self) -> dict[tuple[str, str], tuple[int, int]]:
            codes = list(self.a.values()) + [g for *_, g in UNITS.values() if g]
            h = trading_holding
            with store.read() as conn:
                rows = conn.execute(
                    sa.select(h).where(h.c.account.in_(codes), h.c.unit_type.in_(list(self.u.values())))
                )
                return {(r.account, r.unit_type): (int(r.held), int(r.reserved)) for r in rows if r.held or r.reserved}

        @initialize(q=st.integers(50, 400))
        def start(self, q: int) -> None:
            for unit in UNITS:
                self.issue(unit, q)
            self.deliver("BEA", "BJ-OP", q // 2)
            self.deliver("CCER", "BJ-OP", q // 4)

        @rule(unit=st.sampled_from(sorted(UNITS)), q=st.integers(1, 400))
        def issue(self, unit: str, q: int) -> None:
            service.issue(store, op, self.u[unit], q, self.holder(unit))
            self.issued[self.u[unit]] += q
            self.held[(self.holder(unit), self.u[unit])] += q

        @rule(unit=st.sampled_from(sorted(UNITS)), to=st.sampled_from(sorted(ACCOUNTS)), q=st.integers(1, 150))
        def deliver(self, unit: str, to: str, q: int) -> None:
            src, u = self.holder(unit), self.u[unit]
            if src == self.a["EU-OP"] or self.a[to] == src:
                return
            ok = q <= self.held[(src, u)] and self.accepts(to, unit)
            out = self.attempt(
                lambda: service.allocate(store, op, u, q, from_account=src, to_account=self.a[to], year=YEAR), ok
            )
            if out is not None:
                self.held[(src, u)] -= q
                self.held[(self.a[to], u)] += q
                if to == "BJ-OP":
                    self.allocated[u] += q

        @rule(
            unit=st.sampled_from(sorted(UNITS)),
            src=st.sampled_from(["GOV", "GOV", "GOV", *sorted(ACCOUNTS)]),
            to=st.sampled_from(sorted(ACCOUNTS)),
            q=st.integers(1, 120),
            outcome=st.sampled_from(["approve", "reject"]),
        )
        def transfer(self, unit: str, src: str, to: str, q: int, outcome: str) -> None:
            u, b = self.u[unit], self.a[to]
            a = self.holder(unit) if src == "GOV" else self.a[src]
            if a == b:
                return
            ok = q <= self.held[(a, u)] and self.accepts(to, unit)
            out = self.attempt(lambda: transfers.initiate(store, op, a, b, u, quantity=q, accept=True), ok)
            if out is None:
                return
            self.held[(a, u)] -= q
            if out["state"] == "completed":
                self.held[(b, u)] += q
                return
            assert out["required_approvals"]
            if outcome == "reject":
                transfers.reject(store, op, int(out["id"]))  # type: ignore[call-overload]
                self.held[(a, u)] += q
                return
            for approval in out["required_approvals"]:  # type: ignore[attr-defined]
                last = transfers.approve(store, op, int(out["id"]), market=approval["market"])  # type: ignore[call-overload]
            assert last["state"] == "completed"
            self.held[(b, u)] += q

        def needs_approval(self, a: str, b: str) -> bool:
            with store.read() as conn:
                found = registry.get_accounts(conn, [a, b])
            return bool(transfers.required_approvals(found[a], found[b], date.today()))

        @rule(
            moves=st.lists(
                st.tuples(
                    st.sampled_from(sorted(UNITS)),
                    st.sampled_from(["GOV", "GOV", *sorted(ACCOUNTS)]),
                    st.sampled_from(sorted(ACCOUNTS)),
                    st.integers(1, 120),
                ),
                min_size=1,
                max_size=6,
            )
        )
        def transfer_batch(self, moves: list[tuple[str, str, str, int]]) -> None:
            """Transfers sent together (batch.initiate_many): each applies exactly when the model, applying
            them one after another, allows it; a refused one changes nothing (the invariants check)."""
            requests, expected = [], []
            for unit, src, to, q in moves:
                u, b = self.u[unit], self.a[to]
                a = self.holder(unit) if src == "GOV" else self.a[src]
                ok = a != b and q <= self.held[(a, u)] and self.accepts(to, unit) and not self.needs_approval(a, b)
                if ok:
                    self.held[(a, u)] -= q
                    self.held[(b, u)] += q
                requests.append({"from_account": a, "to_account": b, "unit_type": u, "quantity": q})
                expected.append(ok)
            out = batch.initiate_many(store, op, requests)
            assert [isinstance(r, dict) for r in out] == expected
            assert all(
                r["quantity"] == m[3] and r["state"] == "completed"
                for r, m in zip(out, moves, strict=True)
                if isinstance(r, dict)
            )
            assert all(isinstance(r, InputError) for r in out if not isinstance(r, dict))

        @rule(unit=st.sampled_from(["BEA", "CCER"]), q=st.integers(1, 60))
        def surrender(self, unit: str, q: int) -> None:
            u, acc = self.u[unit], self.a["BJ-OP"]
            cap = sum(self.allocated.values()) * 5 // 100  # Beijing: offsets at most 5 % of the year's allocation
            ccer_cap = sum(self.allocated.values()) * 25 // 1000  # out-of-Beijing CCER at most 2.5 %
            is_offset = unit == "CCER"
            within = not is_offset or (
                self.offsets_surrendered[acc] + q <= cap and self.offsets_surrendered[acc] + q <= ccer_cap
            )
            ok = q <= self.held[(acc, u)] and within
            out = self.attempt(lambda: service.surrender(store, op, acc, u, year=YEAR, quantity=q), ok)
            if out is not None:
                self.held[(acc, u)] -= q
                if is_offset:
                    self.offsets_surrendered[acc] += q

        @rule(q=st.integers(1, 40), to_period=st.sampled_from(["phase1", "phase3"]))
        def bank(self, q: int, to_period: str) -> None:
            acc, u = self.a["EU-OP"], self.u["EUA2"]
            allowed = to_period == "phase3"  # eu_ets rules: phase 2 → 3 allowed, nothing into phase 1
            self.attempt(
                lambda: service.bank(store, op, acc, u, q, to_period=to_period), allowed and q <= self.held[(acc, u)]
            )

        @invariant()
        def store_is_sound_and_matches_the_model(self) -> None:
            with store.read() as conn:
                assert ledger.check_store(conn) == []
                issued = dict(
                    conn.execute(
                        sa.select(sa.text("code"), sa.text("issued")).select_from(sa.text("trading_unit_type"))
                    ).all()
                )
                for code in self.u.values():
                    assert int(issued[code]) == self.issued[code]
            model = {k: (v, 0) for k, v in self.held.items() if v}
            assert self.snapshot() == model
            assert all(v >= 0 for v in self.held.values())

        @invariant()
        def held_units_are_accepted_by_their_account_market(self) -> None:
            b = trading_block
            with store.read() as conn:
                rows = conn.execute(
                    sa.select(b.c.account, b.c.unit_type)
                    .distinct()
                    .where(b.c.account.in_(list(self.a.values())), b.c.state == "held")
                ).all()
            names = {v: k for k, v in self.a.items()}
            units = {v: k for k, v in self.u.items()}
            for account, unit in rows:
                if unit in units:
                    assert self.accepts(names[account], units[unit]), (account, unit)

        @invariant()
        def surrenders_and_banking_obeyed_the_rules(self) -> None:
            o = trading_operation
            with store.read() as conn:
                offsets = conn.execute(
                    sa.select(sa.func.coalesce(sa.func.sum(o.c.quantity), 0)).where(
                        o.c.kind == "surrender", o.c.from_account == self.a["BJ-OP"], o.c.unit_type == self.u["CCER"]
                    )
                ).scalar_one()
                banked = [
                    r[0]
                    for r in conn.execute(
                        sa.select(o.c.detail).where(o.c.kind == "bank", o.c.from_account == self.a["EU-OP"])
                    )
                ]
            assert int(offsets) <= sum(self.allocated.values()) * 25 // 1000
            assert all('"to_period":"phase3"' in d for d in banked)

    return Registry


def test_random_operation_sequences_keep_the_registry_sound(store: Store) -> None:
    registry_machine = machine(store)
    registry_machine.TestCase.settings = settings(
        max_examples=12, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
    )
    registry_machine.TestCase().runTest()
