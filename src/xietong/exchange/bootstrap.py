"""Bring a store to a usable state: schema at head, reference data present.

Reference data are the 15 jurisdictions (from ``xietong/data/regions.toml``), the built-in operator
principal, the bundled list of CNEMC national-control stations in the region
(``xietong/data/cnemc_station_list_jjj.csv``, 136 stations) and the shipped Haihe river graph
(``xietong/data/water_sections_haihe.csv`` and ``water_links_haihe.csv``). Seeding is idempotent: stations that
already exist are never overwritten, so a jurisdiction's own corrections survive upgrades.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from xietong import region
from xietong.air.formats import SourceInfo, read_station_list
from xietong.config import Settings
from xietong.exchange import actions, audit_tree, notify
from xietong.exchange.principals import Principal, ensure_operator
from xietong.exchange.stations import upsert_stations
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import air_station, ingest_batch, jurisdiction
from xietong.water.service import seed_haihe

BUNDLED_STATIONS = "cnemc_station_list_jjj.csv"


@dataclass(frozen=True, slots=True)
class InitReport:
    revision_before: str | None
    revision_after: str
    jurisdictions_added: int
    stations_added: int
    water_sections_added: int = 0


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


def _seed_stations(store: Store, op: Principal) -> int:
    path = Path(str(resources.files("xietong.data").joinpath(BUNDLED_STATIONS)))
    records = read_station_list(path, SourceInfo(name=BUNDLED_STATIONS, size=None))
    with store.read() as conn:
        present = {r[0] for r in conn.execute(sa.select(air_station.c.code))}
    missing = [r for r in records if r.code not in present]
    if not missing:
        return 0
    with actions.audited_write(store, op, "air.stations.seed", BUNDLED_STATIONS) as work:
        now = utcnow()
        batch_id = work.conn.execute(
            ingest_batch.insert()
            .values(
                principal_id=op.id,
                dataset="air.stations",
                format="cnemc-stations",
                source=f"bundled:{BUNDLED_STATIONS}",
                sha256="",
                started_at=now,
                committed_at=now,
                summary="{}",
            )
            .returning(ingest_batch.c.id)
        ).scalar_one()
        counts, _ = upsert_stations(work.conn, op, missing, batch_id=int(batch_id), recorded_at=now)
        work.detail = {"stations": counts.as_dict()}
    return counts.written


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
    added_s = _seed_stations(store, op)
    added_w = seed_haihe(store, op)
    return InitReport(before, after, added_j, added_s, added_w)


def open_store(settings: Settings) -> Store:
    """Open the store for use by a command or the server.

    The embedded SQLite store initialises itself on first use; a PostgreSQL store must have been
    upgraded with ``xietong db upgrade`` (a :class:`~xietong.errors.StoreError` says so otherwise).
    """
    store = Store(settings)
    if settings.embedded:
        if store.current_revision() != store.head_revision():
            initialise(store)
    else:
        store.ensure_schema(auto_upgrade=False)
    return store


__all__ = ["InitReport", "initialise", "open_store", "operator"]
