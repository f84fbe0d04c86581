"""Reader of the Jingguang HSR plan timetable (:mod:`.formats` lists every format).

``plan_timetable.csv`` (BOM; one row per train, ``station_<i>_A``/``_D`` columns, blank where the train is
not on that part of the corridor), ``station_alias.json`` (station names; not valid JSON, full-width commas
between objects) and ``train_id_mapping.csv`` (row id → train number). Arrival == departure means passing
without a stop, except at the corridor's first and last station, where the plan records one time for a
train that starts or ends (or leaves the plan) there, as the source's own long form does. Line posts
(``node_type`` ``line_post``) are never stops.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from xietong.errors import InputError, Location, excerpt
from xietong.inputs import csv_guard, read_input_text
from xietong.transit.china_rail.runs import (
    SECONDS_PER_DAY,
    RailFormat,
    SourceRuns,
    input_error,
    json_list,
    parse_hhmm,
    source_runs,
)


def parse_station_alias(path: Path) -> list[dict[str, Any]]:
    """Read ``station_alias.json`` tolerantly: full-width commas (，) between objects become commas.

    Raises
    ------
    InputError
        When the text is still not JSON after that repair, or an entry lacks ``station_idx`` or
        ``station_name``.
    """
    raw = read_input_text(path)
    text = re.sub(r"}\s*，", "},", raw)
    data = json_list(
        path, text, what="station aliases (after replacing full-width commas)",
        expected="a JSON list of {station_idx, station_name, node_type}",
    )  # fmt: skip
    for i, item in enumerate(data, start=1):
        for key in ("station_idx", "station_name"):
            if not isinstance(item, dict) or key not in item:
                raise input_error(
                    "station alias entry lacks a field",
                    path=path,
                    row=i,
                    field=key,
                    expected="station_idx and station_name",
                    given=repr(item)[:60],
                )
    return data


def read_jingguang_wide(directory: Path) -> SourceRuns:
    """Read the Jingguang HSR plan timetable directory (see the module docstring for the quirks).

    Raises
    ------
    InputError
        A missing file or column, a row with only one of arrival/departure, a train between blank
        columns, a bad time, or a row id without a train number; naming file, row and field.
    """
    plan = directory / "plan_timetable.csv"
    alias_path = directory / "station_alias.json"
    mapping_path = directory / "train_id_mapping.csv"
    for p in (plan, alias_path, mapping_path):
        if not p.is_file():
            raise InputError(
                "Jingguang plan timetable file missing",
                expected="plan_timetable.csv, station_alias.json and train_id_mapping.csv in one directory",
                given=f"no {p.name}",
                where=Location(str(directory)),
            )
    nodes = {int(n["station_idx"]): n for n in parse_station_alias(alias_path)}
    first_idx, last_idx = min(nodes), max(nodes)
    with csv_guard(str(mapping_path)), io.StringIO(read_input_text(mapping_path), newline="") as fh:
        reader = csv.DictReader(fh)
        lacking = [c for c in ("train_id", "train_no") if c not in (reader.fieldnames or [])]
        if lacking:
            raise input_error(
                "train id mapping lacks a column", path=mapping_path, row=1, field=lacking[0],
                expected="train_id, train_no", given=excerpt(", ".join(reader.fieldnames or []) or "no header", 120),
            )  # fmt: skip
        mapping = {(r["train_id"] or "").strip(): (r["train_no"] or "").strip() for r in reader}
    rows: list[dict[str, object]] = []
    for row_no, r in enumerate(_plan_rows(plan, nodes), start=2):
        train_id = (r.get("train_id") or "").strip()
        code = mapping.get(train_id)
        if not code:
            raise input_error(
                "train id without a train number",
                path=plan,
                row=row_no,
                field="train_id",
                expected="an id listed in train_id_mapping.csv",
                given=repr(train_id),
            )
        for seq, (idx, a, d, arr, dep) in enumerate(_train_times(plan, row_no, r, nodes), start=1):
            node = nodes[idx]
            is_post = str(node.get("node_type") or "station") != "station"
            rows.append(
                {
                    "run_id": train_id,
                    "train_code": code,
                    "train_no": "",
                    "seq": seq,
                    "station_name": str(node["station_name"]),
                    "stop_train_code": "",
                    "arrival_s": arr,
                    "departure_s": dep,
                    "stops": not is_post and (a != d or idx in (first_idx, last_idx)),
                }
            )
    n_posts = sum(1 for n in nodes.values() if str(n.get("node_type") or "station") != "station")
    notes = (
        "arrival == departure read as passing without a stop, except at the corridor's first and last "
        f"station ({nodes[first_idx]['station_name']}, {nodes[last_idx]['station_name']})",
        f"{n_posts} line post(s) are never stops; trains are cut to the corridor (partial runs)",
        "the plan is of one working day about 2025/26 without a date",
    )
    return source_runs(
        RailFormat.JINGGUANG_WIDE,
        directory,
        rows,
        source_date=None,
        date_note="undated (one working day, about 2025/26)",
        notes=notes,
    )


def _plan_rows(plan: Path, nodes: dict[int, dict[str, Any]]) -> list[dict[str, str]]:
    """The rows of ``plan_timetable.csv``, once its header has ``train_id`` and both columns of every node."""
    with csv_guard(str(plan)), io.StringIO(read_input_text(plan), newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        if "train_id" not in header:
            raise input_error(
                "plan timetable lacks the train_id column",
                path=plan,
                row=1,
                field="train_id",
                expected="train_id, station_1_A, station_1_D, …",
                given=", ".join(header[:4]),
            )
        for idx in nodes:
            for suffix in ("A", "D"):
                if f"station_{idx}_{suffix}" not in header:
                    raise input_error(
                        "plan timetable lacks a station column",
                        path=plan,
                        row=1,
                        field=f"station_{idx}_{suffix}",
                        expected=f"columns for the {len(nodes)} nodes of station_alias.json",
                        given="no such column",
                    )
        return list(reader)


def _train_times(
    plan: Path, row_no: int, r: dict[str, str], nodes: dict[int, dict[str, Any]]
) -> list[tuple[int, int, int, int, int]]:
    """One plan row's nodes on the corridor, in order: ``(node, clock arrival, clock departure, arrival_s,
    departure_s)``, the last two moved on by whole days where the clock goes backwards."""
    present: list[tuple[int, int, int]] = []
    for idx in sorted(nodes):
        a_field, d_field = f"station_{idx}_A", f"station_{idx}_D"
        a = parse_hhmm(r.get(a_field) or "", where=Location(str(plan), row_no, a_field), empty=("",))
        d = parse_hhmm(r.get(d_field) or "", where=Location(str(plan), row_no, d_field), empty=("",))
        if (a is None) != (d is None):
            raise input_error(
                "only one of arrival and departure is given",
                path=plan,
                row=row_no,
                field=a_field if a is None else d_field,
                expected="both times, or both blank where the train is not on this part of the corridor",
                given="a blank cell",
            )
        if a is not None and d is not None:
            present.append((idx, a, d))
    if not present:
        return []
    indices = [p[0] for p in present]
    if indices != list(range(indices[0], indices[-1] + 1)):
        gap = next(i for i in range(indices[0], indices[-1] + 1) if i not in indices)
        raise input_error(
            "blank columns between stations of one train",
            path=plan,
            row=row_no,
            field=f"station_{gap}_A",
            expected="blank columns only before the train joins or after it leaves the corridor",
            given="a gap inside the run",
        )
    out = []
    day = 0
    last = -1
    for idx, a, d in present:
        arr = a + day * SECONDS_PER_DAY
        while arr < last:
            arr += SECONDS_PER_DAY
            day += 1
        dep = d + day * SECONDS_PER_DAY
        while dep < arr:
            dep += SECONDS_PER_DAY
            day += 1
        last = dep
        out.append((idx, a, d, arr, dep))
    return out


__all__ = ["parse_station_alias", "read_jingguang_wide"]
