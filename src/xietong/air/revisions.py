"""Idempotent, revisioned writes of the air domain's hourly observations and published values.

For every incoming value the writer compares with the *current* revision of its record:

* no current value → **written** (new);
* equal value and flag → **unchanged** (nothing is touched, so the same batch twice changes nothing);
* different → **revised**: the current row is copied to the history table with ``superseded_at`` and
  then updated in place to ``revision + 1`` with the merged values (values the batch does not mention
  are carried over). The old revision stays readable with ``as_of``.

Within one batch a record may arrive in several chunks (a long file split anywhere). A later chunk adds
to the row the same batch wrote (no extra revision); a contradicting value for the same pollutant is a
:class:`~xietong.errors.DuplicateRecordError`.

Everything runs inside the caller's transaction: a batch is all-or-nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from xietong.air.tables import (
    OBSERVATION_VALUE_COLUMNS,
    air_observation,
    air_observation_history,
    air_published,
    air_published_history,
)
from xietong.enums import POLLUTANTS
from xietong.errors import DuplicateRecordError, Location, Problem
from xietong.exchange.counts import WriteCounts
from xietong.store.bulk import (
    bind_epoch_us,
    epoch_us_column,
    execute_many,
    fetch_frame,
    insert_frame,
    time_column_compare,
)

US = 1_000_000
VALUE_COLUMNS = OBSERVATION_VALUE_COLUMNS


def _current_observations(conn: Connection, stations: list[str], t0_s: int, t1_s: int) -> pd.DataFrame:
    d = conn.dialect.name
    t = air_observation.c
    q = sa.select(
        t.station_code.label("station"),
        epoch_us_column(t.time_utc, d).label("time_us"),
        t.revision,
        *[t[c] for c in VALUE_COLUMNS],
        t.flag_bits,
        t.batch_id,
        epoch_us_column(t.recorded_at, d).label("recorded_us"),
    ).where(
        t.station_code.in_(stations),
        time_column_compare(t.time_utc, d).between(bind_epoch_us(t0_s * US, d), bind_epoch_us(t1_s * US, d)),
    )
    cols = ["station", "time_us", "revision", *VALUE_COLUMNS, "flag_bits", "batch_id", "recorded_us"]
    cur = fetch_frame(conn, q, cols)
    if cur.empty:
        return cur
    cur["time_s"] = (cur["time_us"].astype("int64") // US).astype("int64")
    for c in VALUE_COLUMNS:
        cur[c] = pd.to_numeric(cur[c]).astype("float64")
    cur["station"] = cur["station"].astype(object)
    return cur.drop(columns="time_us")


def write_observations(
    conn: Connection, frame: pd.DataFrame, *, batch_id: int, recorded_at_us: int, source: str
) -> WriteCounts:
    """Write a wide chunk (see :class:`xietong.air.formats.ObservationChunk`) with revision semantics."""
    counts = WriteCounts()
    if frame.empty:
        return counts
    merged = _with_current(conn, frame)
    plan = _compare_observations(merged, batch_id, counts)
    if plan.contradiction.any():
        _refuse_contradictions(merged, plan.contradiction, source)
    touched = plan.any_new | plan.any_changed
    insert_fresh = touched & ~plan.has_cur
    update_in_place = touched & plan.same_batch
    revise = touched & plan.has_cur & ~plan.same_batch
    time_us = merged["time_s"].to_numpy(dtype="int64") * US
    revision = merged["revision"].fillna(0).to_numpy(dtype="int64")
    if revise.any():
        idx = np.flatnonzero(revise)
        history = pd.DataFrame(
            {
                "station_code": merged["station"].to_numpy()[idx],
                "time_utc": time_us[idx],
                "revision": revision[idx],
                **{c: merged[c + "_cur"].to_numpy(dtype="float64")[idx] for c in VALUE_COLUMNS},
                "flag_bits": plan.cur_flags[idx],
                "batch_id": merged["batch_id_cur"].to_numpy()[idx].astype("int64"),
                "recorded_at": merged["recorded_us"].to_numpy()[idx].astype("int64"),
                "superseded_at": recorded_at_us,
            }
        )
        insert_frame(conn, air_observation_history, history)
    changed_rows = np.flatnonzero(update_in_place | revise)
    if changed_rows.size:
        new_revision = revision + np.where(update_in_place, 0, 1)
        _update_observations(conn, merged, plan, changed_rows, new_revision, batch_id, recorded_at_us)
    if insert_fresh.any():
        idx = np.flatnonzero(insert_fresh)
        out = pd.DataFrame(
            {
                "station_code": merged["station"].to_numpy()[idx],
                "time_utc": time_us[idx],
                "revision": 1,
                **{c: plan.out_values[c][idx] for c in VALUE_COLUMNS},
                "flag_bits": plan.out_flags[idx],
                "batch_id": batch_id,
                "recorded_at": recorded_at_us,
            }
        )
        insert_frame(conn, air_observation, out)
    return counts


def _with_current(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the current revision of each station-hour beside it (``<column>_cur``, ``revision``,
    ``batch_id_cur``, ``recorded_us``; NaN where there is none)."""
    stations = sorted(frame["station"].unique().tolist())
    cur = _current_observations(conn, stations, int(frame["time_s"].min()), int(frame["time_s"].max()))
    if not cur.empty:
        return frame.merge(
            cur.rename(columns={"batch_id": "batch_id_cur"}),
            on=["station", "time_s"],
            how="left",
            suffixes=("", "_cur"),
        )
    merged = frame.copy()
    merged["revision"] = np.nan
    merged["batch_id_cur"] = np.nan
    for c in VALUE_COLUMNS:
        merged[c + "_cur"] = np.nan
    merged["flag_bits_cur"] = 0
    return merged


