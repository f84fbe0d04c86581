"""The transport domain's declaration (domain contract, :mod:`xietong.domains`): T1 and T2 of MISSION.md.

China Railway timetables into one regional GTFS feed, RAPTOR routing, travel-time matrices, the N-hour
circle and planned-line scenarios. The regional feed is a file in the data directory, so the domain has
no tables. Published as the entry point ``transit``.
"""

from __future__ import annotations

from xietong.domains import CliGroup, Domain, Page

DOMAIN = Domain(
    name="transit",
    title_zh="交通",
    title_en="Transport",
    description="Regional rail feed, RAPTOR routing, the N-hour circle, planned-line scenarios.",
    order=40,
    indicators="xietong.transit.indicators:indicators",
    features="xietong.transit.features:collections",
    warm_up="xietong.transit.raptor:warm_up",
    api=("xietong.transit.routes:router",),
    cli=(CliGroup("transit", "xietong.transit.commands:app"),),
    pages=(Page("transit", "交通", "Transport", "transit.js", order=40),),
    static="xietong.transit:web",
)

__all__ = ["DOMAIN"]
