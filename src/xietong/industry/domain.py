"""The industry domain's declaration (domain contract, :mod:`xietong.domains`): I1 and I2 of MISSION.md.

Parks and undertaking platforms (owned per jurisdiction, revisioned, seeded from the agreements with their
text spans), relocation and investment projects with dated stages, interest sharing, siting that reads the
transport, air and water indicators, the region's economic structure and technology transfer. Published as
the entry point ``industry``.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.domains import CliGroup, Domain, EventType, Page, ScopeSpec


class IndustryScope(StrEnum):
    """Token scopes the industry domain checks."""

    PUBLISH = "publish:industry"


class IndustryEvent(StrEnum):
    """Webhook events of relocation projects (sent to the origin and the destination)."""

    PROJECT_CREATED = "industry.project.created"
    PROJECT_STAGE = "industry.project.stage_changed"
    PROJECT_CONFIRMED = "industry.project.confirmed"


_EVENT_TEXT = {
    IndustryEvent.PROJECT_CREATED: "a relocation or investment project was registered by its destination",
    IndustryEvent.PROJECT_STAGE: "a project reached a new stage (construction, operating) or was cancelled",
    IndustryEvent.PROJECT_CONFIRMED: "the origin jurisdiction confirmed the move of a project's enterprise",
}

DOMAIN = Domain(
    name="industry",
    title_zh="产业",
    title_en="Industrial cooperation",
    description=(
        "Parks and undertaking platforms, relocation projects, interest sharing, siting, economic structure "
        "and technology transfer (GB/T 4754-2017)."
    ),
    order=60,
    tables="xietong.industry.tables",
    migrations="xietong.industry.migrations",
    seed="xietong.industry.service:seed",
    indicators="xietong.industry.indicators:indicators",
    events=tuple(EventType(e.value, _EVENT_TEXT[e]) for e in IndustryEvent),
    scopes=(
        ScopeSpec(
            IndustryScope.PUBLISH.value,
            "publish the parks, projects, technology contracts and structure tables of the principal's jurisdiction",
        ),
    ),
    api=("xietong.industry.routes:router",),
    cli=(CliGroup("industry", "xietong.industry.commands:app"),),
    pages=(Page("industry", "产业", "Industry", "industry.js", order=60),),
    static="xietong.industry:web",
)

__all__ = ["DOMAIN", "IndustryEvent", "IndustryScope"]
