"""Parks and undertaking platforms: the seed from the agreements, name matching, and import readers.

The seed (``data/parks_seed.toml``) holds every park or zone that the real cooperation texts name and
that is a place, each with the text span(s) it came from. :func:`match` finds which parks a text (e.g. an
agreement task's ``projects``) names, using only the names and aliases of the records: longest names
first, no overlaps, case and dash/parenthesis width ignored. :func:`read_csv` and :func:`read_geojson`
read more parks and report problems naming file, row and field: unknown jurisdiction, level, kind or
GB/T 4754 code, a co-built park without a partner (or with itself as partner), a point far from its
jurisdiction's reference point.

The distance check is a plausibility test, not a boundary test: Xietong holds one reference point per
jurisdiction (:mod:`xietong.region`), not polygons. Defaults (:data:`MAX_DISTANCE_KM`): 150 km for Beijing
and Tianjin, 550 km for Hebei as a whole, 200 km for a prefecture city, 60 km for Xiong'an.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from xietong import region
from xietong.enums import JurisdictionLevel
from xietong.errors import InputError, Location, Problem
from xietong.geo import points_geojson
from xietong.industry import gbt4754
from xietong.industry._csv import read_text_csv
from xietong.industry.enums import ParkKind, ParkLevel
from xietong.inputs import json_shape, read_input_text

EARTH_RADIUS_KM = 6371.0088
#: largest plausible distance [km] between a park and its jurisdiction's reference point, by jurisdiction
MAX_DISTANCE_KM: dict[str, float] = {"110000": 150.0, "120000": 150.0, "130000": 550.0, "133100": 60.0}
DEFAULT_CITY_MAX_KM = 200.0
PARK_COLUMNS = ("code", "name_zh", "name_en", "jurisdiction", "level", "kind")


@dataclass(frozen=True, slots=True)
class Span:
    """Where a park is named: file, character offsets [start, end) of the UTF-8 text, and the text."""

    file: str
    start: int
    end: int
    text: str

    def check(self, full_text: str) -> bool:
        """``True`` when ``full_text[start:end]`` is exactly :attr:`text`."""
        return full_text[self.start : self.end] == self.text


@dataclass(frozen=True, slots=True)
class Park:
    """A park or zone. ``lon``/``lat`` [degrees, WGS-84]; ``approximate`` when they are the jurisdiction's
    reference point; ``area_km2`` [km²] when sourced."""

    code: str
    name_zh: str
    name_en: str
    jurisdiction: str
    level: ParkLevel
    kind: ParkKind
    partner: str | None
    lon: float
    lat: float
    approximate: bool
    aliases: tuple[str, ...] = ()
    leading_industries: tuple[str, ...] = ()
    area_km2: float | None = None
    spans: tuple[Span, ...] = ()
    industries_span: Span | None = None
    notes: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "jurisdiction": self.jurisdiction,
            "level": self.level.value,
            "kind": self.kind.value,
            "partner": self.partner,
            "lon": self.lon,
            "lat": self.lat,
            "approximate": self.approximate,
            "area_km2": self.area_km2,
            "leading_industries": list(self.leading_industries),
            "aliases": list(self.aliases),
            "sources": [vars_span(s) for s in self.spans],
            "notes": self.notes,
        }


def vars_span(s: Span) -> dict[str, Any]:
    return {"file": s.file, "start": s.start, "end": s.end, "text": s.text}


def _span(raw: Mapping[str, Any]) -> Span:
    return Span(raw["file"], int(raw["start"]), int(raw["end"]), raw["text"])


@cache
def seed() -> tuple[Park, ...]:
    """The parks named in the agreements (``data/parks_seed.toml``), with approximate points filled in."""
    text = resources.files("xietong.industry.data").joinpath("parks_seed.toml").read_text("utf-8")
    out = []
    for p in tomllib.loads(text)["park"]:
        ref = region.get(p["jurisdiction"])
        point = p.get("point")
        out.append(
            Park(
                code=p["code"],
                name_zh=p["name_zh"],
                name_en=p["name_en"],
                jurisdiction=ref.code,
                level=ParkLevel(p["level"]),
                kind=ParkKind(p["kind"]),
                partner=p.get("partner"),
                lon=float(point[0]) if point else ref.lon,
                lat=float(point[1]) if point else ref.lat,
                approximate=point is None,
                aliases=tuple(p.get("aliases", ())),
                leading_industries=tuple(p.get("leading_industries", ())),
                area_km2=p.get("area_km2"),
                spans=tuple(_span(s) for s in p["spans"]),
                industries_span=_span(p["industries_span"]) if "industries_span" in p else None,
                notes=p.get("notes", ""),
            )
        )
    return tuple(out)


def seed_frame() -> pd.DataFrame:
    """The seed as a frame (one row per park; lists as ``;``-joined text)."""
    rows = []
    for p in seed():
        d = p.as_dict()
        d["leading_industries"] = ";".join(p.leading_industries)
        d["aliases"] = ";".join(p.aliases)
        d["source"] = f"{p.spans[0].file}[{p.spans[0].start}:{p.spans[0].end}]"
        del d["sources"]
        rows.append(d)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------- matching
_DASHES = re.compile(r"[‐‑‒–—―－-]")
_FOLD = str.maketrans({"（": "(", "）": ")", "·": "·", "・": "·", "\u3000": " "})


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", _DASHES.sub("-", text.translate(_FOLD))).casefold()


def _names(p: Park) -> list[str]:
    return [n for n in {p.name_zh, p.name_en, *p.aliases} if n]


def match(text: str | Iterable[str], parks: Iterable[Park] | None = None) -> list[str]:
    """Codes of the parks a text names, in order of first mention, each once.

    Every name and alias of every park is searched; longer names win over names they contain
    ("Tianjin Future Science and Technology City Cooperation Demonstration Zone" over "Tianjin Future
    Science and Technology City"), and matches never overlap. Latin names match whole words only.
    """
    full = text if isinstance(text, str) else "\n".join(text)
    hay = _fold(full)
    candidates: list[tuple[int, int, str]] = []
    for p in seed() if parks is None else parks:
        for name in _names(p):
            needle = _fold(name)
            latin = needle[:1].isascii() and needle[-1:].isascii()
            pattern = (r"(?<![\w])" + re.escape(needle) + r"(?![\w])") if latin else re.escape(needle)
            candidates += [(m.start(), m.end(), p.code) for m in re.finditer(pattern, hay)]
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken = np.zeros(len(hay) + 1, dtype=bool)
    found: list[tuple[int, str]] = []
    for start, end, code in candidates:
        if not taken[start:end].any():
            taken[start:end] = True
            found.append((start, code))
    seen: dict[str, None] = {}
    for _, code in sorted(found):
        seen.setdefault(code, None)
    return list(seen)


# ------------------------------------------------------------------------------------------ imports
def distance_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance [km] on a sphere of radius :data:`EARTH_RADIUS_KM`."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def max_distance_km(jurisdiction: str, overrides: Mapping[str, float] | None = None) -> float:
    """The plausibility radius [km] of a jurisdiction (see the module docstring)."""
    table = {**MAX_DISTANCE_KM, **(overrides or {})}
    if jurisdiction in table:
        return table[jurisdiction]
    return DEFAULT_CITY_MAX_KM if region.get(jurisdiction).level is JurisdictionLevel.CITY else 550.0


@dataclass(slots=True)
class ParkImport:
    """Parks read from a file (rows with problems left out) and the problems found."""

    parks: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


def _enum_problem(value: str, enum: type[ParkLevel] | type[ParkKind], where: Location) -> Problem | None:
    try:
        enum(str(value).strip())
    except ValueError:
        return Problem(f"unknown park {where.field}", where, ", ".join(e.value for e in enum), repr(value))
    return None


def _text(value: Any) -> str:
    """A cell as stripped text; missing (None, NaN) as the empty string."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _row_problems(
    rec: Mapping[str, Any], row: int, source: str | None, max_km: Mapping[str, float] | None
) -> list[Problem]:
    def loc(f: str) -> Location:
        return Location(source, row, f)

    out: list[Problem] = []
    ref = region.find(_text(rec.get("jurisdiction")))
    if ref is None or not ref.jurisdiction:
        out.append(
            Problem(
                "unknown jurisdiction",
                loc("jurisdiction"),
                "one of the 15 GB/T 2260 codes of the exchange",
                repr(rec.get("jurisdiction")),
            )
        )
    for f, enum in (("level", ParkLevel), ("kind", ParkKind)):
        p = _enum_problem(_text(rec.get(f)), enum, loc(f))
        if p is not None:
            out.append(p)
    for code in _text(rec.get("leading_industries")).replace(",", ";").split(";"):
        if code.strip() and not gbt4754.is_valid(code):
            out.append(
                Problem(
                    "unknown GB/T 4754-2017 industry code",
                    loc("leading_industries"),
                    "a section letter A–T or a division 01–97 (more digits allowed)",
                    repr(code.strip()),
                )
            )
    partner = _text(rec.get("partner"))
    if _text(rec.get("level")) == ParkLevel.CO_BUILT.value:
        pref = region.find(partner) if partner else None
        if pref is None:
            out.append(
                Problem(
                    "co-built park without a known partner jurisdiction",
                    loc("partner"),
                    "the GB/T 2260 code of the partner",
                    repr(partner),
                )
            )
        elif ref is not None and pref.code == ref.code:
            out.append(
                Problem(
                    "a co-built park's partner is its own jurisdiction",
                    loc("partner"),
                    "another jurisdiction",
                    repr(partner),
                )
            )
    out += _point_problems(rec, ref, loc, max_km)
    return out


