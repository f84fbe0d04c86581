"""Water samples on the store: ingesting sample files as revisioned, audited batches, reading them as of
a time, and classifying (GB 3838-2002) and evaluating (the 2011 method) what is stored."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.enums import Scope
from xietong.errors import InputError, Location, NotFoundError
from xietong.exchange import actions
from xietong.exchange.principals import Principal
from xietong.inputs import check_input_file
from xietong.store.clock import utcnow
from xietong.store.session import Store
from xietong.water.classify import classify, format_main_pollutants
from xietong.water.domain import WaterScope
from xietong.water.enums import Comparison, WaterFormat, WaterItem
from xietong.water.evaluate import evaluate_river, period_mean
from xietong.water.formats import CST, collect, detect_format, read_samples, to_wide
from xietong.water.registry import (
    Counts,
    aware_or_none,
    finish_batch,
    may_publish,
    network_of,
    open_batch,
    refuse_owner,
    sections_frame,
)
from xietong.water.standard import cnemc_decimals
from xietong.water.tables import (
    water_sample,
    water_sample_history,
)


@dataclass(slots=True)
class SampleResult:
    """The outcome of one sample batch."""

    source: str
    format: str
    batch_id: int | None = None
    sha256: str = ""
    rows: int = 0
    sections: int = 0
    values: Counts = field(default_factory=Counts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "batch_id": self.batch_id,
            "sha256": self.sha256,
            "rows": self.rows,
            "sections": self.sections,
            **self.values.as_dict(),
        }


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _utc(values: pd.Series) -> list[datetime]:
    return [pd.Timestamp(t).tz_convert(UTC).to_pydatetime() for t in values]


def write_samples(conn: Connection, samples: pd.DataFrame, *, batch_id: int, now: datetime, source: str) -> Counts:
    """Write long samples (``section, time, item, value``) with revision semantics in the caller's
    transaction: new values are inserted, equal ones left alone, changed ones revised (the old value
    moves to ``water_sample_history``)."""
    counts = Counts()
    if samples.empty:
        return counts
    frame = pd.DataFrame(
        {
            "section": samples["section"].astype(str).to_numpy(),
            "time": _utc(samples["time"]),
            "item": [WaterItem(i).value for i in samples["item"]],
            "value": samples["value"].astype("float64").to_numpy(),
            "row": samples["row"].to_numpy() if "row" in samples else np.zeros(len(samples), dtype="int64"),
        }
    )
    frame = frame[~np.isnan(frame["value"].to_numpy())]
    dup = frame.duplicated(["section", "time", "item"], keep=False)
    if dup.any():
        clash = frame[dup].groupby(["section", "time", "item"])["value"].nunique()
        if (clash > 1).any():
            (sec, t, item) = clash[clash > 1].index[0]
            raise InputError(
                f"section {sec}: {item} at {t.isoformat()} given twice with different values; nothing was written",
                expected="one value per section, time and item in a batch",
                where=Location(source),
                hint="remove the wrong row, or send the correction as a separate batch",
            )
        frame = frame.drop_duplicates(["section", "time", "item"])
    t = water_sample.c
    current: dict[tuple[str, datetime, str], Any] = {}
    for sec in sorted(set(frame["section"])):
        part = frame[frame["section"] == sec]
        q = sa.select(water_sample).where(
            t.section_code == sec, t.time_utc >= min(part["time"]), t.time_utc <= max(part["time"])
        )
        for r in conn.execute(q):
            current[(r.section_code, r.time_utc, r.item)] = r
    inserts: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for sec, when, item, value in zip(frame["section"], frame["time"], frame["item"], frame["value"], strict=True):
        counts.read += 1
        old = current.get((sec, when, item))
        if old is None:
            inserts.append({"section_code": sec, "time_utc": when, "item": item, "value": float(value),
                            "revision": 1, "batch_id": batch_id, "recorded_at": now})  # fmt: skip
            counts.written += 1
        elif float(old.value) == float(value):
            counts.unchanged += 1
        else:
            history.append({"section_code": sec, "time_utc": when, "item": item, "value": float(old.value),
                            "revision": old.revision, "batch_id": old.batch_id, "recorded_at": old.recorded_at,
                            "superseded_at": now})  # fmt: skip
            updates.append({"k_section": sec, "k_time": when, "k_item": item, "value": float(value),
                            "revision": old.revision + 1, "batch_id": batch_id, "recorded_at": now})  # fmt: skip
            counts.written += 1
            counts.revised += 1
    if history:
        conn.execute(water_sample_history.insert(), history)
        conn.execute(
            water_sample.update()
            .where(
                t.section_code == sa.bindparam("k_section"),
                t.time_utc == sa.bindparam("k_time"),
                t.item == sa.bindparam("k_item"),
            )
            .values(
                value=sa.bindparam("value"),
                revision=sa.bindparam("revision"),
                batch_id=sa.bindparam("batch_id"),
                recorded_at=sa.bindparam("recorded_at"),
            ),
            updates,
        )
    if inserts:
        conn.execute(water_sample.insert(), inserts)
    return counts


def ingest_samples(
    store: Store,
    principal: Principal,
    path: Path,
    *,
    fmt: WaterFormat | str = WaterFormat.AUTO,
    display_name: str | None = None,
) -> SampleResult:
    """Ingest one sample file (CNEMC real-time or canonical long CSV/JSON) as one all-or-nothing batch.

    The CNEMC real-time format is read from its unrounded ``_raw`` columns (``*`` and ``--`` are
    missing); section names are resolved against the stored sections. Every section of the file must be
    registered and owned by the principal's jurisdiction (a refusal is audited, nothing is written).
    """
    principal.require(WaterScope.PUBLISH, "publish water-quality samples")
    check_input_file(path)
    name = display_name or str(path)
    with actions.audited_write(store, principal, "water.ingest", f"file {Path(name).name}") as work:
        conn = work.conn
        net = network_of(conn)
        got = collect(read_samples(path, fmt, network=net))
        chosen = WaterFormat(fmt)
        if chosen is WaterFormat.AUTO:
            chosen = detect_format(path)
        if got.problems:
            raise InputError.refuse(
                got.problems,
                summary=f"{len(got.problems)} problem(s) in {Path(name).name}; nothing was written",
                hint="fix the rows named below",
            )
        samples = got.samples
        owners = net.sections["jurisdiction"]
        unknown = sorted(set(samples["section"]) - set(owners.index))
        if unknown:
            first = samples[samples["section"] == unknown[0]].iloc[0]
            raise NotFoundError(
                f"{len(unknown)} section(s) not registered: {', '.join(unknown[:20])}; nothing was written",
                expected="sections registered by their jurisdiction (xietong water sections)",
                given=unknown[0],
                where=Location(name, int(first["row"]), "section"),
                hint="publish the sections first (xietong water sections --publish FILE)",
            )
        for sec in sorted(set(samples["section"])):
            if not may_publish(principal, str(owners[sec])):
                raise refuse_owner(principal, f"samples of section {sec}", str(owners[sec]))
        now = utcnow()
        batch_id = open_batch(conn, principal, "water.samples", chosen.value, name, now)
        result = SampleResult(source=name, format=chosen.value, batch_id=batch_id, sha256=_sha256(path))
        result.rows = got.rows_read
        result.sections = int(samples["section"].nunique())
        result.values = write_samples(conn, samples, batch_id=batch_id, now=now, source=name)
        summary = result.as_dict()
        finish_batch(conn, batch_id, result.sha256, summary)
        work.target = f"batch {batch_id}"
        work.detail = {k: v for k, v in summary.items() if k != "source"} | {"source": Path(name).name}
    return result


def samples_frame(
    conn: Connection,
    *,
    sections: Iterable[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """Long samples ``section, time (UTC+08:00), item, value, revision, recorded_at`` as published
    (``as_of``: as the store held them then)."""
    start, end, as_of = aware_or_none(start, "from"), aware_or_none(end, "to"), aware_or_none(as_of, "as_of")

    def filtered(table: sa.Table, q: Any) -> Any:
        if sections is not None:
            q = q.where(table.c.section_code.in_(sorted(set(sections))))
        if start is not None:
            q = q.where(table.c.time_utc >= start)
        if end is not None:
            q = q.where(table.c.time_utc <= end)
        return q

    cols = ["section_code", "time_utc", "item", "value", "revision", "recorded_at"]
    cur = water_sample
    q = filtered(cur, sa.select(*[cur.c[c] for c in cols]))
    rows: list[Any] = []
    if as_of is None:
        rows = list(conn.execute(q))
    else:
        hist = water_sample_history
        rows = list(conn.execute(q.where(cur.c.recorded_at <= as_of)))
        rows += list(
            conn.execute(
                filtered(hist, sa.select(*[hist.c[c] for c in cols])).where(
                    hist.c.recorded_at <= as_of, hist.c.superseded_at > as_of
                )
            )
        )
    frame = pd.DataFrame([tuple(r) for r in rows], columns=cols).rename(
        columns={"section_code": "section", "time_utc": "time"}
    )
    frame["time"] = pd.to_datetime(frame["time"], utc=True).dt.tz_convert(CST)
    frame["value"] = frame["value"].astype("float64")
    return frame.sort_values(["section", "time", "item"]).reset_index(drop=True)


def read_samples_stored(
    store: Store,
    principal: Principal,
    *,
    sections: Iterable[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    as_of: datetime | None = None,
) -> pd.DataFrame:
    principal.require(Scope.READ, "read water-quality samples")
    with store.read() as conn:
        return samples_frame(conn, sections=sections, start=start, end=end, as_of=as_of)


def classify_stored(
    store: Store,
    principal: Principal,
    *,
    sections: Iterable[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """GB 3838 class of every stored sample (one row per section and time), against the section's
    water body and target class: ``section, time, water_class, grade, deciding_items, main_pollutants,
    target_class, exceeds_target, target_exceeding_items`` and the item values."""
    principal.require(Scope.READ, "read water-quality samples")
    with store.read() as conn:
        long = samples_frame(conn, sections=sections, start=start, end=end, as_of=as_of)
        meta = sections_frame(conn).set_index("code")
    return classify_wide(to_wide(long.assign(unit="")), meta)


def classify_wide(wide: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Classify a wide frame of samples with the sections' water body and target class (``meta``
    indexed by section code with ``waterbody`` and ``target_class``). Values are rounded half-even to the
    CNEMC published decimals before they meet the limits (the practice that reproduces every published
    class, docs/water-agreement.md), so incidents do not open on digits the publisher never showed."""
    if wide.empty:
        return pd.DataFrame(
            columns=["section", "time", "water_class", "grade", "deciding_items", "main_pollutants", "target_class",
                     "exceeds_target", "target_exceeding_items"]
        )  # fmt: skip
    waterbody = meta["waterbody"].reindex(wide["section"]).fillna("river").to_numpy()
    target = [None if t is None or (isinstance(t, float) and math.isnan(t)) else t
              for t in meta["target_class"].reindex(wide["section"])]  # fmt: skip
    result = classify(wide, waterbody, target=target, comparison=Comparison.ROUNDED, decimals=cnemc_decimals())
    s = result.samples
    items = [c for c in wide.columns if c not in {"section", "time"}]
    out = pd.DataFrame(
        {
            "section": wide["section"].to_numpy(),
            "time": wide["time"].to_numpy(),
            "water_class": [c.value if c is not None else None for c in s["water_class"]],
            "grade": [g.value if g is not None else None for g in s["grade"]],
            "deciding_items": [" ".join(i.value for i in t) for t in s["deciding_items"]],
            "main_pollutants": [
                format_main_pollutants(p, m)
                for p, m in zip(s["main_pollutants"], s["main_pollutant_multiples"], strict=True)
            ],
            "target_class": [t.value if t is not None else None for t in s["target_class"]],
            "exceeds_target": [None if pd.isna(e) else bool(e) for e in s["exceeds_target"]],
            "target_exceeding_items": [" ".join(i.value for i in t) for t in s["target_exceeding_items"]],
        }
    )
    for item in items:
        out[item] = wide[item].to_numpy()
    out["time"] = pd.to_datetime(out["time"]).dt.tz_convert(CST) if len(out) else out["time"]
    return out


