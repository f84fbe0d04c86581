"""The enterprise registry, shared by the domains (restricted data).

A platform registry: the air domain's graded emergency measures read it, and emission trading (operators'
holding accounts) and industrial relocation (relocating enterprises) will too, without importing each
other.

CSV columns: ``name, city, industry, grade, so2_t_per_day, nox_t_per_day, pm_t_per_day, vocs_t_per_day`` — baseline emissions
in tonnes per day, performance grade A/B/C/D (环办大气〔2026〕2号; STANDARDS.md §7.4). Each enterprise
belongs to its city's jurisdiction, which alone publishes it. Emission data of individual enterprises
are restricted: every read is written to the audit log. Changing a row keeps the earlier revision.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from xietong import region
from xietong.enums import Scope
from xietong.errors import InputError, Location, PermissionDeniedError, Problem, UnknownJurisdictionError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.inputs import read_csv_text
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.store.tables import enterprise, enterprise_history, ingest_batch

GRADES = ("A", "B", "C", "D")


def _enterprise_cities() -> set[str]:
    """Codes of the places an enterprise may be registered in: every jurisdiction below province level,
    and Beijing and Tianjin (municipalities without cities below them in the region tree)."""
    return {r.code for r in region.jurisdictions() if r.code != "130000"}


EMISSIONS = ("so2_t_per_day", "nox_t_per_day", "pm_t_per_day", "vocs_t_per_day")
COLUMNS = ["name", "city", "industry", "grade", *EMISSIONS]


def _read_csv(path: Path, source: str) -> pd.DataFrame:
    """The enterprise CSV as text cells; a missing, empty, binary, GBK or malformed file is an InputError."""
    return read_csv_text(
        path,
        source=source,
        expected="UTF-8 CSV with the columns " + ", ".join(COLUMNS),
        dtype=str,
        keep_default_na=False,
    )


def parse_enterprises(path: Path, name: str | None = None) -> pd.DataFrame:
    """Read and validate an enterprise CSV; one error lists every bad row (file, row, field)."""
    source = name or str(path)
    text = _read_csv(path, source)
    text.columns = [c.strip().lower() for c in text.columns]
    missing = [c for c in COLUMNS if c not in text.columns]
    if missing:
        raise InputError(
            f"enterprise file lacks column(s) {', '.join(missing)}",
            expected=", ".join(COLUMNS),
            given=", ".join(text.columns),
            where=Location(source, 1),
        )
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    allowed = _enterprise_cities()
    for i, rec in enumerate(text.to_dict("records")):
        row = i + 2
        before = len(problems)
        city = region.find(str(rec["city"]))
        if city is None or city.code not in allowed:
            problems.append(
                Problem(
                    "unknown city",
                    Location(source, row, "city"),
                    "a city of the region",
                    repr(rec["city"]),
                    kind=UnknownJurisdictionError,
                )
            )
        grade = str(rec["grade"]).strip().upper()
        if grade not in GRADES:
            problems.append(
                Problem("invalid performance grade", Location(source, row, "grade"), "A, B, C or D", repr(rec["grade"]))
            )
        values: dict[str, float] = {}
        for col in EMISSIONS:
            try:
                v = float(str(rec[col]).strip())
                if not 0 <= v < math.inf:  # refuses NaN and inf (and 1e309, which float() makes inf)
                    raise ValueError
                values[col] = v
            except ValueError:
                problems.append(
                    Problem(f"invalid {col}", Location(source, row, col), "emissions >= 0 [t/day]", repr(rec[col]))
                )
        if not str(rec["name"]).strip():
            problems.append(Problem("empty name", Location(source, row, "name"), "an enterprise name", "''"))
        if len(problems) > before or city is None:
            continue
        out.append(
            {
                "name": str(rec["name"]).strip(),
                "city": city.code,
                "industry": str(rec["industry"]).strip(),
                "grade": grade,
            }
            | values
            | {"row": row}
        )
    frame = pd.DataFrame(out, columns=[*COLUMNS, "row"])
    dup = frame.duplicated(subset=["city", "name"], keep=False)
    for _, group in list(frame[dup].groupby(["city", "name"]))[:50]:
        problems.append(
            Problem(
                f"enterprise {group['name'].iat[0]!r} appears twice",
                Location(source, int(group["row"].to_numpy()[1]), "name"),
                "one row per enterprise and city",
                f"rows {', '.join(map(str, group['row']))}",
            )
        )
    if problems:
        raise InputError.refuse(
            problems, summary=f"{len(problems)} invalid enterprise row(s) in {source}; nothing was written"
        )
    return frame


def import_enterprises(store: Store, principal: Principal, frame: pd.DataFrame, *, source: str) -> dict[str, int]:
    """Register or revise enterprises (audited, all-or-nothing). Only each city's jurisdiction may publish."""
    principal.require(Scope.PUBLISH_ENTERPRISES, "publish the enterprise registry")
    counts = {"read": len(frame), "written": 0, "unchanged": 0, "revised": 0}
    with actions.audited_write(store, principal, "enterprise.import", f"file {Path(source).name}") as work:
        for city in sorted(set(frame["city"])):
            if not principal.may_act_for(city):
                raise PermissionDeniedError(
                    f"{principal.describe()} may not publish enterprises of {region.display_name(city)}",
                    expected=f"a principal of {region.display_name(city)}",
                    hint="nothing was written",
                )
        conn = work.conn
        now = utcnow()
        batch_id = conn.execute(
            ingest_batch.insert()
            .values(
                principal_id=principal.id,
                dataset="enterprises",
                format="csv",
                source=source[-300:],
                sha256="",
                started_at=now,
                committed_at=now,
                summary="{}",
            )
            .returning(ingest_batch.c.id)
        ).scalar_one()
        for rec in frame.to_dict("records"):
            where = sa.and_(enterprise.c.city_code == rec["city"], enterprise.c.name == rec["name"])
            values = {"industry": rec["industry"], "grade": rec["grade"], **{c: float(rec[c]) for c in EMISSIONS}}
            old = conn.execute(sa.select(enterprise).where(where)).first()
            if old is None:
                conn.execute(
                    enterprise.insert().values(
                        city_code=rec["city"],
                        name=rec["name"],
                        **values,
                        revision=1,
                        batch_id=batch_id,
                        recorded_at=now,
                    )
                )
                counts["written"] += 1
            elif all(getattr(old, k) == v for k, v in values.items()):
                counts["unchanged"] += 1
            else:
                conn.execute(enterprise_history.insert().values(**old._mapping, superseded_at=now))
                conn.execute(
                    enterprise.update()
                    .where(where)
                    .values(**values, revision=old.revision + 1, batch_id=batch_id, recorded_at=now)
                )
                counts["written"] += 1
                counts["revised"] += 1
        conn.execute(ingest_batch.update().where(ingest_batch.c.id == batch_id).values(summary=json.dumps(counts)))
        work.target = f"batch {batch_id}"
        work.detail = {"source": Path(source).name, **counts}
    return counts


