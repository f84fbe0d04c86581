"""``xietong transit``: timetables, routing, travel-time matrices, the circle report and scenarios.

The commands live in their own modules (one per capability) and register on :data:`app`.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    help=(
        "Transport accessibility: build a regional GTFS feed from China Railway timetables, route with "
        "RAPTOR, compute travel-time matrices, the N-hour circle report and planned-line scenarios."
    ),
    no_args_is_help=True,
)

from xietong.transit import (  # noqa: E402, F401
    commands_build,
    commands_circle,
    commands_road,
    commands_route,
    commands_trip,
    commands_validate,
)