@dataclass(slots=True)
class _Comparison:
    """Incoming station-hours against their current revision, pollutant by pollutant (one entry per row)."""

    has_cur: npt.NDArray[np.bool_]  # a current revision exists
    same_batch: npt.NDArray[np.bool_]  # ... and this batch wrote it (a later chunk of the same file)
    cur_flags: npt.NDArray[np.int64]
    out_flags: npt.NDArray[np.int64]  # the flags after merging
    out_values: dict[str, npt.NDArray[np.float64]]  # the values after merging (unmentioned ones carried over)
    any_new: npt.NDArray[np.bool_]  # a pollutant without a current value
    any_changed: npt.NDArray[np.bool_]  # a pollutant whose value or flag differs
    contradiction: npt.NDArray[np.bool_]  # a difference with what this same batch wrote


def _compare_observations(merged: pd.DataFrame, batch_id: int, counts: WriteCounts) -> _Comparison:
    """Compare each pollutant of each row with its current value and count read, written, unchanged and
    revised values into ``counts``."""
    n = len(merged)
    has_cur = merged["revision"].notna().to_numpy()
    cur_batch = merged["batch_id_cur"].to_numpy(dtype="float64", na_value=np.nan)
    inc_flags = merged["flag_bits"].to_numpy(dtype="int64")
    cur_flags = merged["flag_bits_cur"].fillna(0).to_numpy(dtype="int64")
    c = _Comparison(
        has_cur=has_cur,
        same_batch=has_cur & (cur_batch == batch_id),
        cur_flags=cur_flags,
        out_flags=cur_flags.copy(),
        out_values={},
        any_new=np.zeros(n, dtype=bool),
        any_changed=np.zeros(n, dtype=bool),
        contradiction=np.zeros(n, dtype=bool),
    )
    for i, col in enumerate(VALUE_COLUMNS):
        shift = 2 * i
        inc_v = merged[col].to_numpy(dtype="float64")
        cur_v = merged[col + "_cur"].to_numpy(dtype="float64")
        inc_f = (inc_flags >> shift) & 3
        cur_f = (cur_flags >> shift) & 3
        present = ~np.isnan(inc_v) | (inc_f != 0)
        cur_present = ~np.isnan(cur_v) | (cur_f != 0)
        equal_v = (inc_v == cur_v) | (np.isnan(inc_v) & np.isnan(cur_v))
        same = present & cur_present & equal_v & (inc_f == cur_f)
        new = present & ~cur_present
        changed = present & cur_present & ~same
        c.contradiction |= changed & c.same_batch
        counts.read += int(present.sum())
        counts.unchanged += int(same.sum())
        counts.written += int(new.sum() + changed.sum())
        counts.revised += int((changed & ~c.same_batch).sum())
        c.any_new |= new
        c.any_changed |= changed
        c.out_values[col] = np.where(present, inc_v, cur_v)
        c.out_flags = (c.out_flags & ~(3 << shift)) | (np.where(present, inc_f, cur_f) << shift)
    return c


