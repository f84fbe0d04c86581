"""The river graph: monitoring sections and directed links to the next section downstream.

Pure functions on two frames. A **section** (断面) has a code, name, river, basin, the GB/T 2260 code
of the jurisdiction that owns it, a water body type, a target class, a point when known, and a
cross-border flag with the jurisdictions the water leaves and enters there. A **link** goes from a
section to the next monitored section downstream, with the distance along the water [km], a mean flow
velocity [m/s] and an ``approximate`` flag. Travel time of a link = ``distance_km * 1000 /
velocity_m_s`` [s]; along a path the times add up (:func:`downstream`).

Xietong ships a Haihe-basin graph (:func:`haihe_network`; package data
``xietong/data/water_sections_haihe.csv`` and ``water_links_haihe.csv``, described in docs/water.md):
all 139 sections of the CNEMC Haihe/Jing-Jin-Ji list, 72 of them placed on the graph with 67 links.
Every distance and velocity there is an estimate (``approximate = true``, with how it was estimated in
``estimate``); every target class is an assumption (``target_class_assumed = true``). Reservoirs on a
path are crossed at the river velocity: their residence time is not modelled, so an ETA is the earliest
plausible arrival, not the expected one.

Section frame columns: ``code`` (index), ``name``, ``river``, ``basin``, ``province``, ``city``,
``jurisdiction`` (6-digit code), ``waterbody`` (``river``/``lake``), ``target_class``
(:class:`WaterClass` or ``None``), ``target_class_assumed`` (bool), ``lon``, ``lat`` [degrees, NaN when
not known], ``cross_border`` (bool), ``from_jurisdiction``, ``to_jurisdiction`` (code or ``None``),
``note``.

Link frame columns: ``from_section``, ``to_section``, ``river``, ``kind`` (:class:`LinkKind`),
``distance_km``, ``velocity_m_s``, ``approximate`` (bool), ``estimate``, ``travel_time_h``.
"""

from __future__ import annotations

import heapq
import io
import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import pandas as pd

from xietong.errors import InputError, Location, NotFoundError, Problem
from xietong.water.enums import LinkKind, Waterbody, WaterClass

SECTION_COLUMNS = ("code", "name", "river", "basin", "jurisdiction", "waterbody", "target_class")
LINK_COLUMNS = ("from_section", "to_section", "distance_km", "velocity_m_s")
_CODE = re.compile(r"^\d{6}$")
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class RiverNetwork:
    """Validated sections (indexed by code) and links; build with :func:`build_network`."""

    sections: pd.DataFrame
    links: pd.DataFrame

    def section(self, code: str) -> pd.Series:
        """One section's row; :class:`~xietong.errors.NotFoundError` with a hint when unknown."""
        if code not in self.sections.index:
            raise NotFoundError(
                "unknown water-quality section",
                expected="a section code of the river graph, e.g. " + ", ".join(self.sections.index[:5]),
                given=repr(code),
                hint="sections are listed by xietong.water.network.haihe_network().sections",
            )
        return cast(pd.Series, self.sections.loc[code])


# -- loading and validation ------------------------------------------------------------------------


def _read(source: str | Path | IO[str] | None, package_file: str) -> tuple[pd.DataFrame, str]:
    if source is None:
        text = resources.files("xietong.data").joinpath(package_file).read_text("utf-8")
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), f"xietong/data/{package_file}"
    name = str(source) if isinstance(source, str | Path) else getattr(source, "name", "<stream>")
    return pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8-sig"), name


def _bool(text: str, where: Location, problems: list[Problem]) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key not in _FALSE:
        problems.append(Problem("not a boolean", where, "true or false", repr(text)))
    return False


def _float(text: str, where: Location, problems: list[Problem], *, required: bool) -> float:
    s = text.strip()
    if not s:
        if required:
            problems.append(Problem("missing number", where, "a number"))
        return float("nan")
    try:
        return float(s)
    except ValueError:
        problems.append(Problem("not a number", where, "a decimal number", repr(text)))
        return float("nan")