class EvaluateBy(StrEnum):
    """What :func:`evaluate_stored` grades: each river, or the whole basin."""

    RIVER = "river"
    BASIN = "basin"


def evaluate_stored(
    store: Store,
    principal: Principal,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    by: EvaluateBy = EvaluateBy.RIVER,
    rivers: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """Period evaluation of stored samples by the 2011 method: each section's period mean classified
    (single-factor), then each river (or the basin) graded (< 5 sections: mean of the section means;
    >= 5: the class-proportion method)."""
    principal.require(Scope.READ, "read water-quality samples")
    with store.read() as conn:
        long = samples_frame(conn, start=start, end=end)
        meta = sections_frame(conn).set_index("code")
    if long.empty:
        return []
    wide = to_wide(long.assign(unit=""))
    means = period_mean(wide)
    if "section" not in means.columns:
        means = means.reset_index()
    means["river"] = meta["river"].reindex(means["section"]).to_numpy()
    means["basin"] = meta["basin"].reindex(means["section"]).to_numpy()
    means["waterbody"] = meta["waterbody"].reindex(means["section"]).fillna("river").to_numpy()
    wanted = set(rivers) if rivers else None
    out: list[dict[str, Any]] = []
    for key, group in means.groupby(by.value, sort=True):
        if wanted is not None and key not in wanted:
            continue
        try:
            result = evaluate_river(group.reset_index(drop=True))
        except InputError as exc:  # e.g. rivers and reservoirs mixed under the mean method
            out.append({by.value: key, "error": exc.problem.describe()})
            continue
        out.append({by.value: key, **result.as_dict()})
    return out


__all__ = [
    "EvaluateBy",
    "SampleResult",
    "classify_stored",
    "classify_wide",
    "evaluate_stored",
    "ingest_samples",
    "read_samples_stored",
    "samples_frame",
    "write_samples",
]
