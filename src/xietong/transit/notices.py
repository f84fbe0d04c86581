"""Validation notices of a GTFS feed, with the codes and severities of the canonical GTFS validator.

MobilityData's ``gtfs-validator`` (https://github.com/MobilityData/gtfs-validator, notice catalogue at
https://gtfs-validator.mobilitydata.org/rules.html) names every finding with a snake_case **code** (the
notice class name without ``Notice``: ``ForeignKeyViolationNotice`` → ``foreign_key_violation``) and a
**severity**: ``ERROR`` for what the GTFS reference requires or forbids ("must"), ``WARNING`` for what it
recommends ("should", best practices), ``INFO`` for what does not affect quality. Xietong uses the same
codes for the checks it implements and, for each, the severity *as Xietong applies it*:

* ``ERROR``: the timetable would be meaningless, :func:`~xietong.transit.gtfs.read_feed` refuses the feed;
* ``WARNING``: the feed is used; rows that cannot be used (e.g. a transfer naming a stop the feed lacks)
  are dropped and counted;
* ``INFO``: nothing is changed.

Where Xietong's severity differs from the canonical one (:data:`CANONICAL_SEVERITY`) the reason is in
``docs/transit.md`` ("Validation notices"): a reference that cannot be resolved in an optional file
(``transfers.txt``, ``pathways.txt``, frequencies, extra footpaths) is a ``foreign_key_violation``
``ERROR`` for the canonical validator and a ``WARNING`` here, because dropping the row leaves a
meaningful timetable.

A :class:`Notice` is one code at one severity with the number of occurrences and the first few of them
(:data:`MAX_SAMPLES`) as :class:`~xietong.errors.Problem` s (file, 1-based data row, field, expected,
given). :class:`NoticeLog` collects them while a feed is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from xietong.errors import Location, Problem

#: occurrences kept as samples per notice
MAX_SAMPLES = 5


class Severity(StrEnum):
    """How serious a notice is (canonical GTFS validator levels)."""

    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"

    @property
    def rank(self) -> int:
        """0 for ERROR (most serious) … 2 for INFO."""
        return list(Severity).index(self)


class NoticeCode(StrEnum):
    """The notice codes Xietong checks; all but ``stop_time_with_departure_before_arrival_time`` are codes
    of the canonical validator (MobilityData gtfs-validator, notice class name in snake_case)."""

    MISSING_REQUIRED_FILE = "missing_required_file"
    MISSING_REQUIRED_COLUMN = "missing_required_column"
    MISSING_REQUIRED_FIELD = "missing_required_field"
    CSV_PARSING_FAILED = "csv_parsing_failed"
    EMPTY_FILE = "empty_file"
    INVALID_TIME = "invalid_time"
    INVALID_INTEGER = "invalid_integer"
    INVALID_FLOAT = "invalid_float"
    DUPLICATE_KEY = "duplicate_key"
    FOREIGN_KEY_VIOLATION = "foreign_key_violation"
    MISSING_CALENDAR_AND_CALENDAR_DATE_FILES = "missing_calendar_and_calendar_date_files"
    MISSING_TRIP_EDGE = "missing_trip_edge"
    STOP_TIME_WITH_ARRIVAL_BEFORE_PREVIOUS_DEPARTURE_TIME = "stop_time_with_arrival_before_previous_departure_time"
    STOP_TIME_WITH_DEPARTURE_BEFORE_ARRIVAL_TIME = "stop_time_with_departure_before_arrival_time"
    STOP_TIME_WITH_ONLY_ARRIVAL_OR_DEPARTURE_TIME = "stop_time_with_only_arrival_or_departure_time"
    UNUSABLE_TRIP = "unusable_trip"
    UNUSED_TRIP = "unused_trip"
    STOP_WITHOUT_STOP_TIME = "stop_without_stop_time"
    STOP_WITHOUT_LOCATION = "stop_without_location"
    FAST_TRAVEL_BETWEEN_CONSECUTIVE_STOPS = "fast_travel_between_consecutive_stops"
    UNKNOWN_FILE = "unknown_file"


#: Severity of each code in the canonical validator (MobilityData gtfs-validator, the
#: ``@GtfsValidationNotice(severity = …)`` of each notice class). ``None``: a Xietong code.
CANONICAL_SEVERITY: dict[NoticeCode, Severity | None] = {
    NoticeCode.MISSING_REQUIRED_FILE: Severity.ERROR,
    NoticeCode.MISSING_REQUIRED_COLUMN: Severity.ERROR,
    NoticeCode.MISSING_REQUIRED_FIELD: Severity.ERROR,
    NoticeCode.CSV_PARSING_FAILED: Severity.ERROR,
    NoticeCode.EMPTY_FILE: Severity.ERROR,
    NoticeCode.INVALID_TIME: Severity.ERROR,
    NoticeCode.INVALID_INTEGER: Severity.ERROR,
    NoticeCode.INVALID_FLOAT: Severity.ERROR,
    NoticeCode.DUPLICATE_KEY: Severity.ERROR,
    NoticeCode.FOREIGN_KEY_VIOLATION: Severity.ERROR,
    NoticeCode.MISSING_CALENDAR_AND_CALENDAR_DATE_FILES: Severity.ERROR,
    NoticeCode.MISSING_TRIP_EDGE: Severity.ERROR,
    NoticeCode.STOP_TIME_WITH_ARRIVAL_BEFORE_PREVIOUS_DEPARTURE_TIME: Severity.ERROR,
    NoticeCode.STOP_TIME_WITH_DEPARTURE_BEFORE_ARRIVAL_TIME: None,
    NoticeCode.STOP_TIME_WITH_ONLY_ARRIVAL_OR_DEPARTURE_TIME: Severity.ERROR,
    NoticeCode.UNUSABLE_TRIP: Severity.WARNING,
    NoticeCode.UNUSED_TRIP: Severity.WARNING,
    NoticeCode.STOP_WITHOUT_STOP_TIME: Severity.WARNING,
    NoticeCode.STOP_WITHOUT_LOCATION: Severity.ERROR,
    NoticeCode.FAST_TRAVEL_BETWEEN_CONSECUTIVE_STOPS: Severity.WARNING,
    NoticeCode.UNKNOWN_FILE: Severity.INFO,
}


@dataclass(frozen=True, slots=True)
class Notice:
    """One code at one severity: how often it occurred and the first occurrences."""

    code: NoticeCode
    severity: Severity
    count: int
    samples: tuple[Problem, ...] = ()

    def describe(self) -> str:
        """``ERROR foreign_key_violation ×3: <first sample>``."""
        first = f": {self.samples[0].describe()}" if self.samples else ""
        return f"{self.severity} {self.code} ×{self.count}{first}"

    def as_dict(self) -> dict[str, Any]:
        """``{code, severity, count, samples: [{file, row, field, message, expected, given, hint}]}``."""
        return {
            "code": self.code.value,
            "severity": self.severity.value,
            "count": self.count,
            "samples": [
                {
                    "file": p.where.source,
                    "row": p.where.row,
                    "field": p.where.field,
                    "message": p.message,
                    "expected": p.expected,
                    "given": p.given,
                    "hint": p.hint,
                }
                for p in self.samples
            ],
        }


@dataclass(slots=True)
class NoticeLog:
    """Collects notices while a feed is read: :meth:`add` one problem (with a count when it stands for
    several rows), :meth:`notices` the aggregated result, most serious first."""

    _counts: dict[tuple[NoticeCode, Severity], int] = field(default_factory=dict)
    _samples: dict[tuple[NoticeCode, Severity], list[Problem]] = field(default_factory=dict)

    def add(
        self,
        code: NoticeCode,
        message: str,
        where: Location,
        *,
        severity: Severity | None = None,
        count: int = 1,
        expected: str | None = None,
        given: str | None = None,
        hint: str | None = None,
    ) -> None:
        """Record ``count`` occurrences of ``code`` (severity: the canonical one unless given)."""
        sev = severity or CANONICAL_SEVERITY[code] or Severity.ERROR
        key = (code, sev)
        self._counts[key] = self._counts.get(key, 0) + count
        samples = self._samples.setdefault(key, [])
        if len(samples) < MAX_SAMPLES:
            samples.append(Problem(message, where, expected, given, hint))

    def add_rows(
        self,
        code: NoticeCode,
        message: str,
        source: str,
        rows: Sequence[int],
        field_name: str | None,
        givens: Sequence[object] = (),
        *,
        severity: Severity | None = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        """Record one occurrence per 1-based data row in ``rows`` (the first :data:`MAX_SAMPLES` kept)."""
        if not len(rows):
            return
        for i, row in enumerate(rows[:MAX_SAMPLES]):
            given = repr(givens[i]) if i < len(givens) else None
            self.add(
                code,
                message,
                Location(source, int(row), field_name),
                severity=severity,
                expected=expected,
                given=given,
                hint=hint,
            )
        if len(rows) > MAX_SAMPLES:
            sev = severity or CANONICAL_SEVERITY[code] or Severity.ERROR
            self._counts[(code, sev)] += len(rows) - MAX_SAMPLES

    def extend(self, notices: Iterable[Notice]) -> None:
        for n in notices:
            key = (n.code, n.severity)
            self._counts[key] = self._counts.get(key, 0) + n.count
            samples = self._samples.setdefault(key, [])
            samples.extend(n.samples[: MAX_SAMPLES - len(samples)])

    def has(self, severity: Severity) -> bool:
        return any(sev is severity for _, sev in self._counts)

    def notices(self) -> tuple[Notice, ...]:
        return sort_notices(
            Notice(code, sev, n, tuple(self._samples.get((code, sev), ()))) for (code, sev), n in self._counts.items()
        )


def sort_notices(notices: Iterable[Notice]) -> tuple[Notice, ...]:
    """Most serious first, then by code."""
    return tuple(sorted(notices, key=lambda n: (n.severity.rank, n.code.value)))


def merge_notices(*groups: Iterable[Notice]) -> tuple[Notice, ...]:
    """One notice per (code, severity) from several groups (e.g. merged feeds): counts added."""
    log = NoticeLog()
    for group in groups:
        log.extend(group)
    return log.notices()


def count_by_severity(notices: Iterable[Notice]) -> dict[Severity, int]:
    """Occurrences per severity (every severity present, 0 when none)."""
    out = dict.fromkeys(Severity, 0)
    for n in notices:
        out[n.severity] += n.count
    return out


def summary_line(notices: Sequence[Notice], name: str, *, hint: bool = True) -> str:
    """One line for a command's stderr, e.g. ``feed.zip: 17 validation notices (0 ERROR, 16 WARNING, 1
    INFO); details: xietong transit validate feed.zip``."""
    counts = count_by_severity(notices)
    total = sum(counts.values())
    if not total:
        return f"{name}: no validation notices"
    per = ", ".join(f"{counts[s]} {s}" for s in Severity)
    codes = ", ".join(f"{n.code} ×{n.count}" for n in notices[:3]) + (" …" if len(notices) > 3 else "")
    more = f"; details: xietong transit validate {name}" if hint else ""
    return f"{name}: {total} validation notice(s) ({per}: {codes}){more}"


__all__ = [
    "CANONICAL_SEVERITY",
    "MAX_SAMPLES",
    "Notice",
    "NoticeCode",
    "NoticeLog",
    "Severity",
    "count_by_severity",
    "merge_notices",
    "sort_notices",
    "summary_line",
]