def _require(frame: pd.DataFrame, needed: Iterable[str], source: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(
            f"lacks column(s) {', '.join(missing)}",
            expected=", ".join(needed),
            given=", ".join(map(str, frame.columns)),
            where=Location(source, 1),
        )


def _sections(raw: pd.DataFrame, source: str, problems: list[Problem]) -> pd.DataFrame:
    _require(raw, SECTION_COLUMNS, source)
    records = [_section_record(rec, source, i + 2, problems) for i, rec in enumerate(raw.to_dict("records"))]
    frame = pd.DataFrame.from_records(records, columns=[*records[0]] if records else None)
    dup = frame["code"].duplicated(keep=False) if len(frame) else pd.Series([], dtype=bool)
    dup_rows = frame[dup.to_numpy(dtype=bool)]
    for line, code in zip(dup_rows["row"], dup_rows["code"], strict=True):
        problems.append(
            Problem(f"section code {code!r} given twice", Location(source, int(line), "code"), "unique codes")
        )
    for col in ("target_class", "from_jurisdiction", "to_jurisdiction"):  # keep enum members and None
        frame[col] = pd.Series([r[col] for r in records], index=frame.index, dtype=object)
    return frame.drop(columns="row").set_index("code", drop=False).rename_axis(None)


def _section_record(rec: Mapping[Hashable, Any], source: str, line: int, problems: list[Problem]) -> dict[str, Any]:
    """One row of the sections table, read; every bad cell is added to ``problems``."""

    def at(field: str) -> Location:
        return Location(source, line, field)

    code = str(rec["code"]).strip()
    if not code:
        problems.append(Problem("empty section code", at("code"), "a unique code, e.g. TJ03"))
    jurisdiction = str(rec["jurisdiction"]).strip()
    if not _CODE.match(jurisdiction):
        problems.append(
            Problem("not a GB/T 2260 code", at("jurisdiction"), "6 digits, e.g. 120000", repr(jurisdiction))
        )
    waterbody = str(rec["waterbody"]).strip().lower()
    if waterbody not in {w.value for w in Waterbody}:
        problems.append(Problem("unknown water body type", at("waterbody"), "river or lake", repr(waterbody)))
    target = _target_class(str(rec["target_class"]).strip(), at("target_class"), problems)
    lon = _float(str(rec.get("lon", "")), at("lon"), problems, required=False)
    lat = _float(str(rec.get("lat", "")), at("lat"), problems, required=False)
    if not np.isnan(lon) and not (70.0 <= lon <= 140.0):
        problems.append(Problem("longitude outside China", at("lon"), "70..140 [degrees E]", repr(lon)))
    if not np.isnan(lat) and not (15.0 <= lat <= 55.0):
        problems.append(Problem("latitude outside China", at("lat"), "15..55 [degrees N]", repr(lat)))
    cross = _bool(str(rec.get("cross_border", "false")), at("cross_border"), problems)
    frm = str(rec.get("from_jurisdiction", "")).strip() or None
    to = str(rec.get("to_jurisdiction", "")).strip() or None
    for field, value in (("from_jurisdiction", frm), ("to_jurisdiction", to)):
        if cross and (value is None or not _CODE.match(value)):
            problems.append(
                Problem(
                    "a cross-border section needs both jurisdictions",
                    at(field),
                    "a 6-digit GB/T 2260 code",
                    repr(value),
                    "or set cross_border to false",
                )
            )
    return {
        "code": code,
        "name": str(rec["name"]).strip(),
        "river": str(rec["river"]).strip(),
        "basin": str(rec["basin"]).strip(),
        "province": str(rec.get("province", "")).strip(),
        "city": str(rec.get("city", "")).strip(),
        "jurisdiction": jurisdiction,
        "waterbody": waterbody,
        "target_class": target,
        "target_class_assumed": _bool(
            str(rec.get("target_class_assumed", "false")), at("target_class_assumed"), problems
        ),
        "lon": lon,
        "lat": lat,
        "cross_border": cross,
        "from_jurisdiction": frm,
        "to_jurisdiction": to,
        "note": str(rec.get("note", "")).strip(),
        "row": line,
    }


def _target_class(text: str, where: Location, problems: list[Problem]) -> WaterClass | None:
    """The target class I–V (empty: none); 劣V or an unknown class is a problem."""
    if not text:
        return None
    target: WaterClass | None = None
    try:
        target = WaterClass.parse(text)
    except ValueError:
        problems.append(Problem("unknown target class", where, "I..V or empty", repr(text)))
    if target is WaterClass.WORSE_THAN_V:
        problems.append(Problem("a target class cannot be 劣V", where, "I..V", repr(text)))
    return target


def _links(raw: pd.DataFrame, codes: set[str], source: str, problems: list[Problem]) -> pd.DataFrame:
    _require(raw, LINK_COLUMNS, source)
    records: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for i, rec in enumerate(raw.to_dict("records")):
        line = i + 2

        def at(field: str, line: int = line) -> Location:
            return Location(source, line, field)

        a, b = str(rec["from_section"]).strip(), str(rec["to_section"]).strip()
        for field, code in (("from_section", a), ("to_section", b)):
            if code not in codes:
                problems.append(Problem("unknown section code", at(field), "a code of the sections table", repr(code)))
        if a == b:
            problems.append(Problem("a link from a section to itself", at("to_section"), "another section", repr(b)))
        if (a, b) in seen:
            problems.append(Problem(f"link {a} -> {b} given twice (first in row {seen[(a, b)]})", at("to_section")))
        seen[(a, b)] = line
        distance = _float(str(rec["distance_km"]), at("distance_km"), problems, required=True)
        velocity = _float(str(rec["velocity_m_s"]), at("velocity_m_s"), problems, required=True)
        if not (distance > 0 and np.isfinite(distance)):
            problems.append(Problem("distance must be positive", at("distance_km"), "> 0 [km]", repr(distance)))
        if not (velocity > 0 and np.isfinite(velocity)):
            problems.append(
                Problem(
                    "velocity must be positive",
                    at("velocity_m_s"),
                    "> 0 [m/s]",
                    repr(velocity),
                    "a still reach has no travel time; leave the link out instead",
                )
            )
        kind_text = str(rec.get("kind", "river")).strip() or "river"
        try:
            kind = LinkKind(kind_text)
        except ValueError:
            problems.append(
                Problem("unknown link kind", at("kind"), ", ".join(k.value for k in LinkKind), repr(kind_text))
            )
            kind = LinkKind.RIVER
        records.append(
            {
                "from_section": a,
                "to_section": b,
                "river": str(rec.get("river", "")).strip(),
                "kind": kind,
                "distance_km": distance,
                "velocity_m_s": velocity,
                "approximate": _bool(str(rec.get("approximate", "true")), at("approximate"), problems),
                "estimate": str(rec.get("estimate", "")).strip(),
            }
        )
    columns = ["from_section", "to_section", "river", "kind", "distance_km", "velocity_m_s", "approximate", "estimate"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["kind"] = pd.Series([r["kind"] for r in records], index=frame.index, dtype=object)
    frame["distance_km"] = frame["distance_km"].astype("float64")
    frame["velocity_m_s"] = frame["velocity_m_s"].astype("float64")
    frame["approximate"] = frame["approximate"].astype(bool)
    frame["travel_time_h"] = frame["distance_km"] * 1000.0 / frame["velocity_m_s"] / SECONDS_PER_HOUR
    return frame


def build_network(
    sections: pd.DataFrame | str | Path | IO[str],
    links: pd.DataFrame | str | Path | IO[str],
) -> RiverNetwork:
    """Validate a sections table and a links table (frames of text, or CSV files) into a network.

    Raises
    ------
    InputError
        With every problem found (file, row, field, expected, given).
    """
    problems: list[Problem] = []
    if isinstance(sections, pd.DataFrame):
        s_raw, s_src = sections.astype(str).replace({"nan": "", "None": ""}), "sections"
    else:
        s_raw, s_src = _read(sections, "")
    if isinstance(links, pd.DataFrame):
        l_raw, l_src = links.astype(str).replace({"nan": "", "None": ""}), "links"
    else:
        l_raw, l_src = _read(links, "")
    sec = _sections(s_raw, s_src, problems)
    lnk = _links(l_raw, set(sec.index), l_src, problems)
    if problems:
        raise InputError(
            f"the river graph has {len(problems)} problem(s)",
            where=problems[0].where,
            problems=problems,
            hint="fix the rows named below",
        )
    return RiverNetwork(sec, lnk)


def validate_sections(frame: pd.DataFrame, source: str = "sections") -> tuple[pd.DataFrame, list[Problem]]:
    """Validate a sections table given as a frame of text (the columns of the module docstring).

    Returns the parsed frame (as in :class:`RiverNetwork`) and the problems found; the caller decides
    whether problems refuse the whole table.
    """
    problems: list[Problem] = []
    raw = frame.astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    return _sections(raw, source, problems), problems


def validate_links(
    frame: pd.DataFrame, section_codes: Iterable[str], source: str = "links"
) -> tuple[pd.DataFrame, list[Problem]]:
    """Validate a links table (frame of text) against the known section codes; returns the parsed frame
    (with ``travel_time_h``) and the problems found."""
    problems: list[Problem] = []
    raw = frame.astype(str).replace({"nan": "", "None": "", "<NA>": ""})
    return _links(raw, set(section_codes), source, problems), problems


@cache
def haihe_network() -> RiverNetwork:
    """The Haihe-basin graph shipped with Xietong (approximate distances, assumed targets)."""
    s_raw, s_src = _read(None, "water_sections_haihe.csv")
    l_raw, l_src = _read(None, "water_links_haihe.csv")
    problems: list[Problem] = []
    sec = _sections(s_raw, s_src, problems)
    lnk = _links(l_raw, set(sec.index), l_src, problems)
    if problems:  # pragma: no cover - guards the package data
        raise InputError("the packaged river graph is invalid", problems=problems)
    return RiverNetwork(sec, lnk)


# -- traversal -------------------------------------------------------------------------------------


def _adjacency(network: RiverNetwork, *, reverse: bool = False) -> dict[str, list[tuple[str, int]]]:
    adj: dict[str, list[tuple[str, int]]] = {}
    a_col, b_col = ("to_section", "from_section") if reverse else ("from_section", "to_section")
    for i, (a, b) in enumerate(zip(network.links[a_col], network.links[b_col], strict=True)):
        adj.setdefault(a, []).append((b, i))
    return adj


def _search(network: RiverNetwork, section: str, *, reverse: bool, max_hours: float | None) -> pd.DataFrame:
    network.section(section)
    adj = _adjacency(network, reverse=reverse)
    hours = network.links["travel_time_h"].to_numpy()
    km = network.links["distance_km"].to_numpy()
    approx = network.links["approximate"].to_numpy()
    best: dict[str, tuple[float, float, int, tuple[str, ...], bool]] = {section: (0.0, 0.0, 0, (section,), False)}
    heap: list[tuple[float, str]] = [(0.0, section)]
    done: set[str] = set()
    while heap:
        t, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        _, d, hops, path, ap = best[node]
        for nxt, li in adj.get(node, ()):
            nt = t + float(hours[li])
            if max_hours is not None and nt > max_hours:
                continue
            if nxt not in best or nt < best[nxt][0]:
                best[nxt] = (nt, d + float(km[li]), hops + 1, (*path, nxt), ap or bool(approx[li]))
                heapq.heappush(heap, (nt, nxt))
    del best[section]
    rows = sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))
    sec = network.sections
    return pd.DataFrame(
        {
            "section": [c for c, _ in rows],
            "name": [sec.at[c, "name"] for c, _ in rows],
            "river": [sec.at[c, "river"] for c, _ in rows],
            "jurisdiction": [sec.at[c, "jurisdiction"] for c, _ in rows],
            "distance_km": np.array([v[1] for _, v in rows], dtype="float64"),
            "travel_time_h": np.array([v[0] for _, v in rows], dtype="float64"),
            "hops": np.array([v[2] for _, v in rows], dtype="int64"),
            "path": [v[3] if not reverse else tuple(reversed(v[3])) for _, v in rows],
            "approximate": np.array([v[4] for _, v in rows], dtype=bool),
        }
    )


