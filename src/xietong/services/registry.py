"""Reference data of the public-services domain in the store: the catalogue (versioned, owned per
jurisdiction), the offices, the recognition catalogues and the partnerships.

* :func:`seed` loads the bundled, sourced data (``data/*.csv``, ``data/SOURCES.md``) through the domain
  contract; it adds what is missing and never overwrites a row (a jurisdiction's own corrections stay).
* Items are versioned: :func:`publish_item` adds a new version (the owner's jurisdiction, or a region
  administrator for the region's items) and supersedes the current one; cases keep the version they were
  received under.
* Offices belong to a jurisdiction of the exchange; its principals with ``publish:services`` register them.
* :func:`recognised` answers the recognition query from the store's entries with the core's rule
  (:func:`xietong.services.recognition.is_recognised`).
* :func:`partnerships` attaches the rail travel time between the partners' cities, read through the
  platform's indicator registry (``transit.rail_travel_time_min``, published by the transport domain):
  this module imports no other domain.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong import region
from xietong.config import DISPLAY_TZ
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, Location, NotFoundError, PermissionDeniedError, XietongError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.indicators import Context, default_registry
from xietong.services import partnerships as core_partnerships
from xietong.services import recognition as core_recognition
from xietong.services.catalogue import (
    DocumentSpec,
    Item,
    StepRule,
    bundled_catalogue,
    load_catalogue,
    retention_default,
)
from xietong.services.domain import ServicesScope
from xietong.services.enums import Mode, OfficeRole, StepKind
from xietong.services.tables import (
    services_item,
    services_office,
    services_partnership,
    services_recognition_entry,
    services_recognition_version,
)
from xietong.store.clock import utcnow
from xietong.store.session import Store

#: the indicator the transport domain publishes for rail travel times between two cities [min]
RAIL_TIME_INDICATOR = "transit.rail_travel_time_min"
#: most rows a list returns
MAX_LIMIT = 1000


def today() -> dt.date:
    """Today in China Standard Time (the calendar's day)."""
    return utcnow().astimezone(DISPLAY_TZ).date()


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            "limit out of range", expected=f"1 to {MAX_LIMIT}", given=str(limit), where=Location(field="limit")
        )
    return limit


# -- items --------------------------------------------------------------------------------------------


def item_values(item: Item) -> dict[str, Any]:
    """The columns of ``services_item`` describing ``item`` (not the version bookkeeping)."""
    return {
        "name_zh": item.name_zh,
        "name_en": item.name_en,
        "list_name": item.list,
        "mode": item.mode.value if item.mode else None,
        "authorities": json.dumps(dict(item.authorities), ensure_ascii=False, sort_keys=True),
        "time_limit_wd": item.time_limit_wd,
        "legal_basis": item.legal_basis,
        "valid_from": item.valid_from,
        "valid_to": item.valid_to,
        "target_by": item.target_by,
        "retention_years": item.retention_years,
        "source_url": item.source_url,
        "source_date": item.source_date,
        "note": item.note,
        "documents": json.dumps(
            [
                {"key": d.key, "name_zh": d.name_zh, "name_en": d.name_en, "required": d.required, "basis": d.basis}
                for d in item.documents
            ],
            ensure_ascii=False,
        ),
        "steps": json.dumps(
            [
                {
                    "kind": s.kind.value,
                    "role": s.role.value,
                    "time_limit_wd": s.time_limit_wd,
                    "counted_from": s.counted_from.value if s.counted_from else None,
                    "basis": s.basis,
                }
                for s in item.steps
            ],
            ensure_ascii=False,
        ),
    }


def item_from_row(row: Any) -> Item:
    """The core :class:`Item` of a ``services_item`` row."""
    return Item(
        code=row.code,
        name_zh=row.name_zh,
        name_en=row.name_en,
        list=row.list_name,
        mode=Mode(row.mode) if row.mode else None,
        authorities=json.loads(row.authorities),
        time_limit_wd=row.time_limit_wd,
        legal_basis=row.legal_basis,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        target_by=row.target_by,
        source_url=row.source_url,
        source_date=row.source_date,
        note=row.note,
        documents=tuple(DocumentSpec(**d) for d in json.loads(row.documents)),
        steps=tuple(
            StepRule(
                kind=StepKind(s["kind"]),
                role=OfficeRole(s["role"]),
                time_limit_wd=s["time_limit_wd"],
                counted_from=StepKind(s["counted_from"]) if s["counted_from"] else None,
                basis=s["basis"],
            )
            for s in json.loads(row.steps)
        ),
        retention_years=row.retention_years,
    )


