"""Mutual-recognition catalogues: what one jurisdiction accepts that another issued, versioned by date.

Each catalogue (clinical test results, transport cards, the social security card …) has versions
(``data/recognition_versions.csv``) and entries (``data/recognition_jjj.csv``), every row with its
source. :func:`is_recognised` answers "is X issued by Y in jurisdiction A recognised in jurisdiction B
on day D?" with the entry that answers it, or with "not recognised: no entry" and the version it
consulted. Jurisdictions are compared at province level (GB/T 2260: the first two digits), since the
catalogues are agreed between Beijing, Tianjin, Hebei (and Shandong); a city code such as 131000
(Langfang) counts as Hebei.

Entries whose issuer is ``*`` hold for any issuer meeting the entry's ``conditions`` (e.g. a hospital
on the version's list of assessed institutions); pass ``participants`` (issuers by version) to check
the issuer itself, otherwise the answer says the issuer was not checked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pandas as pd

from xietong.errors import InputError, Location, Problem
from xietong.services.enums import RecognitionKind

ENTRIES_FILE = "recognition_jjj.csv"
VERSIONS_FILE = "recognition_versions.csv"
#: the text columns of an entry (``confirmed`` is the one boolean)
ENTRY_COLUMNS = (
    "catalogue",
    "version",
    "kind",
    "item_key",
    "item_name_zh",
    "item_name_en",
    "issuer",
    "issued_in",
    "recognised_in",
    "valid_from",
    "valid_from_basis",
    "valid_to",
    "conditions",
    "source_url",
    "source_date",
)


@dataclass(frozen=True, slots=True)
class Entry:
    catalogue: str
    version: str
    kind: RecognitionKind
    item_key: str
    item_name_zh: str
    item_name_en: str
    issuer: str
    issued_in: frozenset[str]
    recognised_in: frozenset[str]
    valid_from: dt.date
    valid_to: dt.date | None
    valid_from_basis: str
    conditions: str
    confirmed: bool
    source_url: str
    source_date: str


@dataclass(frozen=True, slots=True)
class Answer:
    """The answer to a recognition query."""

    recognised: bool
    entry: Entry | None
    catalogue: str
    version: str | None
    reason: str
    issuer_checked: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        entry = None
        if self.entry is not None:
            e = self.entry
            entry = {
                "item_key": e.item_key,
                "item_name_zh": e.item_name_zh,
                "item_name_en": e.item_name_en,
                "issuer": e.issuer,
                "valid_from": e.valid_from.isoformat(),
                "conditions": e.conditions,
                "confirmed": e.confirmed,
                "source_url": e.source_url,
                "source_date": e.source_date,
            }
        return {
            "recognised": self.recognised,
            "catalogue": self.catalogue,
            "version": self.version,
            "reason": self.reason,
            "issuer_checked": self.issuer_checked,
            "note": self.note,
            "entry": entry,
        }


def province(code: str) -> str:
    """The province-level GB/T 2260 code of a jurisdiction code (131000 → 130000)."""
    text = str(code).strip()
    if len(text) != 6 or not text.isdigit():
        raise InputError(
            "not a GB/T 2260 jurisdiction code",
            expected="6 digits, e.g. 110000 or 131000",
            given=repr(text),
            where=Location(field="jurisdiction"),
        )
    return text[:2] + "0000"


def _day(text: str, where: Location, problems: list[Problem]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        problems.append(Problem("not a date", where, "YYYY-MM-DD", repr(text)))
        return None


@cache
def _raw_entries() -> pd.DataFrame:
    with resources.files("xietong.services").joinpath("data").joinpath(ENTRIES_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def raw_entries() -> pd.DataFrame:
    """The bundled entries file as text columns (a copy: callers may modify it)."""
    return _raw_entries().copy()


def load_entries(frame: pd.DataFrame | None = None) -> tuple[Entry, ...]:
    """Entries from a frame (default: the bundled file); every row needs a source and a valid_from."""
    if frame is None:
        frame = raw_entries()
    problems: list[Problem] = []
    out: list[Entry] = []
    for pos, r in enumerate(frame.to_dict("records")):
        for col in ("source_url", "source_date"):
            if not str(r.get(col, "")).strip():
                problems.append(
                    Problem("row without a source", Location(ENTRIES_FILE, pos + 1, col), "a value", "nothing")
                )
        start = _day(r["valid_from"], Location(ENTRIES_FILE, pos + 1, "valid_from"), problems)
        end = (
            _day(r["valid_to"], Location(ENTRIES_FILE, pos + 1, "valid_to"), problems)
            if str(r.get("valid_to", "")).strip()
            else None
        )
        try:
            kind = RecognitionKind(r["kind"])
        except ValueError:
            problems.append(
                Problem(
                    "unknown kind", Location(ENTRIES_FILE, pos + 1, "kind"), ", ".join(RecognitionKind), repr(r["kind"])
                )
            )
            continue
        if start is None:
            continue
        out.append(
            Entry(
                catalogue=r["catalogue"],
                version=r["version"],
                kind=kind,
                item_key=r["item_key"],
                item_name_zh=r["item_name_zh"],
                item_name_en=r["item_name_en"],
                issuer=r["issuer"],
                issued_in=frozenset(province(c) for c in r["issued_in"].split(";") if c.strip()),
                recognised_in=frozenset(province(c) for c in r["recognised_in"].split(";") if c.strip()),
                valid_from=start,
                valid_to=end,
                valid_from_basis=r.get("valid_from_basis", ""),
                conditions=r.get("conditions", ""),
                confirmed=str(r.get("confirmed", "")).strip().lower() == "true",
                source_url=r["source_url"],
                source_date=r["source_date"],
            )
        )
    if problems:
        raise InputError.refuse(problems, summary=f"{len(problems)} problems in the recognition catalogue")
    return tuple(out)


@cache
def bundled_entries() -> tuple[Entry, ...]:
    return load_entries()


@cache
def bundled_versions() -> pd.DataFrame:
    """The versions table (including versions known but not itemised)."""
    with resources.files("xietong.services").joinpath("data").joinpath(VERSIONS_FILE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False)


def _in_force(entries: tuple[Entry, ...], catalogue: str, on: dt.date) -> str | None:
    """The latest version of ``catalogue`` in force on ``on`` (the one with the latest valid_from <= on)."""
    starts: dict[str, dt.date] = {}
    for e in entries:
        if e.catalogue == catalogue and e.valid_from <= on:
            starts[e.version] = min(starts.get(e.version, e.valid_from), e.valid_from)
    return max(starts, key=lambda v: starts[v]) if starts else None


def is_recognised(
    *,
    catalogue: str,
    item: str,
    issuer: str,
    issued_in: str,
    used_in: str,
    on: dt.date,
    entries: tuple[Entry, ...] | None = None,
    participants: Mapping[str, frozenset[str]] | None = None,
) -> Answer:
    """Is ``item`` issued by ``issuer`` in ``issued_in`` recognised in ``used_in`` on ``on``?

    Consults the version of ``catalogue`` in force on ``on`` and returns the answering entry, or
    ``recognised=False`` with the reason (no version yet, no entry for the item, issuer or
    jurisdictions) and the version consulted.
    """
    pool = bundled_entries() if entries is None else entries
    known = sorted({e.catalogue for e in pool})
    if catalogue not in known:
        raise InputError(
            "unknown recognition catalogue",
            expected=", ".join(known),
            given=catalogue,
            where=Location(field="catalogue"),
        )
    a, b = province(issued_in), province(used_in)
    version = _in_force(pool, catalogue, on)
    note = _later_versions_note(catalogue) if entries is None else ""
    if version is None:
        return Answer(
            False,
            None,
            catalogue,
            None,
            f"not recognised: no itemised version of {catalogue} was in force on {on.isoformat()} (earlier versions are not in the data)",
            note=note,
        )
    candidates = [e for e in pool if e.catalogue == catalogue and e.version == version and e.item_key == item]
    if not candidates:
        return Answer(
            False, None, catalogue, version, f"not recognised: no entry for {item!r} in version {version}", note=note
        )
    for e in candidates:
        if (e.valid_to is not None and on >= e.valid_to) or a not in e.issued_in or b not in e.recognised_in:
            continue
        if e.issuer not in ("*", issuer):
            continue
        checked = e.issuer != "*"
        if e.issuer == "*" and participants is not None and version in participants:
            if issuer not in participants[version]:
                return Answer(
                    False,
                    e,
                    catalogue,
                    version,
                    f"not recognised: {issuer} is not a participant of version {version}",
                    True,
                    note,
                )
            checked = True
        return Answer(True, e, catalogue, version, f"recognised under {catalogue} version {version}", checked, note)
    return Answer(
        False,
        None,
        catalogue,
        version,
        f"not recognised: no entry of version {version} covers {item!r} issued by {issuer} in {a} and used in {b}",
        note=note,
    )


def _later_versions_note(catalogue: str) -> str:
    versions = bundled_versions()
    rows = versions[(versions["catalogue"] == catalogue) & (versions["itemised"] == "false")]
    if rows.empty:
        return ""
    names = ", ".join(rows["version"])
    return f"later versions known but not itemised here: {names} (see recognition_versions.csv)"


__all__ = [
    "ENTRY_COLUMNS",
    "Answer",
    "Entry",
    "bundled_entries",
    "bundled_versions",
    "is_recognised",
    "load_entries",
    "province",
    "raw_entries",
]