def downstream(
    network: RiverNetwork,
    section: str,
    *,
    start: datetime | pd.Timestamp | None = None,
    max_hours: float | None = None,
) -> pd.DataFrame:
    """Every section downstream of ``section``, with the estimated travel time from it.

    Along each path the link travel times ``distance_km * 1000 / velocity_m_s`` add up; where paths
    branch and meet again the fastest one counts (earliest arrival). The start section is not listed.

    Parameters
    ----------
    network:
        The river graph.
    section:
        Code of the section where the pollution is (e.g. ``"HE11"``, 北运河 杨洼闸).
    start:
        When the pollution passed ``section`` (timezone-aware); gives the ``arrival`` column.
    max_hours:
        Only sections reached within this many hours [h].

    Returns
    -------
    One row per section reached, by travel time: ``section``, ``name``, ``river``, ``jurisdiction``,
    ``distance_km`` [km along the fastest path], ``travel_time_h`` [h], ``hops``, ``path`` (tuple of
    codes from ``section``), ``approximate`` (any approximate link on the path), ``cross_border``
    (the section lies in another jurisdiction than ``section``), and ``arrival`` when ``start`` is given.
    """
    out = _search(network, section, reverse=False, max_hours=max_hours)
    origin = network.section(section)["jurisdiction"]
    out["cross_border"] = (out["jurisdiction"] != origin).to_numpy(dtype=bool)
    if start is not None:
        ts = pd.Timestamp(start)
        if ts.tzinfo is None:
            raise InputError(
                "start time without a time zone",
                expected="a timezone-aware time, e.g. 2025-11-18T16:00+08:00",
                given=str(ts),
                hint="add +08:00 for China Standard Time",
            )
        out["arrival"] = [ts + timedelta(hours=float(h)) for h in out["travel_time_h"]]
    return out


