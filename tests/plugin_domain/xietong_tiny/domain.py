"""The tiny domain's declaration: everything it adds, through the domain contract only."""

from __future__ import annotations

from xietong.domains import CliGroup, Domain, EventType, Page, ScopeSpec

DOMAIN = Domain(
    name="tiny",
    title_zh="小",
    title_en="Tiny",
    description="A domain written for the tests, installed from tests/plugin_domain.",
    order=200,
    tables="xietong_tiny.tables",
    migrations="xietong_tiny.migrations",
    seed="xietong_tiny.service:seed",
    indicators="xietong_tiny.service:indicators",
    events=(EventType("tiny.note.added", "a note was added"),),
    scopes=(ScopeSpec("publish:tiny", "add notes"),),
    api=("xietong_tiny.routes:router",),
    cli=(CliGroup("tiny", "xietong_tiny.commands:app"),),
    pages=(Page("tiny", "小", "Tiny", "tiny.js", order=200),),
    static="xietong_tiny:web",
)
