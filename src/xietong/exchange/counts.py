"""Counts of a revisioned write, shared by every domain that publishes through the exchange."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class WriteCounts:
    """Counts of values (one pollutant at one station-hour, or one published variable)."""

    read: int = 0
    written: int = 0
    unchanged: int = 0
    revised: int = 0
    rejected: int = 0

    def add(self, other: WriteCounts) -> None:
        self.read += other.read
        self.written += other.written
        self.unchanged += other.unchanged
        self.revised += other.revised
        self.rejected += other.rejected

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


__all__ = ["WriteCounts"]
