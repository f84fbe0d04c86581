"""The water section registry and the river graph on the store: sections and links published by their
owners with revisions, the bundled Haihe seed, reads as of a time, and downstream traversals (the service
layer's entry point is :mod:`xietong.water.service`; ownership and revision rules are described there)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Location, NotFoundError, PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.counts import WriteCounts
from xietong.exchange.principals import Principal
from xietong.inputs import json_shape, read_csv_text, read_json_file
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import ingest_batch
from xietong.water.domain import WaterScope
from xietong.water.enums import WaterClass
from xietong.water.network import (
    RiverNetwork,
    build_network,
    downstream,
    validate_links,
    validate_sections,
)
from xietong.water.tables import (
    water_link,
    water_link_history,
    water_section,
    water_section_history,
)

BUNDLED_SECTIONS = "water_sections_haihe.csv"


BUNDLED_LINKS = "water_links_haihe.csv"


MAX_PROBLEMS_KEPT = 200


#: section attributes kept per revision (store column names)
SECTION_ATTRS = (
    "name", "river", "basin", "province", "city", "jurisdiction_code", "waterbody", "target_class",
    "target_class_assumed", "lon", "lat", "cross_border", "from_jurisdiction", "to_jurisdiction", "note",
)  # fmt: skip


LINK_ATTRS = ("river", "kind", "distance_km", "velocity_m_s", "approximate", "estimate")


#: the section table as the pure core names its columns
SECTION_FRAME_COLUMNS = (
    "code", "name", "river", "basin", "province", "city", "jurisdiction", "waterbody", "target_class",
    "target_class_assumed", "lon", "lat", "cross_border", "from_jurisdiction", "to_jurisdiction", "note",
)  # fmt: skip


LINK_FRAME_COLUMNS = (
    "from_section", "to_section", "river", "kind", "distance_km", "velocity_m_s", "approximate", "estimate",
)  # fmt: skip


#: What a write did: records read, written (new + revised), unchanged, revised, rejected.
Counts = WriteCounts


def may_publish(principal: Principal, jurisdiction_code: str) -> bool:
    """Whether ``principal`` may publish for a section owned by ``jurisdiction_code``.

    Jurisdictions of the exchange publish their own (and, for Hebei, its cities'); codes outside the
    exchange (Shanxi, Henan, Shandong …) are kept by region-level administrators.
    """
    known = region.find(jurisdiction_code)
    if known is None or not known.jurisdiction:
        return principal.jurisdiction is None and Scope.ADMIN in principal.scopes
    return principal.may_act_for(jurisdiction_code)


def jurisdiction_label(code: str | None) -> str:
    """``"120000 天津市"`` for a jurisdiction, the bare code for places outside the exchange."""
    if not code:
        return ""
    found = region.find(code)
    return f"{code} {found.name_zh}" if found is not None else code


def refuse_owner(principal: Principal, what: str, owner: str) -> PermissionDeniedError:
    where = region.display_name(principal.jurisdiction) if principal.jurisdiction else "the region"
    return PermissionDeniedError(
        f"{principal.describe()} may not publish {what}",
        expected=f"a principal of {jurisdiction_label(owner)} (the owner) or a region-level administrator",
        given=f"a principal of {where}",
        hint="each jurisdiction publishes its own sections, links and samples",
    )


def open_batch(conn: Connection, principal: Principal, dataset: str, fmt: str, source: str, now: datetime) -> int:
    return int(
        conn.execute(
            ingest_batch.insert()
            .values(
                principal_id=principal.id,
                dataset=dataset,
                format=fmt,
                source=source[-300:],
                sha256="",
                started_at=now,
                committed_at=now,
                summary="{}",
            )
            .returning(ingest_batch.c.id)
        ).scalar_one()
    )


def finish_batch(conn: Connection, batch_id: int, sha256: str, summary: dict[str, Any]) -> None:
    conn.execute(
        ingest_batch.update()
        .where(ingest_batch.c.id == batch_id)
        .values(sha256=sha256, committed_at=utcnow(), summary=json.dumps(summary, ensure_ascii=False))
    )


def _none_if_nan(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _section_values(row: pd.Series) -> dict[str, Any]:
    target = row["target_class"]
    return {
        "name": str(row["name"]),
        "river": str(row["river"]),
        "basin": str(row["basin"]),
        "province": str(row["province"]),
        "city": str(row["city"]),
        "jurisdiction_code": str(row["jurisdiction"]),
        "waterbody": str(row["waterbody"]),
        "target_class": WaterClass(target).value if target is not None else None,
        "target_class_assumed": bool(row["target_class_assumed"]),
        "lon": _none_if_nan(float(row["lon"])),
        "lat": _none_if_nan(float(row["lat"])),
        "cross_border": bool(row["cross_border"]),
        "from_jurisdiction": row["from_jurisdiction"] or None,
        "to_jurisdiction": row["to_jurisdiction"] or None,
        "note": str(row["note"]),
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def _versioned_upsert(
    conn: Connection,
    current: sa.Table,
    history: sa.Table,
    keys: dict[str, Any],
    values: dict[str, Any],
    attrs: Sequence[str],
    *,
    batch_id: int | None,
    now: datetime,
) -> str:
    """Insert, keep or revise one record of a system-versioned pair; returns new, unchanged or revised."""
    where = sa.and_(*(current.c[k] == v for k, v in keys.items()))
    old = conn.execute(sa.select(current).where(where)).first()
    if old is None:
        conn.execute(current.insert().values(**keys, **values, revision=1, batch_id=batch_id, recorded_at=now))
        return "new"
    if all(_same(getattr(old, k), values[k]) for k in attrs):
        return "unchanged"
    conn.execute(
        history.insert().values(
            **keys,
            **{k: getattr(old, k) for k in attrs},
            revision=old.revision,
            batch_id=old.batch_id,
            recorded_at=old.recorded_at,
            superseded_at=now,
        )
    )
    conn.execute(
        current.update().where(where).values(**values, revision=old.revision + 1, batch_id=batch_id, recorded_at=now)
    )
    return "revised"


def _count(counts: Counts, outcome: str) -> None:
    counts.read += 1
    if outcome == "unchanged":
        counts.unchanged += 1
    else:
        counts.written += 1
        counts.revised += outcome == "revised"


def write_sections(
    conn: Connection, principal: Principal, frame: pd.DataFrame, *, batch_id: int | None, now: datetime, source: str
) -> Counts:
    """Validate and write a sections table (frame of text) inside the caller's transaction."""
    counts = Counts()
    if frame.empty:
        return counts
    parsed, problems = validate_sections(frame, source)
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problem(s) in the sections; nothing was written")
    existing = {
        r.code: r.jurisdiction_code
        for r in conn.execute(
            sa.select(water_section.c.code, water_section.c.jurisdiction_code).where(
                water_section.c.code.in_(parsed["code"].tolist())
            )
        )
    }
    for _, row in parsed.iterrows():
        code = str(row["code"])
        values = _section_values(row)
        for owner in {values["jurisdiction_code"], existing.get(code) or values["jurisdiction_code"]}:
            if not may_publish(principal, owner):
                raise refuse_owner(principal, f"section {code}", owner)
        _count(
            counts,
            _versioned_upsert(
                conn, water_section, water_section_history, {"code": code}, values, SECTION_ATTRS,
                batch_id=batch_id, now=now,
            ),
        )  # fmt: skip
    return counts


def write_links(
    conn: Connection, principal: Principal, frame: pd.DataFrame, *, batch_id: int | None, now: datetime, source: str
) -> Counts:
    """Validate and write links (frame of text) inside the caller's transaction. A link belongs to the
    owner of its upstream section (``from_section``)."""
    counts = Counts()
    if frame.empty:
        return counts
    owners = {
        r.code: r.jurisdiction_code
        for r in conn.execute(sa.select(water_section.c.code, water_section.c.jurisdiction_code))
    }
    parsed, problems = validate_links(frame, owners, source)
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problem(s) in the links; nothing was written")
    for _, row in parsed.iterrows():
        a, b = str(row["from_section"]), str(row["to_section"])
        if not may_publish(principal, owners[a]):
            raise refuse_owner(principal, f"the link {a} -> {b}", owners[a])
        values = {
            "river": str(row["river"]),
            "kind": str(row["kind"]),
            "distance_km": float(row["distance_km"]),
            "velocity_m_s": float(row["velocity_m_s"]),
            "approximate": bool(row["approximate"]),
            "estimate": str(row["estimate"]),
        }
        _count(
            counts,
            _versioned_upsert(
                conn, water_link, water_link_history, {"from_section": a, "to_section": b}, values, LINK_ATTRS,
                batch_id=batch_id, now=now,
            ),
        )  # fmt: skip
    return counts


def _read_table(source: pd.DataFrame | Path | Sequence[dict[str, Any]]) -> tuple[pd.DataFrame, str]:
    if isinstance(source, pd.DataFrame):
        return source, "request"
    if isinstance(source, Path):
        if source.suffix.lower() == ".json":
            data = read_json_file(source, expected='an array of rows, or {"sections": [...]} / {"links": [...]}')
            rows = data.get("sections") or data.get("links") if isinstance(data, dict) else data
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                raise InputError(
                    "unexpected JSON shape",
                    expected='an array of objects, or {"sections": [...]} / {"links": [...]}',
                    given=json_shape(data),
                    where=Location(str(source)),
                )
            return pd.DataFrame(rows), str(source)
        return read_csv_text(source, dtype=str, keep_default_na=False), str(source)
    return pd.DataFrame(list(source)), "request"


def publish_sections(
    store: Store, principal: Principal, source: pd.DataFrame | Path | Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Publish sections (CSV/JSON file, records or a frame with the columns of ``water_sections_haihe.csv``)."""
    frame, name = _read_table(source)
    with actions.audited_write(store, principal, "water.sections.publish", f"sections {Path(name).name}") as work:
        principal.require(WaterScope.PUBLISH, "publish water-quality sections")
        now = utcnow()
        batch_id = open_batch(work.conn, principal, "water.sections", "csv", name, now)
        counts = write_sections(work.conn, principal, frame, batch_id=batch_id, now=now, source=name)
        finish_batch(work.conn, batch_id, "", counts.as_dict())
        work.target = f"batch {batch_id}"
        work.detail = {"source": Path(name).name, **counts.as_dict()}
    return {"batch_id": batch_id, **counts.as_dict()}


def publish_links(
    store: Store, principal: Principal, source: pd.DataFrame | Path | Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Publish links (CSV/JSON file, records or a frame with the columns of ``water_links_haihe.csv``)."""
    frame, name = _read_table(source)
    with actions.audited_write(store, principal, "water.links.publish", f"links {Path(name).name}") as work:
        principal.require(WaterScope.PUBLISH, "publish river-graph links")
        now = utcnow()
        batch_id = open_batch(work.conn, principal, "water.links", "csv", name, now)
        counts = write_links(work.conn, principal, frame, batch_id=batch_id, now=now, source=name)
        finish_batch(work.conn, batch_id, "", counts.as_dict())
        work.target = f"batch {batch_id}"
        work.detail = {"source": Path(name).name, **counts.as_dict()}
    return {"batch_id": batch_id, **counts.as_dict()}


def _bundled(name: str) -> pd.DataFrame:
    text = resources.files("xietong.data").joinpath(name).read_text("utf-8")
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def seed(store: Store, operator: Principal) -> dict[str, int]:
    """The water domain's reference data (run by ``xietong db upgrade`` through the domain contract)."""
    return {"water sections added": seed_haihe(store, operator)}


def seed_haihe(store: Store, operator: Principal) -> int:
    """Load the shipped Haihe graph (sections and links) into an empty registry; returns sections added.

    Idempotent and conservative like the station seed: sections and links already present are never
    overwritten, so a jurisdiction's own corrections survive upgrades.
    """
    with store.read() as conn:
        have_sections = {r[0] for r in conn.execute(sa.select(water_section.c.code))}
        have_links = {(r[0], r[1]) for r in conn.execute(sa.select(water_link.c.from_section, water_link.c.to_section))}
    sections = _bundled(BUNDLED_SECTIONS)
    links = _bundled(BUNDLED_LINKS)
    sections = sections[~sections["code"].isin(have_sections)]
    links = links[[(a, b) not in have_links for a, b in zip(links["from_section"], links["to_section"], strict=True)]]
    if sections.empty and links.empty:
        return 0
    with actions.audited_write(store, operator, "water.graph.seed", BUNDLED_SECTIONS) as work:
        now = utcnow()
        batch_id = open_batch(work.conn, operator, "water.graph", "bundled", f"bundled:{BUNDLED_SECTIONS}", now)
        s = write_sections(work.conn, operator, sections, batch_id=batch_id, now=now, source=BUNDLED_SECTIONS)
        lk = write_links(work.conn, operator, links, batch_id=batch_id, now=now, source=BUNDLED_LINKS)
        finish_batch(work.conn, batch_id, "", {"sections": s.as_dict(), "links": lk.as_dict()})
        work.detail = {"sections": s.as_dict(), "links": lk.as_dict()}
    return s.written


def _as_of_rows(conn: Connection, current: sa.Table, history: sa.Table, as_of: datetime | None) -> list[dict[str, Any]]:
    if as_of is None:
        return [dict(r._mapping) for r in conn.execute(sa.select(current))]
    cols = [c.name for c in current.c]
    now_rows = conn.execute(sa.select(current).where(current.c.recorded_at <= as_of))
    old_rows = conn.execute(
        sa.select(*[history.c[c] for c in cols]).where(history.c.recorded_at <= as_of, history.c.superseded_at > as_of)
    )
    return [dict(r._mapping) for r in now_rows] + [dict(r._mapping) for r in old_rows]


def aware_or_none(value: datetime | None, name: str) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise InputError(f"{name}: time without a time zone", expected="ISO 8601 with an offset", given=str(value))
    return value


def sections_frame(
    conn: Connection,
    *,
    as_of: datetime | None = None,
    jurisdiction: str | None = None,
    river: str | None = None,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Sections as published (``as_of``: as they were then), ordered by code, with ``revision`` and
    ``recorded_at``; columns named as in the pure core (``jurisdiction``, not ``jurisdiction_code``)."""
    rows = _as_of_rows(conn, water_section, water_section_history, aware_or_none(as_of, "as_of"))
    frame = pd.DataFrame(rows, columns=["code", *SECTION_ATTRS, "revision", "batch_id", "recorded_at"])
    frame = frame.rename(columns={"jurisdiction_code": "jurisdiction"}).drop(columns="batch_id")
    if jurisdiction:
        code = region.get(jurisdiction).code
        frame = frame[[region.find(j) is not None and region.is_within(j, code) for j in frame["jurisdiction"]]]
    if river:
        frame = frame[frame["river"] == river]
    if codes is not None:
        frame = frame[frame["code"].isin(set(codes))]
    return frame.sort_values("code").reset_index(drop=True)


def links_frame(conn: Connection, *, as_of: datetime | None = None, section: str | None = None) -> pd.DataFrame:
    """Links as published (``as_of``: as they were then), with ``travel_time_h`` [h]."""
    rows = _as_of_rows(conn, water_link, water_link_history, aware_or_none(as_of, "as_of"))
    frame = pd.DataFrame(rows, columns=[*LINK_FRAME_COLUMNS, "revision", "batch_id", "recorded_at"]).drop(
        columns="batch_id"
    )
    frame["distance_km"] = frame["distance_km"].astype("float64")
    frame["velocity_m_s"] = frame["velocity_m_s"].astype("float64")
    frame["travel_time_h"] = frame["distance_km"] * 1000.0 / frame["velocity_m_s"] / 3600.0
    if section:
        frame = frame[(frame["from_section"] == section) | (frame["to_section"] == section)]
    return frame.sort_values(["from_section", "to_section"]).reset_index(drop=True)


def network_of(conn: Connection, *, as_of: datetime | None = None) -> RiverNetwork:
    """The river graph as the store holds it (the pure :class:`RiverNetwork`)."""
    sections = sections_frame(conn, as_of=as_of)
    if sections.empty:
        raise NotFoundError(
            "the store holds no water-quality sections",
            hint="run `xietong db upgrade` (it loads the shipped Haihe graph) or publish sections",
        )
    links = links_frame(conn, as_of=as_of)
    return build_network(sections[list(SECTION_FRAME_COLUMNS)], links[list(LINK_FRAME_COLUMNS)])


def list_sections(
    store: Store,
    principal: Principal,
    *,
    as_of: datetime | None = None,
    jurisdiction: str | None = None,
    river: str | None = None,
) -> pd.DataFrame:
    principal.require(Scope.READ, "read water-quality sections")
    with store.read() as conn:
        return sections_frame(conn, as_of=as_of, jurisdiction=jurisdiction, river=river)


def section_history(store: Store, principal: Principal, code: str) -> pd.DataFrame:
    """Every revision of one section, oldest first (``superseded_at`` empty for the current one)."""
    principal.require(Scope.READ, "read water-quality sections")
    with store.read() as conn:
        cur = [dict(r._mapping) for r in conn.execute(sa.select(water_section).where(water_section.c.code == code))]
        if not cur:
            raise NotFoundError(f"no water-quality section {code!r}", hint="list them with `xietong water sections`")
        old = [
            dict(r._mapping)
            for r in conn.execute(sa.select(water_section_history).where(water_section_history.c.code == code))
        ]
    frame = pd.DataFrame([*old, {**cur[0], "superseded_at": None}])
    return frame.sort_values("revision").reset_index(drop=True)


def list_links(
    store: Store, principal: Principal, *, as_of: datetime | None = None, section: str | None = None
) -> pd.DataFrame:
    principal.require(Scope.READ, "read the river graph")
    with store.read() as conn:
        return links_frame(conn, as_of=as_of, section=section)


def downstream_of(
    store: Store,
    principal: Principal,
    section: str,
    *,
    start: datetime | None = None,
    max_hours: float | None = None,
) -> pd.DataFrame:
    """Sections downstream of ``section`` in the stored graph with travel times and (with ``start``)
    arrival times; see :func:`xietong.water.network.downstream`."""
    principal.require(Scope.READ, "read the river graph")
    with store.read() as conn:
        net = network_of(conn)
    return downstream(net, section, start=aware_or_none(start, "start"), max_hours=max_hours)


__all__ = [
    "BUNDLED_LINKS",
    "BUNDLED_SECTIONS",
    "LINK_ATTRS",
    "LINK_FRAME_COLUMNS",
    "MAX_PROBLEMS_KEPT",
    "SECTION_ATTRS",
    "SECTION_FRAME_COLUMNS",
    "Counts",
    "aware_or_none",
    "downstream_of",
    "finish_batch",
    "jurisdiction_label",
    "links_frame",
    "list_links",
    "list_sections",
    "may_publish",
    "network_of",
    "open_batch",
    "publish_links",
    "publish_sections",
    "refuse_owner",
    "section_history",
    "sections_frame",
    "seed",
    "seed_haihe",
    "write_links",
    "write_sections",
]
