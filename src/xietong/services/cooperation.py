"""Mutual recognition and partnerships in the store (reference data of the public-services domain).

* :func:`recognised` answers "is X issued by Y in jurisdiction A recognised in jurisdiction B on day D?"
  from the stored entries with the core's rule (:func:`xietong.services.recognition.is_recognised`), with
  the entry that answers it and its source.
* :func:`partnerships` attaches the rail travel time between the partners' cities, read through the
  platform's indicator registry (``transit.rail_travel_time_min``, published by the transport domain):
  this module imports no other domain.

Both are seeded from the bundled, sourced files (``data/SOURCES.md``) by :func:`xietong.services.registry.seed`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.errors import XietongError
from xietong.exchange.principals import Principal
from xietong.indicators import Context, default_registry
from xietong.services import partnerships as core_partnerships
from xietong.services import recognition as core_recognition
from xietong.services.common import check_limit
from xietong.services.tables import services_partnership, services_recognition_entry, services_recognition_version
from xietong.store.clock import utcnow
from xietong.store.session import Store

#: the indicator the transport domain publishes for rail travel times between two cities [min]
RAIL_TIME_INDICATOR = "transit.rail_travel_time_min"


def _bool(text: str) -> bool:
    return str(text).strip().lower() == "true"


def _int(text: str) -> int | None:
    return int(text) if str(text).strip().isdigit() else None


def seed_recognition(conn: Connection, now: dt.datetime) -> tuple[int, int]:
    versions = core_recognition.bundled_versions()
    present_v = {
        (r[0], r[1])
        for r in conn.execute(
            sa.select(services_recognition_version.c.catalogue, services_recognition_version.c.version)
        )
    }
    added_v = 0
    for r in versions.to_dict("records"):
        if (r["catalogue"], r["version"]) in present_v:
            continue
        conn.execute(
            services_recognition_version.insert().values(
                catalogue=r["catalogue"], version=r["version"], valid_from=r["valid_from"], itemised=_bool(r["itemised"]),
                items_total=_int(r["items_total"]), items_listed=_int(r["items_listed"]),
                institutions=_int(r["institutions"]), jurisdictions=r["jurisdictions"], source_url=r["source_url"],
                source_date=r["source_date"], note=r["note"], recorded_at=now,
            )
        )  # fmt: skip
        added_v += 1
    key = (
        services_recognition_entry.c.catalogue,
        services_recognition_entry.c.version,
        services_recognition_entry.c.item_key,
        services_recognition_entry.c.issuer,
    )
    present_e = {tuple(r) for r in conn.execute(sa.select(*key))}
    added_e = 0
    for r in core_recognition.raw_entries().to_dict("records"):
        if (r["catalogue"], r["version"], r["item_key"], r["issuer"]) in present_e:
            continue
        values = {c: r[c] for c in core_recognition.ENTRY_COLUMNS}
        conn.execute(
            services_recognition_entry.insert().values(**values, confirmed=_bool(r["confirmed"]), recorded_at=now)
        )
        added_e += 1
    return added_v, added_e


def seed_partnerships(conn: Connection, now: dt.datetime) -> int:
    present = {r[0] for r in conn.execute(sa.select(services_partnership.c.id))}
    added = 0
    columns = [c.name for c in services_partnership.columns if c.name != "recorded_at"]
    for r in core_partnerships.bundled_partnerships().to_dict("records"):
        if r["id"] in present:
            continue
        conn.execute(services_partnership.insert().values(**{c: str(r.get(c, "")) for c in columns}, recorded_at=now))
        added += 1
    return added


# -- recognition --------------------------------------------------------------------------------------


def recognition_entries(conn: Connection, catalogue: str | None = None) -> pd.DataFrame:
    """The stored entries as the frame :func:`xietong.services.recognition.load_entries` reads."""
    q = sa.select(services_recognition_entry).order_by(
        services_recognition_entry.c.catalogue,
        services_recognition_entry.c.version,
        services_recognition_entry.c.item_key,
    )
    if catalogue:
        q = q.where(services_recognition_entry.c.catalogue == catalogue)
    frame = pd.DataFrame(
        [r._asdict() for r in conn.execute(q)], columns=[c.name for c in services_recognition_entry.columns]
    )
    frame["confirmed"] = frame["confirmed"].map(lambda v: "true" if v else "false")
    return frame.drop(columns="recorded_at").astype(str)


def recognised(
    store: Store,
    principal: Principal,
    *,
    catalogue: str,
    item: str,
    issuer: str,
    issued_in: str,
    used_in: str,
    on: dt.date,
) -> dict[str, Any]:
    """Is ``item`` issued by ``issuer`` in ``issued_in`` recognised in ``used_in`` on ``on``? With the
    entry that answers it (and its source), or the reason it is not and the version consulted."""
    principal.require(Scope.READ, "query the recognition catalogues")
    issued = region.get(issued_in).code
    used = region.get(used_in).code
    with store.read() as conn:
        entries = core_recognition.load_entries(recognition_entries(conn))
        later = (
            conn.execute(
                sa.select(services_recognition_version.c.version).where(
                    services_recognition_version.c.catalogue == catalogue,
                    services_recognition_version.c.itemised.is_(False),
                )
            )
            .scalars()
            .all()
        )
    answer = core_recognition.is_recognised(
        catalogue=catalogue, item=item, issuer=issuer, issued_in=issued, used_in=used, on=on, entries=entries
    )
    out = answer.as_dict()
    out["query"] = {
        "catalogue": catalogue,
        "item": item,
        "issuer": issuer,
        "issued_in": issued,
        "used_in": used,
        "on": on.isoformat(),
    }
    if later:
        out["note"] = "later versions known but not itemised: " + ", ".join(later)
    return out


def list_recognition(
    store: Store, principal: Principal, *, catalogue: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    principal.require(Scope.READ, "read the recognition catalogues")
    with store.read() as conn:
        frame = recognition_entries(conn, catalogue)
    return [{str(k): v for k, v in r.items()} for r in frame.head(check_limit(limit)).to_dict("records")]


# -- partnerships -------------------------------------------------------------------------------------


def _rail_times(store: Store, principal: Principal, pairs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """``origin, destination, travel_time_min`` read through the indicator registry, and why pairs have none."""
    registry = default_registry()
    if RAIL_TIME_INDICATOR not in registry:
        return pd.DataFrame(columns=["origin", "destination", "travel_time_min"]), {
            "*": f"indicator {RAIL_TIME_INDICATOR} is not installed (the transport domain publishes it)"
        }
    indicator = registry.get(RAIL_TIME_INDICATOR)
    now = utcnow()

    def read(origin: str, destination: str) -> tuple[float | None, str]:
        try:
            params = indicator.normalise({"origin": origin, "destination": destination})
            reading = indicator.compute(Context(store, params, principal, now))
        except XietongError as exc:
            return None, exc.problem.describe()
        if reading.value is None:
            return None, str(reading.details.get("reason") or reading.details.get("note") or "no value")
        return float(reading.value), ""

    rows: list[dict[str, Any]] = []
    reasons: dict[str, str] = {}
    unique = pairs.loc[pairs["origin"] != pairs["destination"], ["origin", "destination"]].drop_duplicates()
    for a, b in unique.itertuples(index=False):
        value, why = read(a, b)
        if value is not None:
            rows.append({"origin": a, "destination": b, "travel_time_min": value})
            continue
        reverse, why_reverse = read(b, a)  # the core marks the use of the reverse "b to a (reverse)"
        if reverse is None:
            reasons[f"{a}-{b}"] = why if why == why_reverse else f"{why}; reverse: {why_reverse}"
        else:
            rows.append({"origin": b, "destination": a, "travel_time_min": reverse})
    return pd.DataFrame(rows, columns=["origin", "destination", "travel_time_min"]), reasons


def partnerships(
    store: Store, principal: Principal, *, kind: str | None = None, travel_time: bool = True
) -> list[dict[str, Any]]:
    """Partnerships, one row per pair of partner cities, with ``travel_time_min`` [min] between them
    (fastest scheduled rail journey, from the transport domain's indicator; NaN → ``None`` when there is
    no reading, and ``travel_time_basis`` says why)."""
    principal.require(Scope.READ, "read the partnerships")
    q = sa.select(services_partnership).order_by(services_partnership.c.id)
    if kind:
        q = q.where(services_partnership.c.kind == kind)
    with store.read() as conn:
        frame = pd.DataFrame(
            [r._asdict() for r in conn.execute(q)], columns=[c.name for c in services_partnership.columns]
        )
    frame = frame.drop(columns="recorded_at")
    pairs = core_partnerships.city_pairs(frame)
    if not travel_time or pairs.empty:
        return [{str(k): v for k, v in r.items()} for r in pairs.to_dict("records")]
    times, reasons = _rail_times(store, principal, pairs)
    out = core_partnerships.attach_travel_time(frame, times)
    records: list[dict[str, Any]] = []
    for rec in out.to_dict("records"):
        r = {str(k): v for k, v in rec.items()}
        value = r["travel_time_min"]
        r["travel_time_min"] = None if pd.isna(value) else float(value)
        if r["travel_time_min"] is None:
            why = (
                reasons.get(f"{r['origin']}-{r['destination']}")
                or reasons.get(f"{r['destination']}-{r['origin']}")
                or reasons.get("*")
            )
            r["travel_time_basis"] = f"no reading: {why}" if why else "no reading"
        records.append(r)
    return records


__all__ = [
    "RAIL_TIME_INDICATOR",
    "list_recognition",
    "partnerships",
    "recognised",
    "recognition_entries",
    "seed_partnerships",
    "seed_recognition",
]
