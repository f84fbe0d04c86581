"""The water domain's declaration (domain contract, :mod:`xietong.domains`): E2 of MISSION.md.

Cross-border river monitoring (GB 3838-2002, the 2011 evaluation method), the Haihe river graph and
pollution incidents with upstream–downstream notification. Published as the entry point ``water``.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.domains import CliGroup, Domain, EventType, Page, ScopeSpec


class WaterScope(StrEnum):
    """Token scopes the water domain checks."""

    PUBLISH = "publish:water"


class WaterEvent(StrEnum):
    """Webhook events of pollution incidents (sent to the jurisdictions downstream)."""

    INCIDENT_OPENED = "water.incident.opened"
    INCIDENT_ACKNOWLEDGED = "water.incident.acknowledged"
    INCIDENT_PLAN = "water.incident.plan"
    INCIDENT_CLOSED = "water.incident.closed"


_EVENT_TEXT = {
    WaterEvent.INCIDENT_OPENED: "an incident was reported at a section; downstream sections with arrival times",
    WaterEvent.INCIDENT_ACKNOWLEDGED: "a downstream jurisdiction acknowledged an incident",
    WaterEvent.INCIDENT_PLAN: "joint monitoring (sampling) was added to an incident",
    WaterEvent.INCIDENT_CLOSED: "an incident was closed with its report",
}

DOMAIN = Domain(
    name="water",
    title_zh="水",
    title_en="Cross-border rivers",
    description="Surface-water classes (GB 3838-2002), the Haihe river graph, pollution incidents.",
    order=30,
    tables="xietong.water.tables",
    migrations="xietong.water.migrations",
    seed="xietong.water.service:seed",
    indicators="xietong.water.indicators:indicators",
    features="xietong.water.features:collections",
    events=tuple(EventType(e.value, _EVENT_TEXT[e]) for e in WaterEvent),
    scopes=(
        ScopeSpec(WaterScope.PUBLISH.value, "publish sections, samples and incidents of the principal's jurisdiction"),
    ),
    api=("xietong.water.routes:router",),
    cli=(CliGroup("water", "xietong.water.commands:app"),),
    pages=(Page("water", "水", "Water", "water.js", order=30),),
    static="xietong.water:web",
)

__all__ = ["DOMAIN", "WaterEvent", "WaterScope"]