def list_enterprises(
    store: Store, principal: Principal, *, cities: list[str] | None = None, purpose: str = "read"
) -> pd.DataFrame:
    """Current enterprises (restricted: the read is recorded in the audit log with its purpose)."""
    principal.require(Scope.READ, "read the enterprise registry")
    q = sa.select(
        enterprise.c.name,
        enterprise.c.city_code.label("city"),
        enterprise.c.industry,
        enterprise.c.grade,
        *[enterprise.c[c] for c in EMISSIONS],
        enterprise.c.revision,
    ).order_by(enterprise.c.city_code, enterprise.c.name)
    codes = [region.get(c).code for c in cities] if cities else None
    if codes:
        q = q.where(enterprise.c.city_code.in_(codes))
    with store.read() as conn:
        frame = pd.DataFrame(
            [tuple(r) for r in conn.execute(q)], columns=["name", "city", "industry", "grade", *EMISSIONS, "revision"]
        )
    actions.record(
        store,
        principal,
        "enterprise.read",
        "enterprises" + (f" of {', '.join(codes)}" if codes else ""),
        "ok",
        {"rows": len(frame), "purpose": purpose},
    )
    return frame


__all__ = ["COLUMNS", "EMISSIONS", "GRADES", "import_enterprises", "list_enterprises", "parse_enterprises"]
