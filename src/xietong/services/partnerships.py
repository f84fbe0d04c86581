"""Partnerships across the three jurisdictions (hospitals, schools, universities, libraries), as data.

``data/partnerships_jjj.csv`` (sources in ``data/SOURCES.md``): each row names the two partners, their
jurisdictions and cities (GB/T 2260; several separated by ``;`` for alliances), the form of the
partnership, since when (as precise as the source) and the source. :func:`attach_travel_time` adds the
travel time between the partners' cities from an indicator value the transport domain publishes
(``transit.rail_travel_time_min``), passed in as a frame: this module imports nothing from transit.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from xietong.errors import InputError, Location, Problem
from xietong.services.enums import PartnershipKind

PARTNERSHIPS_FILE = "partnerships_jjj.csv"
COLUMNS = (
    "id",
    "kind",
    "partner_a",
    "a_jurisdiction",
    "a_city",
    "partner_b",
    "b_jurisdiction",
    "b_city",
    "since",
    "source_url",
    "source_date",
)


def check_partnerships(frame: pd.DataFrame, *, source: str = PARTNERSHIPS_FILE) -> pd.DataFrame:
    """The frame if every row has a known kind, 6-digit city codes and a source; else one InputError."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(
            f"{source}: missing columns",
            expected=", ".join(COLUMNS),
            given=", ".join(map(str, frame.columns)),
            where=Location(source=source),
        )
    problems: list[Problem] = []
    kinds = {k.value for k in PartnershipKind}
    for pos, r in enumerate(frame.to_dict("records")):
        if r["kind"] not in kinds:
            problems.append(
                Problem(
                    "unknown partnership kind",
                    Location(source, pos + 1, "kind"),
                    ", ".join(sorted(kinds)),
                    repr(r["kind"]),
                )
            )
        for col in ("a_city", "b_city"):
            codes = [c.strip() for c in str(r[col]).split(";")]
            if not all(len(c) == 6 and c.isdigit() for c in codes):
                problems.append(
                    Problem(
                        "not GB/T 2260 city codes",
                        Location(source, pos + 1, col),
                        "6 digits, ';'-separated",
                        repr(r[col]),
                    )
                )
        for col in ("source_url", "source_date"):
            if not str(r[col]).strip():
                problems.append(Problem("row without a source", Location(source, pos + 1, col), "a value", "nothing"))
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problems in the partnerships")
    return frame


@cache
def _bundled() -> pd.DataFrame:
    with (
        resources.files("xietong.services")
        .joinpath("data")
        .joinpath(PARTNERSHIPS_FILE)
        .open("r", encoding="utf-8") as fh
    ):
        return check_partnerships(pd.read_csv(fh, dtype=str, keep_default_na=False))


def bundled_partnerships() -> pd.DataFrame:
    """The bundled partnerships (a copy: callers may modify it)."""
    return _bundled().copy()


def city_pairs(partnerships: pd.DataFrame) -> pd.DataFrame:
    """One row per (partnership, city of a, city of b): alliances with several cities become several pairs."""
    pairs = (
        partnerships.assign(
            origin=partnerships["a_city"].str.split(";"), destination=partnerships["b_city"].str.split(";")
        )
        .explode("origin")
        .explode("destination")
    )
    pairs["origin"] = pairs["origin"].str.strip()
    pairs["destination"] = pairs["destination"].str.strip()
    return pairs.reset_index(drop=True)


def attach_travel_time(
    partnerships: pd.DataFrame, travel_times: pd.DataFrame, *, symmetric: bool = True
) -> pd.DataFrame:
    """Partner city pairs with ``travel_time_min`` [min] from an indicator frame.

    ``travel_times`` has columns ``origin``, ``destination`` (GB/T 2260 city codes) and
    ``travel_time_min`` (e.g. readings of ``transit.rail_travel_time_min``). With ``symmetric`` a pair
    missing in one direction takes the other direction's value (``travel_time_basis`` says which).
    Partners in the same city get 0; pairs without a reading get NaN and basis ``"no reading"``.
    """
    for col in ("origin", "destination", "travel_time_min"):
        if col not in travel_times.columns:
            raise InputError(
                "travel times need origin, destination and travel_time_min",
                expected="those three columns",
                given=", ".join(map(str, travel_times.columns)),
                where=Location(field=col),
            )
    pairs = city_pairs(partnerships)
    tt = travel_times[["origin", "destination", "travel_time_min"]].astype({"origin": str, "destination": str})
    tt = tt.groupby(["origin", "destination"], as_index=False).agg(travel_time_min=("travel_time_min", "min"))
    out = pairs.merge(tt, on=["origin", "destination"], how="left")
    basis = np.where(out["travel_time_min"].notna(), "a to b", "no reading").astype(object)
    if symmetric:
        rev = tt.rename(columns={"origin": "destination", "destination": "origin", "travel_time_min": "_reverse"})
        out = out.merge(rev, on=["origin", "destination"], how="left")
        use_rev = out["travel_time_min"].isna() & out["_reverse"].notna()
        out.loc[use_rev, "travel_time_min"] = out.loc[use_rev, "_reverse"]
        basis[use_rev.to_numpy()] = "b to a (reverse)"
        out = out.drop(columns="_reverse")
    same = (out["origin"] == out["destination"]).to_numpy()
    out.loc[same, "travel_time_min"] = 0.0
    basis[same] = "same city"
    out["travel_time_basis"] = basis
    return out


__all__ = ["attach_travel_time", "bundled_partnerships", "check_partnerships", "city_pairs"]
