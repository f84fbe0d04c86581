"""Reference data of the public-services domain in the store: the catalogue (versioned, owned per
jurisdiction), the offices, the recognition catalogues and the partnerships.

* :func:`seed` loads the bundled, sourced data (``data/*.csv``, ``data/SOURCES.md``) through the domain
  contract; it adds what is missing and never overwrites a row (a jurisdiction's own corrections stay).
* Items are versioned: :func:`publish_item` adds a new version (the owner's jurisdiction, or a region
  administrator for the region's items) and supersedes the current one; cases keep the version they were
  received under.
* Offices belong to a jurisdiction of the exchange; its principals with ``publish:services`` register them.
* recognition entries and partnerships are seeded here and read in :mod:`xietong.services.cooperation`.
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
from xietong.enums import Scope
from xietong.errors import ConflictError, InputError, Location, NotFoundError, PermissionDeniedError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.services import cooperation
from xietong.services.catalogue import (
    DocumentSpec,
    Item,
    StepRule,
    bundled_catalogue,
    load_catalogue,
    retention_default,
)
from xietong.services.common import MAX_LIMIT, check_limit, today
from xietong.services.domain import ServicesScope
from xietong.services.enums import Mode, OfficeRole, StepKind
from xietong.services.tables import (
    services_item,
    services_office,
)
from xietong.store.clock import utcnow
from xietong.store.session import Store

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


def seed(store: Store, operator: Principal) -> dict[str, int]:
    """The bundled catalogue, recognition catalogues and partnerships (idempotent, never overwriting)."""
    now = utcnow()
    with store.write() as conn:
        items = _seed_items(conn, operator, now)
        versions, entries = cooperation.seed_recognition(conn, now)
        partners = cooperation.seed_partnerships(conn, now)
    return {
        "service items added": items,
        "recognition versions added": versions,
        "recognition entries added": entries,
        "partnerships added": partners,
    }


__all__ = [
    "MAX_LIMIT",
    "add_office",
    "check_limit",
    "item_dict",
    "item_from_row",
    "item_history",
    "item_row",
    "item_values",
    "list_items",
    "list_offices",
    "office_row",
    "publish_item",
    "seed",
    "today",
]
