"""The agreements domain's declaration (domain contract, :mod:`xietong.domains`): G1 of MISSION.md.

Cooperation agreements as tracked tasks, bound to the indicators the other domains publish (it consumes
them through :func:`xietong.indicators.default_registry`, never by importing a domain). Published as the
entry point ``agreements``.
"""

from __future__ import annotations

from enum import StrEnum

from xietong.domains import CliGroup, Domain, Page, ScopeSpec


class AgreementScope(StrEnum):
    """Token scopes the agreements domain checks."""

    TRACK = "track"


DOMAIN = Domain(
    name="agreements",
    title_zh="协议",
    title_en="Cooperation agreements",
    description="Agreement texts as tasks with leads, partners, progress, evidence and bound indicators.",
    order=90,
    tables="xietong.agreements.tables",
    migrations="xietong.agreements.migrations",
    datasets="xietong.agreements.published:datasets",
    scopes=(
        ScopeSpec(
            AgreementScope.TRACK.value,
            "update the tracking state of tasks the principal's jurisdiction leads or partners "
            "(any write scope of a jurisdiction also allows it)",
        ),
    ),
    api=("xietong.agreements.routes:router",),
    cli=(CliGroup("agreements", "xietong.agreements.commands:app"),),
    pages=(Page("agreements", "协议", "Agreements", "agreements.js", order=90),),
    static="xietong.agreements:web",
)

__all__ = ["DOMAIN", "AgreementScope"]
