"""The public-services domain's declaration (domain contract, :mod:`xietong.domains`): S1 of MISSION.md.

Cross-jurisdiction service cases on the official working-day calendar, the cross-province catalogue,
mutual-recognition catalogues and partnerships (docs/services.md). Published as the entry point
``services``.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.domains import CliGroup, Domain, EventType, Page, ScopeSpec
from xietong.services.enums import EventType as CaseEvent


class ServicesScope(StrEnum):
    """Token scopes the public-services domain checks."""

    #: an office's staff: receive cases, act on the steps of their jurisdiction's offices, read those cases
    HANDLE = "services"
    #: publish catalogue items and offices of the principal's jurisdiction
    PUBLISH = "publish:services"


_EVENT_TEXT = {
    CaseEvent.CASE_RECEIVED: "a case was received (to the receiving and the competent offices' jurisdictions)",
    CaseEvent.STEP_OPENED: "a step of a case opened, with its due date on the official calendar",
    CaseEvent.STEP_COMPLETED: "a step was done (on time or not)",
    CaseEvent.CASE_SUSPENDED: "the clock of a case stopped: the office waits for the applicant",
    CaseEvent.CASE_RESUMED: "the clock runs again; the open steps' new due dates",
    CaseEvent.STEP_OVERDUE: "an open step passed its due date (to both offices' jurisdictions)",
    CaseEvent.CASE_CLOSED: "every step of a case is done",
}

DOMAIN = Domain(
    name="services",
    title_zh="政务服务",
    title_en="Public services",
    description="Cross-province service cases on the official working-day calendar, mutual recognition, "
    "partnerships (S1).",
    order=60,
    tables="xietong.services.tables",
    migrations="xietong.services.migrations",
    seed="xietong.services.registry:seed",
    indicators="xietong.services.indicators:indicators",
    events=tuple(EventType(e.value, _EVENT_TEXT[e]) for e in CaseEvent),
    scopes=(
        ScopeSpec(
            ServicesScope.HANDLE.value,
            "receive cases and act on them for the offices of the principal's jurisdiction; read those cases",
        ),
        ScopeSpec(ServicesScope.PUBLISH.value, "publish catalogue items and offices of the principal's jurisdiction"),
    ),
    api=("xietong.services.routes:router",),
    cli=(CliGroup("services", "xietong.services.commands:app"),),
    pages=(Page("services", "政务服务", "Services", "services.js", order=60),),
    static="xietong.services:web",
)

__all__ = ["DOMAIN", "ServicesScope"]
