"""Transit service: the regional feed kept in the data directory, and the reports built on it.

The CLI, the API and the agreement indicators call these functions; the core they orchestrate
(:mod:`~xietong.transit.china_rail`, :mod:`~xietong.transit.circle`, :mod:`~xietong.transit.scenario`)
stays pure.

The regional feed lives at ``<data dir>/transit/regional.zip`` (:func:`regional_feed_path`);
``xietong transit build-gtfs`` writes it there unless told otherwise, and the first command that needs it
builds it from the default sources (``../shared/data/transport`` next to the repository) when they exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from xietong import region
from xietong.config import Settings
from xietong.errors import InputError, NotFoundError
from xietong.transit.china_rail import build_regional_feed, find_sources, read_source
from xietong.transit.china_rail.build import CoverageReport
from xietong.transit.circle import (
    DEFAULT_CENTRE,
    DEFAULT_MAX_TRANSFERS,
    DEFAULT_MINUTES,
    DEFAULT_WINDOW_S,
    CircleReport,
    circle_report,
)
from xietong.transit.feed import Feed, write_feed
from xietong.transit.gtfs import read_feed
from xietong.transit.scenario import Scenario, apply_scenario

#: where the shared project data live, relative to the repository root
DEFAULT_SOURCE = Path("..") / "shared" / "data" / "transport"

Say = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def default_source_dir() -> Path:
    """``../shared/data/transport`` relative to the repository (or the working directory), if it exists.

    Raises
    ------
    InputError
        When neither exists, saying what to pass.
    """
    repo_root = Path(__file__).resolve().parents[3]
    for base in (repo_root, Path.cwd()):
        candidate = (base / DEFAULT_SOURCE).resolve()
        if candidate.is_dir():
            return candidate
    raise InputError(
        "no timetable sources given and the default directory does not exist",
        expected=f"SOURCE_DIR arguments, or {DEFAULT_SOURCE} next to the repository",
        given="nothing",
        hint="pass the directories holding the timetables and the 12306 station list, "
        "e.g. `xietong transit build-gtfs path/to/transport --out regional.zip`",
    )


def regional_feed_path(settings: Settings) -> Path:
    """Where the regional feed is kept: ``<data dir>/transit/regional.zip``."""
    return settings.data_dir / "transit" / "regional.zip"


def build_feed(
    sources: Sequence[Path] | None,
    out: Path,
    *,
    service_date: date | None = None,
    say: Say = _quiet,
) -> CoverageReport:
    """Build one regional GTFS feed from China Railway timetables in ``sources`` and write it to ``out``."""
    paths = list(sources) if sources else [default_source_dir()]
    say(f"looking for timetables in {', '.join(str(p) for p in paths)}")
    found = find_sources(paths)
    if not found.timetables:
        raise InputError(
            "no China Railway timetable among the sources",
            expected="12306 JSON/markdown, RouteMaster JSON, plan_timetable.csv or station boards",
            given=f"{len(found.skipped)} other files",
            hint="pass the directories holding the timetables",
        )
    say("reading the station registry (12306 list + coordinates)")
    registry = found.registry()
    read = []
    for fmt, path in found.timetables:
        say(f"reading {fmt.value}: {path.name}")
        read.append(read_source(fmt, path))
    say("merging the sources into one feed")
    feed, report = build_regional_feed(read, registry, service_date=service_date)
    say(f"writing {out}")
    write_feed(feed, out)
    return report


@functools.lru_cache(maxsize=4)
def _read_cached(path: str, mtime_ns: int, size: int) -> Feed:  # noqa: ARG001 - the file's identity
    return read_feed(Path(path))


def read_feed_cached(path: Path) -> Feed:
    """:func:`~xietong.transit.gtfs.read_feed`, reused while the file is unchanged (path, mtime, size).

    The feed's DataFrames are shared between callers: treat them as read-only (every transit function does).
    """
    st = path.stat()
    return _read_cached(str(path.resolve()), st.st_mtime_ns, st.st_size)


def load_regional_feed(settings: Settings, gtfs: Path | None = None, *, say: Say = _quiet) -> Feed:
    """The feed at ``gtfs``, else the regional feed of the data directory (built on first use from the
    default sources when they exist)."""
    if gtfs is not None:
        return read_feed(gtfs)
    path = regional_feed_path(settings)
    if not path.exists():
        try:
            source = default_source_dir()
        except InputError:
            raise NotFoundError(
                "no regional rail feed yet",
                expected=f"a feed at {path} or a --gtfs FEED.zip",
                given="neither",
                hint="build it: `xietong transit build-gtfs SOURCE_DIR…` (writes it to the data directory)",
            ) from None
        say(f"no regional feed in {path.parent}: building it from {source}")
        build_feed([source], path, say=say)
    return read_feed_cached(path)


def existing_regional_feed_path(settings: Settings) -> Path:
    """The data directory's regional feed, or a :class:`NotFoundError` saying how to build it (no build
    here: a server does not read the raw sources on a request)."""
    path = regional_feed_path(settings)
    if not path.exists():
        raise NotFoundError(
            "no regional rail feed yet",
            expected=f"a feed at {path}",
            given="none",
            hint="build it on the server: `xietong transit build-gtfs SOURCE_DIR…`",
        )
    return path


@functools.lru_cache(maxsize=32)
def _circle_cached(
    path: str,
    mtime_ns: int,  # noqa: ARG001 - the file's identity: a rebuilt feed is a new entry
    size: int,  # noqa: ARG001
    centre: str,
    minutes: int,
    window_s: tuple[int, int],
    max_transfers: int,
    station_radius_km: float | None,
) -> CircleReport:
    feed = read_feed_cached(Path(path))
    return circle_report(
        feed,
        centre=centre,
        minutes=minutes,
        service_date=feed_service_date(feed),
        window_s=window_s,
        max_transfers=max_transfers,
        station_radius_km=station_radius_km,
    )


def regional_circle(
    settings: Settings,
    *,
    centre: str,
    minutes: int,
    window_s: tuple[int, int],
    max_transfers: int,
    station_radius_km: float | None,
) -> CircleReport:
    """The circle report of the data directory's regional feed on its service day, computed once per feed
    file and parameters (the dashboard asks for the table and the GeoJSON of the same report). Treat the
    returned report as read-only."""
    path = existing_regional_feed_path(settings)
    st = path.stat()
    key = str(path.resolve()), st.st_mtime_ns, st.st_size
    return _circle_cached(*key, region.get(centre).code, minutes, window_s, max_transfers, station_radius_km)


#: The planned lines shipped with the repository (``scenarios/*.toml``).
SCENARIO_DIR = Path(__file__).resolve().parents[3] / "scenarios"


def scenario_files(directory: Path = SCENARIO_DIR) -> dict[str, Path]:
    """Scenario id (file stem) → path, for the TOML files in ``directory`` (empty when it does not exist)."""
    if not directory.is_dir():
        return {}
    return {p.stem: p for p in sorted(directory.glob("*.toml"))}


def feed_service_date(feed: Feed) -> date | None:
    """The one service date of a feed built by ``build-gtfs`` (its ``calendar_dates``), else ``None``."""
    dates = set(feed.calendar_dates["date"].astype(str)) if not feed.calendar_dates.empty else set()
    if len(dates) == 1 and feed.calendar.empty:
        return date.fromisoformat(_iso(next(iter(dates))))
    return None


def _iso(yyyymmdd: str) -> str:
    return f"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}"


@dataclass(frozen=True)
class ScenarioDiff:
    """The circle report before and after a scenario, and the per-city change."""

    scenario: Scenario
    before: CircleReport
    after: CircleReport

    def to_frame(self) -> pd.DataFrame:
        """One row per target: best and typical rail times before/after [min], the change of the best, the
        journeys (all, and within the threshold), the within flags, and ``changed`` when any of them moved."""
        b = self.before.to_frame().set_index("city_code")
        a = self.after.to_frame().set_index("city_code")
        out = pd.DataFrame(
            {
                "city": b["city"],
                "rail_min_before": b["rail_min"],
                "rail_min_after": a["rail_min"],
                "rail_typical_min_before": b["rail_typical_min"],
                "rail_typical_min_after": a["rail_typical_min"],
                "journeys_before": b["rail_journeys"],
                "journeys_after": a["rail_journeys"],
                "journeys_within_before": b["rail_journeys_within"],
                "journeys_within_after": a["rail_journeys_within"],
                "within_before": b["within"],
                "within_after": a["within"],
                "best_trains_after": a["rail_best_trains"],
            }
        )
        before = pd.to_numeric(out["rail_min_before"], errors="coerce")
        after = pd.to_numeric(out["rail_min_after"], errors="coerce")
        out.insert(3, "rail_change_min", after - before)
        typical_b = pd.to_numeric(out["rail_typical_min_before"], errors="coerce").fillna(-1)
        typical_a = pd.to_numeric(out["rail_typical_min_after"], errors="coerce").fillna(-1)
        out["changed"] = (
            (before.fillna(-1) != after.fillna(-1))
            | (typical_b != typical_a)
            | (out["journeys_before"] != out["journeys_after"])
            | (out["journeys_within_before"] != out["journeys_within_after"])
            | (out["within_before"] != out["within_after"])
        )
        return out.reset_index()


def scenario_diff(
    feed: Feed,
    scenario: Scenario,
    *,
    service_date: date | None,
    centre: str = DEFAULT_CENTRE,
    minutes: int = DEFAULT_MINUTES,
    window_s: tuple[int, int] = DEFAULT_WINDOW_S,
    max_transfers: int = DEFAULT_MAX_TRANSFERS,
) -> ScenarioDiff:
    """The circle report of ``feed`` and of ``feed`` with the scenario's synthetic trips, side by side."""
    day = service_date or feed_service_date(feed)
    if day is None:
        raise InputError(
            "a scenario needs a service date",
            expected="--date YYYY-MM-DD (the feed has several service days)",
            given="none",
        )

    def circle(f: Feed) -> CircleReport:
        return circle_report(
            f, centre=centre, minutes=minutes, service_date=day, window_s=window_s, max_transfers=max_transfers
        )

    return ScenarioDiff(scenario, circle(feed), circle(apply_scenario(feed, scenario, day)))


__all__ = [
    "DEFAULT_SOURCE",
    "SCENARIO_DIR",
    "ScenarioDiff",
    "build_feed",
    "default_source_dir",
    "existing_regional_feed_path",
    "feed_service_date",
    "load_regional_feed",
    "read_feed_cached",
    "regional_circle",
    "regional_feed_path",
    "scenario_diff",
    "scenario_files",
]