def item_dict(row: Any) -> dict[str, Any]:
    """A ``services_item`` row for people and JSON (documents and steps as lists)."""
    item = item_from_row(row)
    return {
        "code": row.code,
        "version": row.version,
        "owner_jurisdiction": row.owner_jurisdiction,
        "name_zh": row.name_zh,
        "name_en": row.name_en,
        "list": row.list_name,
        "mode": row.mode,
        "authorities": dict(item.authorities),
        "time_limit_wd": row.time_limit_wd,
        "legal_basis": row.legal_basis,
        "valid_from": row.valid_from,
        "valid_to": row.valid_to,
        "retention_years": row.retention_years,
        "retention_default_years": retention_default().retention_years,
        "documents": json.loads(row.documents),
        "steps": json.loads(row.steps),
        "source_url": row.source_url,
        "source_date": row.source_date,
        "note": row.note,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(),
        "superseded_at": row.superseded_at.isoformat() if row.superseded_at else None,
    }


def item_row(conn: Connection, code: str, version: int | None = None) -> Any:
    """The current version of item ``code`` (or the given version), or :class:`NotFoundError`."""
    q = sa.select(services_item).where(services_item.c.code == code)
    q = q.where(services_item.c.version == version) if version else q.where(services_item.c.superseded_at.is_(None))
    row = conn.execute(q).first()
    if row is None:
        raise NotFoundError(
            f"no catalogue item {code!r}" + (f" version {version}" if version else ""),
            expected="a code of the service catalogue (JJJ-PS-001 …)",
            given=code,
            hint="list them with `xietong services items`",
        )
    return row


