"""The parks registry in the store: seed, import (CSV, GeoJSON, records), list, history.

Parks are a system-versioned pair (``industry_park`` / ``industry_park_history``) owned per jurisdiction:
only a principal that may act for a park's jurisdiction (``Principal.may_act_for``) with the scope
``publish:industry`` writes it, every write is one audited transaction, and an import is all-or-nothing —
any problem (unknown jurisdiction, level, kind or GB/T 4754 code, a co-built park without partner, a point
far from its city or outside its jurisdiction's boundary, a park of another jurisdiction) refuses the
whole file, naming file, row and field.

The seed (:func:`seed`, run by ``xietong db upgrade``) adds the parks named in the agreements
(:func:`xietong.industry.parks.seed`) with their text spans; it never overwrites a park that exists, so a
jurisdiction's corrections survive upgrades.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.config import Settings
from xietong.enums import Scope
from xietong.errors import InputError, Location, NotFoundError, PermissionDeniedError, Problem
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.industry import boundaries, gbt4754, parks
from xietong.industry.domain import IndustryScope
from xietong.industry.tables import industry_park, industry_park_history
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import ingest_batch

PARK_ATTRS = (
    "name_zh", "name_en", "jurisdiction_code", "level", "kind", "partner_code", "lon", "lat", "approximate",
    "area_km2", "leading_industries", "aliases", "sources", "industries_source", "notes", "origin",
)  # fmt: skip


# -- shared store helpers of the domain -------------------------------------------------------------


def new_batch(conn: Connection, principal: Principal, dataset: str, fmt: str, source: str, now: datetime) -> int:
    """An ``ingest_batch`` row for one write (its id goes into every record written)."""
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


def finish_batch(conn: Connection, batch_id: int, summary: Mapping[str, Any]) -> None:
    conn.execute(
        ingest_batch.update()
        .where(ingest_batch.c.id == batch_id)
        .values(committed_at=utcnow(), summary=json.dumps(dict(summary), ensure_ascii=False))
    )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def versioned_upsert(
    conn: Connection,
    tables: tuple[sa.Table, sa.Table],
    keys: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    batch_id: int | None,
    now: datetime,
) -> str:
    """Insert, keep or revise one record of a system-versioned pair; returns new, unchanged or revised."""
    current, history = tables
    where = sa.and_(*(current.c[k] == v for k, v in keys.items()))
    old = conn.execute(sa.select(current).where(where)).first()
    if old is None:
        conn.execute(current.insert().values(**keys, **values, revision=1, batch_id=batch_id, recorded_at=now))
        return "new"
    if all(_same(getattr(old, k), v) for k, v in values.items()):
        return "unchanged"
    conn.execute(history.insert().values(**old._mapping, superseded_at=now))
    conn.execute(
        current.update().where(where).values(**values, revision=old.revision + 1, batch_id=batch_id, recorded_at=now)
    )
    return "revised"


def refuse_owner(principal: Principal, what: str, owner: str) -> PermissionDeniedError:
    where = region.display_name(principal.jurisdiction) if principal.jurisdiction else "the region"
    return PermissionDeniedError(
        f"{principal.describe()} may not publish {what}",
        expected=f"a principal of {owner} {region.display_name(owner, 'en')} (the owner) or a region-level administrator",
        given=f"a principal of {where}",
        hint="each jurisdiction publishes its own parks, projects and contracts; nothing was written",
    )


def require_publish(principal: Principal, action: str) -> None:
    principal.require(IndustryScope.PUBLISH, action)


# -- seed ---------------------------------------------------------------------------------------------


def _spans_json(spans: Sequence[parks.Span]) -> str:
    return json.dumps([parks.vars_span(s) for s in spans], ensure_ascii=False)


def _seed_values(p: parks.Park) -> dict[str, Any]:
    return {
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "jurisdiction_code": p.jurisdiction,
        "level": p.level.value,
        "kind": p.kind.value,
        "partner_code": p.partner,
        "lon": p.lon,
        "lat": p.lat,
        "approximate": p.approximate,
        "area_km2": p.area_km2,
        "leading_industries": json.dumps(list(p.leading_industries)),
        "aliases": json.dumps(list(p.aliases), ensure_ascii=False),
        "sources": _spans_json(p.spans),
        "industries_source": json.dumps(parks.vars_span(p.industries_span), ensure_ascii=False)
        if p.industries_span
        else None,
        "notes": p.notes,
        "origin": "seed",
    }


def seed(store: Store, operator: Principal) -> dict[str, int]:
    """Add the seeded parks the store does not hold yet; ``{"parks added": n}``."""
    with store.read() as conn:
        present = {str(r[0]) for r in conn.execute(sa.select(industry_park.c.code))}
    missing = [p for p in parks.seed() if p.code not in present]
    if not missing:
        return {"parks added": 0}
    with actions.audited_write(store, operator, "industry.parks.seed", "parks_seed.toml") as work:
        now = utcnow()
        batch = new_batch(work.conn, operator, "industry.parks", "seed", "bundled:parks_seed.toml", now)
        for p in missing:
            work.conn.execute(
                industry_park.insert().values(
                    code=p.code, **_seed_values(p), revision=1, batch_id=batch, recorded_at=now
                )
            )
        finish_batch(work.conn, batch, {"parks added": len(missing)})
        work.detail = {"parks added": len(missing), "codes": [p.code for p in missing]}
    return {"parks added": len(missing)}


# -- import -------------------------------------------------------------------------------------------


def _boundary_problems(frame: pd.DataFrame, settings: Settings | None, source: str | None) -> list[Problem]:
    """Parks whose given point lies outside the boundary of their jurisdiction (when boundaries are set)."""
    if settings is None or settings.boundaries_file is None or frame.empty or "lon" not in frame.columns:
        return []
    shapes = boundaries.load(settings.boundaries_file)
    out = []
    for rec in frame.itertuples(index=False):
        lon, lat = pd.to_numeric(pd.Series([rec.lon, rec.lat]), errors="coerce")
        shape = shapes.get(str(rec.jurisdiction))
        if shape is None or pd.isna(lon) or pd.isna(lat) or boundaries.contains(shape, float(lon), float(lat)):
            continue
        out.append(
            Problem(
                f"park {rec.code} lies outside the boundary of {region.display_name(str(rec.jurisdiction), 'en')}",
                Location(source, int(str(rec.row)), "lon"),
                f"a point inside {rec.jurisdiction} (boundary file {settings.boundaries_file.name})",
                f"{float(lon):.4f}, {float(lat):.4f}",
                hint="check the jurisdiction, and that lon/lat are not swapped",
            )
        )
    return out


def _checked(result: parks.ParkImport, frame_rows: int, settings: Settings | None, source: str | None) -> pd.DataFrame:
    good = result.parks
    problems = list(result.problems)
    if not good.empty:
        problems += _boundary_problems(good, settings, source)
    if problems:
        raise InputError.refuse(
            problems,
            summary=f"{len(problems)} problem(s) in the parks of {source or 'the request'}; nothing was written",
        )
    if frame_rows == 0:
        raise InputError("no parks in the file", expected="at least one row", given="none", where=Location(source))
    return good


def read_parks_file(path: Path, *, settings: Settings | None = None, name: str | None = None) -> pd.DataFrame:
    """A validated parks file (``.csv``, ``.geojson``/``.json``): every problem refuses the whole file."""
    source = name or path.name
    suffix = path.suffix.lower()
    if suffix in {".geojson", ".json"}:
        result = parks.read_geojson(path, source=source)
    elif suffix == ".csv":
        result = parks.read_csv(path, source=source)
    else:
        raise InputError("unknown parks file type", expected=".csv, .geojson or .json", given=path.name)
    return _checked(result, len(result.parks) + len(result.problems), settings, source)


def parks_from_records(records: Sequence[Mapping[str, Any]], *, settings: Settings | None = None) -> pd.DataFrame:
    """Validated parks from request records (rows numbered from 1)."""
    rows = [dict(r) for r in records]
    for r in rows:
        if isinstance(r.get("leading_industries"), list):
            r["leading_industries"] = ";".join(map(str, r["leading_industries"]))
    frame = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r} | set(parks.PARK_COLUMNS)))
    result = parks.validate(frame, source="request body", first_row=1)
    return _checked(result, len(frame), settings, "request body")


def _cell(rec: Mapping[str, Any], key: str) -> str:
    value = rec.get(key)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _import_values(rec: Mapping[str, Any], source: str) -> dict[str, Any]:
    ref = region.get(str(rec["jurisdiction"]))
    lon, lat = pd.to_numeric(pd.Series([rec.get("lon"), rec.get("lat")]), errors="coerce")
    approximate = bool(pd.isna(lon) or pd.isna(lat))
    codes = [gbt4754.normalise(c) for c in _cell(rec, "leading_industries").replace(",", ";").split(";") if c.strip()]
    area = pd.to_numeric(pd.Series([rec.get("area_km2")]), errors="coerce").iloc[0]
    document = _cell(rec, "source")
    partner = _cell(rec, "partner")
    return {
        "name_zh": _cell(rec, "name_zh"),
        "name_en": _cell(rec, "name_en"),
        "jurisdiction_code": ref.code,
        "level": _cell(rec, "level"),
        "kind": _cell(rec, "kind"),
        "partner_code": region.get(partner).code if partner else None,
        "lon": ref.lon if approximate else float(lon),
        "lat": ref.lat if approximate else float(lat),
        "approximate": approximate,
        "area_km2": None if pd.isna(area) else float(area),
        "leading_industries": json.dumps(codes),
        "aliases": json.dumps([a.strip() for a in _cell(rec, "aliases").split(";") if a.strip()], ensure_ascii=False),
        "sources": json.dumps([{"document": document}] if document else [{"file": source, "row": int(rec["row"])}]),
        "industries_source": None,
        "notes": _cell(rec, "notes"),
        "origin": "import",
    }


def import_parks(store: Store, principal: Principal, frame: pd.DataFrame, *, source: str) -> dict[str, Any]:
    """Register or revise the parks of a validated frame (audited, all-or-nothing, owners only)."""
    require_publish(principal, "publish parks")
    counts = {"read": len(frame), "new": 0, "revised": 0, "unchanged": 0}
    with actions.audited_write(store, principal, "industry.parks.import", source) as work:
        conn, now = work.conn, utcnow()
        codes = [str(c).strip() for c in frame["code"]]
        owners = {
            str(r.code): str(r.jurisdiction_code)
            for r in conn.execute(
                sa.select(industry_park.c.code, industry_park.c.jurisdiction_code).where(
                    industry_park.c.code.in_(codes)
                )
            )
        }
        batch = new_batch(conn, principal, "industry.parks", "parks", source, now)
        for code, rec in zip(codes, frame.to_dict("records"), strict=True):
            values = _import_values({str(k): v for k, v in rec.items()}, source)
            for owner in {values["jurisdiction_code"], owners.get(code, values["jurisdiction_code"])}:
                if not principal.may_act_for(owner):
                    raise refuse_owner(principal, f"park {code} (row {rec['row']} of {source})", owner)
            outcome = versioned_upsert(
                conn, (industry_park, industry_park_history), {"code": code}, values, batch_id=batch, now=now
            )
            counts[outcome] += 1
        finish_batch(conn, batch, counts)
        work.target = f"batch {batch}"
        work.detail = {"source": source, **counts}
    return {"batch_id": batch, **counts}


# -- reading ------------------------------------------------------------------------------------------


def park_record(row: Any) -> dict[str, Any]:
    """A stored park as the API and CLI show it (lists decoded, names of codes added)."""
    codes = json.loads(row.leading_industries)
    leading = codes[0] if codes else None
    return {
        "code": row.code,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "jurisdiction": row.jurisdiction_code,
        "jurisdiction_name": region.display_name(row.jurisdiction_code, "en"),
        "level": row.level,
        "kind": row.kind,
        "partner": row.partner_code,
        "lon": row.lon,
        "lat": row.lat,
        "approximate": bool(row.approximate),
        "area_km2": row.area_km2,
        "leading_industries": codes,
        "leading_section": gbt4754.section_of(leading) if leading else None,
        "leading_name": gbt4754.name(leading) if leading else None,
        "aliases": json.loads(row.aliases),
        "sources": json.loads(row.sources),
        "industries_source": json.loads(row.industries_source) if row.industries_source else None,
        "notes": row.notes,
        "origin": row.origin,
        "revision": row.revision,
        "recorded_at": row.recorded_at,
    }


def _check_read(principal: Principal) -> None:
    principal.require(Scope.READ, "read the industry registry")


def list_parks(
    store: Store, principal: Principal, *, jurisdiction: str | None = None, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    """Current parks, by code; ``jurisdiction`` keeps the parks of it and of the places inside it."""
    _check_read(principal)
    with store.read() as conn:
        rows = [park_record(r) for r in conn.execute(sa.select(industry_park).order_by(industry_park.c.code))]
    if jurisdiction:
        code = region.get(jurisdiction).code
        rows = [r for r in rows if region.is_within(r["jurisdiction"], code)]
    return rows[offset : None if limit is None else offset + limit]


def park_rows(conn: Connection) -> list[Any]:
    """Every current park row (for the domain's other services)."""
    return list(conn.execute(sa.select(industry_park).order_by(industry_park.c.code)))


def get_park(store: Store, principal: Principal, code: str) -> dict[str, Any]:
    _check_read(principal)
    with store.read() as conn:
        row = conn.execute(sa.select(industry_park).where(industry_park.c.code == code.strip())).first()
    if row is None:
        raise NotFoundError(f"no park {code!r}", hint="list them with `xietong industry parks list`")
    return park_record(row)


def park_history(store: Store, principal: Principal, code: str) -> list[dict[str, Any]]:
    """Every revision of a park, oldest first (earlier ones with ``superseded_at``)."""
    current = get_park(store, principal, code)
    with store.read() as conn:
        old = conn.execute(
            sa.select(industry_park_history)
            .where(industry_park_history.c.code == current["code"])
            .order_by(industry_park_history.c.revision)
        )
        out = [{**park_record(r), "superseded_at": r.superseded_at} for r in old]
    return [*out, {**current, "superseded_at": None}]


def parks_geojson(store: Store, principal: Principal) -> dict[str, Any]:
    """The current parks as a GeoJSON FeatureCollection of points (``approximate`` flags reference points)."""
    features = [
        {
            "type": "Feature",
            "id": p["code"],
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {k: v for k, v in p.items() if k not in {"lon", "lat", "sources", "recorded_at"}},
        }
        for p in list_parks(store, principal)
    ]
    return {"type": "FeatureCollection", "features": features}


__all__ = [
    "PARK_ATTRS",
    "finish_batch",
    "get_park",
    "import_parks",
    "list_parks",
    "new_batch",
    "park_history",
    "park_record",
    "park_rows",
    "parks_from_records",
    "parks_geojson",
    "read_parks_file",
    "refuse_owner",
    "require_publish",
    "seed",
    "versioned_upsert",
]