def _refuse_contradictions(merged: pd.DataFrame, contradiction: npt.NDArray[np.bool_], source: str) -> None:
    """Raise :class:`DuplicateRecordError` naming the rows that contradict what the same batch wrote."""
    stations = merged["station"].to_numpy(dtype=object)
    rows = merged["row"].to_numpy(dtype="int64")
    problems = [
        Problem(
            f"station {stations[i]}: the same hour appears twice in this batch with different values",
            Location(source, int(rows[i])),
            "one value per station, hour and pollutant in a batch",
            "a second, different value",
            "remove the wrong row, or send the correction as a separate batch",
        )
        for i in np.flatnonzero(contradiction)[:1000]
    ]
    raise DuplicateRecordError(
        f"{int(contradiction.sum())} station-hour(s) given twice with different values; nothing was written",
        where=Location(source),
        problems=problems,
    )


def _update_observations(
    conn: Connection,
    merged: pd.DataFrame,
    plan: _Comparison,
    rows: npt.NDArray[np.intp],
    revision: npt.NDArray[np.int64],
    batch_id: int,
    recorded_at_us: int,
) -> None:
    """Update the current rows of ``rows`` in place with the merged values, flags and ``revision``."""
    d = conn.dialect.name
    stations = merged["station"].to_numpy(dtype=object)
    time_us = merged["time_s"].to_numpy(dtype="int64") * US
    sets = ", ".join(f"{c} = ?" for c in VALUE_COLUMNS)
    params = [
        (
            *(_none(plan.out_values[c][i]) for c in VALUE_COLUMNS),
            int(plan.out_flags[i]),
            int(revision[i]),
            batch_id,
            _time_param(recorded_at_us, d),
            stations[i],
            _time_param(int(time_us[i]), d),
        )
        for i in rows
    ]
    sql = (
        f"UPDATE air_observation SET {sets}, flag_bits = ?, revision = ?, batch_id = ?, recorded_at = ? "
        "WHERE station_code = ? AND time_utc = ?"
    )
    execute_many(conn, sql, sql.replace("?", "%s"), params)


