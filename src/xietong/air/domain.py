"""The air domain's declaration (domain contract, :mod:`xietong.domains`): E1 of MISSION.md.

Station data sharing, the AQI engine (HJ 633, GB 3095), regional heavy-pollution warnings with the
consultation workflow and graded measures. Published as the entry point ``air`` of ``xietong.domains``.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.domains import CliGroup, Domain, EventType, Page, ScopeSpec


class AirScope(StrEnum):
    """Token scopes the air domain checks."""

    PUBLISH = "publish:air"
    PUBLISH_EXTERNAL = "publish:external"
    WARN = "warn"


class AirEvent(StrEnum):
    """Webhook events of the warning consultation (sent to the jurisdictions a warning names)."""

    WARNING_PROPOSED = "warning.proposed"
    WARNING_ANSWERED = "warning.answered"
    WARNING_ISSUED = "warning.issued"
    WARNING_CHANGED = "warning.changed"
    WARNING_LIFTED = "warning.lifted"


_EVENT_TEXT = {
    AirEvent.WARNING_PROPOSED: "a regional warning was proposed; the named cities are asked to answer",
    AirEvent.WARNING_ANSWERED: "a city answered a proposal (agree, counter-proposal, decline)",
    AirEvent.WARNING_ISSUED: "a warning was issued in one or more cities",
    AirEvent.WARNING_CHANGED: "the level or period of an issued warning changed",
    AirEvent.WARNING_LIFTED: "a warning was lifted in one or more cities",
}

DOMAIN = Domain(
    name="air",
    title_zh="空气",
    title_en="Air quality and warnings",
    description="Station data sharing, AQI (HJ 633), GB 3095 statistics, regional heavy-pollution warnings.",
    order=10,
    tables="xietong.air.tables",
    migrations="xietong.air.migrations",
    seed="xietong.air.seed:seed",
    indicators="xietong.air.indicators:indicators",
    features="xietong.air.features:collections",
    events=tuple(EventType(e.value, _EVENT_TEXT[e]) for e in AirEvent),
    scopes=(
        ScopeSpec(AirScope.PUBLISH.value, "publish the stations and observations of the principal's jurisdiction"),
        ScopeSpec(
            AirScope.PUBLISH_EXTERNAL.value,
            "register and publish external stations (outside the 15 jurisdictions), e.g. a national-feed importer",
        ),
        ScopeSpec(AirScope.WARN.value, "forecasts, and propose, answer, issue, change and lift regional warnings"),
    ),
    api=("xietong.air.routes:router", "xietong.air.routes_warnings:router", "xietong.air.routes_map:router"),
    cli=(CliGroup("air", "xietong.air.commands:app"), CliGroup("warn", "xietong.air.commands_warn:app")),
    pages=(
        Page("air", "空气", "Air", "air.js", order=10),
        Page("warnings", "预警", "Warnings", "warnings.js", order=20),
    ),
    static="xietong.air:web",
)

__all__ = ["DOMAIN", "AirEvent", "AirScope"]