def upstream(network: RiverNetwork, section: str, *, max_hours: float | None = None) -> pd.DataFrame:
    """Every section upstream of ``section`` with the travel time *to* it (same columns as
    :func:`downstream` without ``arrival``; ``path`` runs from the upstream section to ``section``)."""
    return _search(network, section, reverse=True, max_hours=max_hours)


def downstream_jurisdictions(reached: pd.DataFrame) -> pd.DataFrame:
    """Summarise :func:`downstream` by jurisdiction: who must be told, and how soon.

    Returns one row per jurisdiction, earliest first: ``jurisdiction``, ``first_section``,
    ``travel_time_h`` (earliest arrival [h]), ``sections`` (tuple of codes, by arrival), and
    ``arrival`` when ``reached`` has it.
    """
    if reached.empty:
        cols = ["jurisdiction", "first_section", "travel_time_h", "sections"]
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in cols})
    ordered = reached.sort_values(["travel_time_h", "section"])
    grouped = ordered.groupby("jurisdiction", sort=False)
    out = pd.DataFrame(
        {
            "first_section": grouped["section"].first(),
            "travel_time_h": grouped["travel_time_h"].min(),
            "sections": grouped["section"].agg(tuple),
        }
    )
    if "arrival" in reached.columns:
        out["arrival"] = grouped["arrival"].min()
    return out.reset_index().sort_values(["travel_time_h", "jurisdiction"]).reset_index(drop=True)