def _point_problems(
    rec: Mapping[str, Any],
    ref: region.Region | None,
    loc: Callable[[str], Location],
    max_km: Mapping[str, float] | None,
) -> list[Problem]:
    lon, lat = pd.to_numeric(pd.Series([rec.get("lon"), rec.get("lat")]), errors="coerce")
    if pd.isna(lon) and pd.isna(lat):
        return []
    if pd.isna(lon) or pd.isna(lat) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        return [
            Problem(
                "invalid park location",
                loc("lon"),
                "lon in [-180, 180] and lat in [-90, 90] [degrees]",
                f"{rec.get('lon')}, {rec.get('lat')}",
            )
        ]
    if ref is None:
        return []
    d = distance_km(float(lon), float(lat), ref.lon, ref.lat)
    limit = max_distance_km(ref.code, max_km)
    if d > limit:
        return [Problem(
            f"park is {d:.0f} km from the reference point of {ref.name_en}",
            loc("lon"),
            f"at most {limit:.0f} km (plausibility radius of {ref.code})",
            f"{float(lon):.4f}, {float(lat):.4f}",
            hint="check the jurisdiction and that lon/lat are not swapped",
        )]  # fmt: skip
    return []


def validate(
    frame: pd.DataFrame, *, source: str | None = None, max_km: Mapping[str, float] | None = None, first_row: int = 2
) -> ParkImport:
    """Check a parks frame (columns :data:`PARK_COLUMNS` + optional ``partner, lon, lat, area_km2,
    leading_industries``); rows with problems are left out of :attr:`ParkImport.parks`, the others keep
    their file line in ``row``."""
    missing = [c for c in PARK_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            "missing columns in the parks table",
            expected=", ".join(PARK_COLUMNS),
            given=", ".join(map(str, frame.columns)),
            where=Location(source),
        )
    problems: list[Problem] = []
    ok = []
    codes = frame["code"].astype(str).str.strip()
    dup = codes.duplicated(keep="first")
    for i, rec in enumerate(frame.to_dict("records")):
        row = first_row + i
        ps = _row_problems({str(k): v for k, v in rec.items()}, row, source, max_km)
        if dup.iloc[i]:
            ps.append(
                Problem("duplicate park code", Location(source, row, "code"), "a code used once", repr(codes.iloc[i]))
            )
        problems += ps
        ok.append(not ps)
    if "row" not in frame.columns:  # file line (or feature number) of each record, kept for later checks
        frame = frame.assign(row=np.arange(first_row, first_row + len(frame)))
    parks = frame[np.array(ok, dtype=bool)].reset_index(drop=True)
    if not parks.empty:
        parks = parks.assign(jurisdiction=[region.get(str(j)).code for j in parks["jurisdiction"]])
    return ParkImport(parks, problems)