def list_items(
    store: Store, principal: Principal, *, text: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Current catalogue items, optionally those whose code or names contain ``text``."""
    principal.require(Scope.READ, "read the service catalogue")
    q = sa.select(services_item).where(services_item.c.superseded_at.is_(None)).order_by(services_item.c.code)
    if text:
        like = f"%{text.strip()}%"
        q = q.where(
            sa.or_(
                services_item.c.code.like(like), services_item.c.name_zh.like(like), services_item.c.name_en.like(like)
            )
        )
    with store.read() as conn:
        return [item_dict(r) for r in conn.execute(q.limit(check_limit(limit)))]


def item_history(store: Store, principal: Principal, code: str) -> list[dict[str, Any]]:
    """Every version of an item, oldest first."""
    principal.require(Scope.READ, "read the service catalogue")
    with store.read() as conn:
        item_row(conn, code)
        rows = conn.execute(
            sa.select(services_item).where(services_item.c.code == code).order_by(services_item.c.version)
        )
        return [item_dict(r) for r in rows]


def _frames_of(record: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three catalogue frames (items, steps, documents) of one published record."""
    code = str(record.get("code", "")).strip()
    item = {k: "" if v is None else str(v) for k, v in record.items() if k not in ("steps", "documents", "authorities")}
    for j, name in dict(record.get("authorities") or {}).items():
        item[f"authority_{j}"] = str(name)
    source = {"source_url": item.get("source_url", ""), "source_date": item.get("source_date", "")}
    steps = [
        {"item_code": code, **{k: "" if v is None else str(v) for k, v in s.items()}, **source}
        for s in record.get("steps") or []
    ]
    docs = [
        {"item_code": code, **{k: str(v).lower() if k == "required" else str(v or "") for k, v in d.items()}, **source}
        for d in record.get("documents") or []
    ]
    step_cols = ["item_code", "kind", "role", "time_limit_wd", "counted_from", "basis", "source_url", "source_date"]
    doc_cols = ["item_code", "key", "name_zh", "name_en", "required", "basis", "source_url", "source_date"]
    return (
        pd.DataFrame([item]),
        pd.DataFrame(steps, columns=step_cols).fillna(""),
        pd.DataFrame(docs, columns=doc_cols).fillna(""),
    )


def publish_item(store: Store, principal: Principal, record: Mapping[str, Any]) -> dict[str, Any]:
    """Publish an item, or a new version of one, from ``record`` (the columns of ``catalogue_jjj.csv``,
    ``authorities`` as a mapping, ``steps`` and ``documents`` as lists, ``owner_jurisdiction``).

    Every item carries its source (``source_url``, ``source_date``). An existing item's new version is
    published by its owner (a region administrator for the region's items); the current one is superseded.
    """
    code = str(record.get("code", "")).strip()
    with actions.audited_write(store, principal, "services.item.publish", f"item {code}") as work:
        principal.require(ServicesScope.PUBLISH, "publish catalogue items")
        items, steps, docs = _frames_of(record)
        item = load_catalogue(items, steps, docs)[code]
        owner_given = record.get("owner_jurisdiction")
        conn = work.conn
        current = conn.execute(
            sa.select(services_item).where(services_item.c.code == code, services_item.c.superseded_at.is_(None))
        ).first()
        owner = current.owner_jurisdiction if current else (region.get(str(owner_given)).code if owner_given else None)
        if current is not None and owner_given and region.get(str(owner_given)).code != owner:
            raise ConflictError(
                f"item {code} belongs to {owner or 'the region'}",
                expected=f"owner_jurisdiction {owner or '(empty)'}",
                given=str(owner_given),
                hint="an item keeps its owner; publish your own item under a new code",
            )
        _check_owner(principal, owner, f"publish item {code}")
        now = utcnow()
        version = 1
        if current is not None:
            version = current.version + 1
            conn.execute(
                services_item.update()
                .where(services_item.c.code == code, services_item.c.version == current.version)
                .values(superseded_at=now)
            )
        conn.execute(
            services_item.insert().values(
                code=code,
                version=version,
                owner_jurisdiction=owner,
                recorded_by=principal.name,
                recorded_at=now,
                **item_values(item),
            )
        )
        work.detail = {"code": code, "version": version, "owner": owner}
        return item_dict(item_row(conn, code, version))


def _check_owner(principal: Principal, owner: str | None, action: str) -> None:
    if owner is None and principal.jurisdiction is not None:
        raise PermissionDeniedError(
            f"{principal.describe()} may not {action}: it belongs to the region",
            expected="a region-level administrator",
            given=principal.describe(),
        )
    if owner is not None and not principal.may_act_for(owner):
        raise PermissionDeniedError(
            f"{principal.describe()} may not {action} of {region.display_name(owner)}",
            expected=f"a principal of {region.display_name(owner)}",
            given=principal.describe(),
        )


# -- offices ------------------------------------------------------------------------------------------


def add_office(
    store: Store, principal: Principal, code: str, jurisdiction: str, *, name_zh: str, name_en: str = ""
) -> dict[str, Any]:
    """Register an office of a jurisdiction of the exchange (its principals with ``publish:services``)."""
    code = code.strip()
    with actions.audited_write(store, principal, "services.office.add", f"office {code}") as work:
        principal.require(ServicesScope.PUBLISH, "register offices")
        if not code or len(code) > 40 or not all(c.isalnum() or c in "-_." for c in code):
            raise InputError(
                "invalid office code",
                expected="1–40 letters, digits, '-', '_' or '.'",
                given=repr(code),
                where=Location(field="code"),
            )
        place = region.get(jurisdiction)
        if not place.jurisdiction:
            raise InputError(
                "offices belong to a jurisdiction of the exchange",
                expected="one of the 15 jurisdictions (xietong region list)",
                given=f"{place.code} {place.name_zh}",
                where=Location(field="jurisdiction"),
            )
        _check_owner(principal, place.code, "register offices")
        if not name_zh.strip():
            raise InputError("an office needs its name", expected="the office's Chinese name", given="''")
        exists = work.conn.execute(sa.select(services_office.c.code).where(services_office.c.code == code)).first()
        if exists:
            raise ConflictError(f"an office {code!r} exists already", hint="choose another code")
        now = utcnow()
        row: dict[str, Any] = {
            "code": code,
            "jurisdiction_code": place.code,
            "name_zh": name_zh.strip(),
            "name_en": name_en.strip(),
            "recorded_by": principal.name,
            "recorded_at": now,
        }
        work.conn.execute(services_office.insert().values(**row))
        work.detail = {"code": code, "jurisdiction": place.code}
    return {**row, "recorded_at": now.isoformat()}


def list_offices(store: Store, principal: Principal, *, jurisdiction: str | None = None) -> list[dict[str, Any]]:
    principal.require(Scope.READ, "read the offices")
    q = sa.select(services_office).order_by(services_office.c.jurisdiction_code, services_office.c.code)
    if jurisdiction:
        q = q.where(services_office.c.jurisdiction_code == region.get(jurisdiction).code)
    with store.read() as conn:
        return [{**r._asdict(), "recorded_at": r.recorded_at.isoformat()} for r in conn.execute(q)]


def office_row(conn: Connection, code: str) -> Any:
    row = conn.execute(sa.select(services_office).where(services_office.c.code == code)).first()
    if row is None:
        raise NotFoundError(
            f"no office {code!r}",
            expected="a registered office code",
            given=code,
            hint="list them with `xietong services office list`; register one with `xietong services office add`",
        )
    return row


# -- seed ---------------------------------------------------------------------------------------------


def _seed_items(conn: Connection, operator: Principal, now: dt.datetime) -> int:
    present = {r[0] for r in conn.execute(sa.select(services_item.c.code))}
    added = 0
    for code, item in bundled_catalogue().items():
        if code in present:
            continue
        conn.execute(
            services_item.insert().values(
                code=code, version=1, owner_jurisdiction=None, recorded_by=operator.name, recorded_at=now,
                **item_values(item),
            )
        )  # fmt: skip
        added += 1
    return added


def _bool(text: str) -> bool:
    return str(text).strip().lower() == "true"


def _int(text: str) -> int | None:
    return int(text) if str(text).strip().isdigit() else None


def _seed_recognition(conn: Connection, now: dt.datetime) -> tuple[int, int]:
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


def _seed_partnerships(conn: Connection, now: dt.datetime) -> int:
    present = {r[0] for r in conn.execute(sa.select(services_partnership.c.id))}
    added = 0
    columns = [c.name for c in services_partnership.columns if c.name != "recorded_at"]
    for r in core_partnerships.bundled_partnerships().to_dict("records"):
        if r["id"] in present:
            continue
        conn.execute(services_partnership.insert().values(**{c: str(r.get(c, "")) for c in columns}, recorded_at=now))
        added += 1
    return added


def seed(store: Store, operator: Principal) -> dict[str, int]:
    """The bundled catalogue, recognition catalogues and partnerships (idempotent, never overwriting)."""
    now = utcnow()
    with store.write() as conn:
        items = _seed_items(conn, operator, now)
        versions, entries = _seed_recognition(conn, now)
        partners = _seed_partnerships(conn, now)
    return {
        "service items added": items,
        "recognition versions added": versions,
        "recognition entries added": entries,
        "partnerships added": partners,
    }


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
    rows: list[dict[str, Any]] = []
    reasons: dict[str, str] = {}
    unique = pairs.loc[pairs["origin"] != pairs["destination"], ["origin", "destination"]].drop_duplicates()
    now = utcnow()
    for origin, destination in unique.itertuples(index=False):
        try:
            params = indicator.normalise({"origin": origin, "destination": destination})
            reading = indicator.compute(Context(store, params, principal, now))
        except XietongError as exc:
            reasons[f"{origin}-{destination}"] = exc.problem.describe()
            continue
        if reading.value is None:
            reasons[f"{origin}-{destination}"] = str(
                reading.details.get("reason") or reading.details.get("note") or "no value"
            )
            continue
        rows.append({"origin": origin, "destination": destination, "travel_time_min": float(reading.value)})
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
    "MAX_LIMIT",
    "RAIL_TIME_INDICATOR",
    "add_office",
    "check_limit",
    "item_dict",
    "item_from_row",
    "item_history",
    "item_row",
    "item_values",
    "list_items",
    "list_offices",
    "list_recognition",
    "office_row",
    "partnerships",
    "publish_item",
    "recognised",
    "recognition_entries",
    "seed",
    "today",
]