def cross_border_links(network: RiverNetwork, *, level: str = "province") -> pd.DataFrame:
    """Links whose two sections lie in different jurisdictions.

    ``level="province"`` compares province-level codes (first two digits: Beijing, Tianjin, Hebei …);
    ``level="jurisdiction"`` compares the full codes (so Langfang → Shijiazhuang counts too).
    Returns the links with ``from_jurisdiction`` and ``to_jurisdiction`` columns added.
    """
    if level not in {"province", "jurisdiction"}:
        raise InputError("unknown level", expected="province or jurisdiction", given=repr(level))
    jur = network.sections["jurisdiction"]
    out = network.links.copy()
    out["from_jurisdiction"] = jur.reindex(out["from_section"]).to_numpy()
    out["to_jurisdiction"] = jur.reindex(out["to_section"]).to_numpy()
    if level == "province":
        differs = out["from_jurisdiction"].str[:2] != out["to_jurisdiction"].str[:2]
    else:
        differs = out["from_jurisdiction"] != out["to_jurisdiction"]
    return out[differs.to_numpy(dtype=bool)].reset_index(drop=True)


def resolve_sections(
    province: Iterable[str], river: Iterable[str], name: Iterable[str], network: RiverNetwork | None = None
) -> pd.Series:
    """Section codes for published (province, river, section name) triples, as CNEMC lists them;
    ``None`` where the section is not in the table."""
    net = haihe_network() if network is None else network
    sec = net.sections
    lookup = {(p, r, n): c for c, p, r, n in zip(sec.index, sec["province"], sec["river"], sec["name"], strict=True)}
    keys = zip(province, river, name, strict=True)
    return pd.Series([lookup.get((str(p).strip(), str(r).strip(), str(n).strip())) for p, r, n in keys], dtype=object)


__all__ = [
    "RiverNetwork",
    "build_network",
    "cross_border_links",
    "downstream",
    "downstream_jurisdictions",
    "haihe_network",
    "resolve_sections",
    "upstream",
    "validate_links",
    "validate_sections",
]