def _none(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _time_param(us: int, dialect: str) -> object:
    return us if dialect == "sqlite" else pd.Timestamp(us, unit="us", tz="UTC").to_pydatetime()


def write_published(
    conn: Connection, frame: pd.DataFrame, *, batch_id: int, recorded_at_us: int, source: str
) -> WriteCounts:
    """Write published derived values (``station, time_s, variable, value, text``) with revisions."""
    counts = WriteCounts()
    if frame.empty:
        return counts
    cur = _current_published(conn, frame)
    frame = frame.drop_duplicates(subset=["station", "time_s", "variable", "value", "text"])
    frame = frame.assign(time_us=frame["time_s"].to_numpy(dtype="int64") * US)
    if cur.empty:
        merged = frame.assign(revision=np.nan, value_cur=np.nan, text_cur=None, batch_cur=np.nan, recorded_us=np.nan)
    else:
        merged = frame.merge(cur, on=["station", "time_us", "variable"], how="left")
    has_cur = merged["revision"].notna().to_numpy()
    v, vc = merged["value"].to_numpy(dtype="float64"), merged["value_cur"].to_numpy(dtype="float64")
    tx = merged["text"].astype(object).where(merged["text"].notna(), None).to_numpy()
    txc = merged["text_cur"].astype(object).where(merged["text_cur"].notna(), None).to_numpy()
    same = has_cur & ((v == vc) | (np.isnan(v) & np.isnan(vc))) & (tx == txc)
    same_batch = has_cur & (merged["batch_cur"].to_numpy(dtype="float64", na_value=np.nan) == batch_id)
    changed = has_cur & ~same
    if (changed & same_batch).any():
        i = int(np.flatnonzero(changed & same_batch)[0])
        raise DuplicateRecordError(
            f"station {merged['station'].iat[i]}: published {merged['variable'].iat[i]} given twice "
            "with different values; nothing was written",
            where=Location(source, int(merged["row"].to_numpy(dtype="int64")[i])),
            expected="one value per station, hour and variable in a batch",
        )
    counts.read = len(merged)
    counts.unchanged = int(same.sum())
    counts.written = int((~has_cur).sum() + changed.sum())
    counts.revised = int(changed.sum())
    revision = merged["revision"].fillna(0).to_numpy(dtype="int64")
    if changed.any():
        _revise_published(conn, merged, changed, revision, (v, tx), (vc, txc), batch_id, recorded_at_us)
    fresh = ~has_cur
    if fresh.any():
        sel = merged[fresh]
        insert_frame(
            conn,
            air_published,
            pd.DataFrame(
                {
                    "station_code": sel["station"].to_numpy(),
                    "time_utc": sel["time_us"].to_numpy(dtype="int64"),
                    "variable": sel["variable"].to_numpy(),
                    "revision": 1,
                    "value": sel["value"].to_numpy(dtype="float64"),
                    "text": tx[fresh],
                    "batch_id": batch_id,
                    "recorded_at": recorded_at_us,
                }
            ),
        )
    return counts


def _current_published(conn: Connection, frame: pd.DataFrame) -> pd.DataFrame:
    """The current published values of the stations and hours ``frame`` spans (``value_cur``, ``text_cur``,
    ``batch_cur``, ``revision``, ``recorded_us`` by station, ``time_us`` and variable)."""
    d = conn.dialect.name
    t = air_published.c
    stations = sorted(frame["station"].unique().tolist())
    t0, t1 = int(frame["time_s"].min()) * US, int(frame["time_s"].max()) * US
    q = sa.select(
        t.station_code.label("station"),
        epoch_us_column(t.time_utc, d).label("time_us"),
        t.variable,
        t.revision,
        t.value.label("value_cur"),
        t.text.label("text_cur"),
        t.batch_id.label("batch_cur"),
        epoch_us_column(t.recorded_at, d).label("recorded_us"),
    ).where(
        t.station_code.in_(stations),
        time_column_compare(t.time_utc, d).between(bind_epoch_us(t0, d), bind_epoch_us(t1, d)),
    )
    cur = fetch_frame(
        conn,
        q,
        ["station", "time_us", "variable", "revision", "value_cur", "text_cur", "batch_cur", "recorded_us"],
    )
    if not cur.empty:
        cur["time_us"] = cur["time_us"].astype("int64")
        cur["station"] = cur["station"].astype(object)
        cur["value_cur"] = pd.to_numeric(cur["value_cur"]).astype("float64")
    return cur


def _revise_published(
    conn: Connection,
    merged: pd.DataFrame,
    changed: npt.NDArray[np.bool_],
    revision: npt.NDArray[np.int64],
    new: tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]],
    old: tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]],
    batch_id: int,
    recorded_at_us: int,
) -> None:
    """Copy the ``changed`` current values (``old``: value, text) to the history and update them in place
    to ``new`` as the next revision."""
    d = conn.dialect.name
    (v, tx), (vc, txc) = new, old
    sel = merged[changed]
    insert_frame(
        conn,
        air_published_history,
        pd.DataFrame(
            {
                "station_code": sel["station"].to_numpy(),
                "time_utc": sel["time_us"].to_numpy(dtype="int64"),
                "variable": sel["variable"].to_numpy(),
                "revision": revision[changed],
                "value": vc[changed],
                "text": txc[changed],
                "batch_id": sel["batch_cur"].to_numpy().astype("int64"),
                "recorded_at": sel["recorded_us"].to_numpy().astype("int64"),
                "superseded_at": recorded_at_us,
            }
        ),
    )
    stations = merged["station"].to_numpy(dtype=object)
    variables = merged["variable"].to_numpy(dtype=object)
    times_us = merged["time_us"].to_numpy(dtype="int64")
    sql = (
        "UPDATE air_published SET value = ?, text = ?, revision = ?, batch_id = ?, recorded_at = ? "
        "WHERE station_code = ? AND time_utc = ? AND variable = ?"
    )
    params = [
        (
            _none(v[i]),
            tx[i],
            int(revision[i] + 1),
            batch_id,
            _time_param(recorded_at_us, d),
            stations[i],
            _time_param(int(times_us[i]), d),
            variables[i],
        )
        for i in np.flatnonzero(changed)
    ]
    execute_many(conn, sql, sql.replace("?", "%s"), params)


__all__ = ["VALUE_COLUMNS", "WriteCounts", "write_observations", "write_published"]

assert tuple(p.column for p in POLLUTANTS) == VALUE_COLUMNS, "store columns must follow POLLUTANTS order"