def read_csv(
    path: str | Path | IO[str], *, source: str | None = None, max_km: Mapping[str, float] | None = None
) -> ParkImport:
    """Parks from a CSV with the columns of :func:`validate`."""
    name = source or (str(path) if isinstance(path, (str, Path)) else None)
    df, first_row = read_text_csv(path, source=name)
    return validate(df.replace("", np.nan), source=name, max_km=max_km, first_row=first_row)


def read_geojson(
    path: str | Path | IO[str], *, source: str | None = None, max_km: Mapping[str, float] | None = None
) -> ParkImport:
    """Parks from a GeoJSON FeatureCollection of points (RFC 7946); properties as the CSV columns.
    Row numbers in problems are 1-based feature numbers."""
    name = source or (str(path) if isinstance(path, (str, Path)) else None)
    try:
        doc = json.loads(read_input_text(path, source=name) if isinstance(path, (str, Path)) else path.read())
    except json.JSONDecodeError as exc:
        raise InputError("not a JSON document", given=str(exc), where=Location(name)) from exc
    except RecursionError:
        raise InputError("JSON nested too deeply", given="deep nesting", where=Location(name)) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError(
            "not a GeoJSON FeatureCollection",
            expected='{"type": "FeatureCollection", ...}',
            given=json_shape(doc),
            where=Location(name),
        )
    rows = []
    for feature in doc.get("features", []):
        props = dict(feature.get("properties") or {})
        geom = feature.get("geometry") or {}
        if geom.get("type") == "Point":
            props["lon"], props["lat"] = geom["coordinates"][:2]
        if isinstance(props.get("leading_industries"), list):
            props["leading_industries"] = ";".join(map(str, props["leading_industries"]))
        rows.append(props)
    frame = pd.DataFrame(rows, columns=sorted({k for r in rows for k in r} | set(PARK_COLUMNS)))
    return validate(frame, source=name, max_km=max_km, first_row=1)


def to_geojson(parks: Iterable[Park] | None = None) -> dict[str, Any]:
    """The parks as a GeoJSON FeatureCollection of points (``approximate`` in the properties)."""
    frame = pd.DataFrame([p.as_dict() for p in (seed() if parks is None else parks)]).drop(
        columns=["sources", "aliases"]
    )
    return points_geojson(frame, id_column="code")


__all__ = [
    "MAX_DISTANCE_KM",
    "PARK_COLUMNS",
    "Park",
    "ParkImport",
    "Span",
    "distance_km",
    "match",
    "max_distance_km",
    "read_csv",
    "read_geojson",
    "seed",
    "seed_frame",
    "to_geojson",
    "validate",
]
