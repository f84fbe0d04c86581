"""Reference data of the air domain: the bundled CNEMC national-control stations of the region.

``xietong/data/cnemc_station_list_jjj.csv`` (136 stations, CNEMC public information; see NOTICE). Run by
``xietong db upgrade`` through the domain contract; idempotent: stations that already exist are never
overwritten, so a jurisdiction's own corrections survive upgrades.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import sqlalchemy as sa

from xietong.air.formats import SourceInfo, read_station_list
from xietong.air.service import station_records
from xietong.air.stations import upsert_stations
from xietong.air.tables import air_station
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import ingest_batch

BUNDLED_STATIONS = "cnemc_station_list_jjj.csv"


def seed(store: Store, operator: Principal) -> dict[str, int]:
    """Register the bundled stations that the store does not hold yet; ``{"stations added": n}``."""
    path = Path(str(resources.files("xietong.data").joinpath(BUNDLED_STATIONS)))
    records = station_records(read_station_list(path, SourceInfo(name=BUNDLED_STATIONS, size=None)))
    with store.read() as conn:
        present = {r[0] for r in conn.execute(sa.select(air_station.c.code))}
    missing = [r for r in records if r.code not in present]
    if not missing:
        return {"stations added": 0}
    with actions.audited_write(store, operator, "air.stations.seed", BUNDLED_STATIONS) as work:
        now = utcnow()
        batch_id = work.conn.execute(
            ingest_batch.insert()
            .values(
                principal_id=operator.id,
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
        counts, _ = upsert_stations(work.conn, operator, missing, batch_id=int(batch_id), recorded_at=now)
        work.detail = {"stations": counts.as_dict()}
    return {"stations added": counts.written}


__all__ = ["BUNDLED_STATIONS", "seed"]
