"""Bring a store to a usable state: schema at head on every branch, reference data present.

The platform's reference data are the 15 jurisdictions (from ``xietong/data/regions.toml``) and the
built-in operator principal; each installed domain then seeds its own through the domain contract (the air
domain the bundled CNEMC stations of the region, the water domain the Haihe river graph …). Seeding is
idempotent: records that already exist are never overwritten, so a jurisdiction's own corrections survive
upgrades.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from xietong import domains, region
from xietong.config import Settings
from xietong.exchange import actions, audit_tree, notify
from xietong.exchange.principals import Principal, ensure_operator
from xietong.store.session import Store
from xietong.store.tables import jurisdiction


@dataclass(frozen=True, slots=True)
class InitReport:
    """What :func:`initialise` did: the schema before and after, and what each seed added."""

    revision_before: str | None
    revision_after: str
    jurisdictions_added: int
    #: ``{"stations added": 136, "water sections added": 139, …}`` in domain order
    seeded: dict[str, int] = field(default_factory=dict)

    def describe(self) -> str:
        parts = [f"schema {self.revision_before or 'empty'} -> {self.revision_after}"]
        parts.append(f"jurisdictions added {self.jurisdictions_added}")
        parts += [f"{what} {n}" for what, n in self.seeded.items()]
        return "; ".join(parts)


def _seed_jurisdictions(store: Store) -> int:
    added = 0
    with store.write() as conn:
        present = {r.code: r for r in conn.execute(sa.select(jurisdiction))}
        ordered = sorted(region.jurisdictions(), key=lambda r: (r.parent is not None, r.code))
        for r in ordered:
            values = {
                "name_zh": r.name_zh,
                "name_en": r.name_en,
                "level": r.level.value,
                "parent_code": r.parent,
                "lon": r.lon,
                "lat": r.lat,
            }
            old = present.get(r.code)
            if old is None:
                conn.execute(jurisdiction.insert().values(code=r.code, **values))
                added += 1
            elif any(getattr(old, k) != v for k, v in values.items()):
                conn.execute(jurisdiction.update().where(jurisdiction.c.code == r.code).values(**values))
    return added


def operator(store: Store) -> Principal:
    """The region-level operator principal the CLI acts as when it works on the store directly."""
    with store.write() as conn:
        return ensure_operator(conn)


def _first_use_of_keys(store: Store) -> None:
    """Sign the audit head of a log migrated from before signed heads, and encrypt webhook secrets stored in
    plain text before migration 0005 (both need the key files outside the store, which migrations do not read)."""
    key = actions.audit_key(store)
    with store.write() as conn:
        audit_tree.seal(conn, key)
    notify.encrypt_stored_secrets(store)


def initialise(store: Store) -> InitReport:
    """Migrate to head and seed the reference data (safe to run any number of times)."""
    before, after = store.upgrade()
    _first_use_of_keys(store)
    added_j = _seed_jurisdictions(store)
    op = operator(store)
    seeded: dict[str, int] = {}
    for _name, seed in domains.seeds():
        seeded.update(seed(store, op))
    return InitReport(before, after, added_j, seeded)


def open_store(settings: Settings) -> Store:
    """Open the store for use by a command or the server.

    The embedded SQLite store initialises itself on first use; a PostgreSQL store must have been
    upgraded with ``xietong db upgrade`` (a :class:`~xietong.errors.StoreError` says so otherwise).
    """
    store = Store(settings)
    if settings.embedded:
        if not store.at_head():
            initialise(store)
    else:
        store.ensure_schema(auto_upgrade=False)
    return store


__all__ = ["InitReport", "initialise", "open_store", "operator"]
