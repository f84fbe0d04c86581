"""Transport accessibility: timetables (GTFS and China Railway formats), the RAPTOR router,
travel-time matrices, road times, the N-hour circle report and planned-line scenarios.

The core is pure (arrays and DataFrames in and out); files are read only by the readers handed a path.
See ``docs/transit.md``.
"""

from __future__ import annotations
