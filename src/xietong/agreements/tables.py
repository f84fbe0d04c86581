"""The agreements domain's tables: imported texts, tasks with their tracking state and history, files, indicator bindings and values.

Defined on the platform's :data:`xietong.store.tables.metadata` (see that module for the conventions of
system-versioned pairs); registered through the domain contract.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata
from xietong.store.types import UtcDateTime

# -- cooperation agreements: imported texts, their tasks, tracking state and history, indicators --------

agreement = sa.Table(
    "agreement",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("title_key", sa.String(300), nullable=False, index=True, comment="normalised title: finds revisions"),
    sa.Column("parties", sa.Text, nullable=False, comment="JSON: [{code, name, name_zh}]"),
    sa.Column("signed_on", sa.Date, nullable=True, comment="date of the agreement, when the text gives one"),
    sa.Column("language", sa.String(2), nullable=False),
    sa.Column("source", sa.String(300), nullable=True, comment="file name of the imported text"),
    sa.Column("sha256", sa.String(64), nullable=False, comment="SHA-256 of the imported file's bytes"),
    sa.Column("revision", sa.Integer, nullable=False, comment="1 for the first import, +1 per revised text"),
    sa.Column("sections", sa.Text, nullable=False, comment="JSON: the sections of the core document"),
    sa.Column("text", sa.Text, nullable=False, comment="the text the task spans point into"),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("imported_by", sa.String(100), nullable=False, comment="who imported the current revision"),
    sa.Column("imported_at", UtcDateTime(), nullable=False),
)

agreement_import = sa.Table(
    "agreement_import",
    metadata,
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("source", sa.String(300), nullable=True),
    sa.Column("imported_by", sa.String(100), nullable=False),
    sa.Column("imported_at", UtcDateTime(), nullable=False),
    sa.Column("summary", sa.Text, nullable=False, comment="JSON counts: added, updated, unchanged, retired, restored"),
)


def _task_state_columns() -> list[sa.Column[object]]:
    """Tracking state of a task: the same columns in ``agreement_task`` and in each of its versions in
    ``agreement_task_history`` (which also keeps the indicator bindings of the version)."""
    return [
        sa.Column("area", sa.String(24), nullable=False, comment="xietong.agreements.Area"),
        sa.Column("lead", sa.Text, nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("partners", sa.Text, nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("in_text", sa.Boolean, nullable=False, comment="false once a revised text no longer has it"),
        sa.Column("status", sa.String(12), nullable=False, comment="xietong.agreements.track.Status"),
        sa.Column("progress_pct", sa.Float(53), nullable=False, comment="[%], 0 to 100"),
        sa.Column("weight", sa.Float(53), nullable=False, comment="weight in progress roll-ups, >= 0"),
        sa.Column("due", sa.Date, nullable=True, comment="due day (China Standard Time)"),
        sa.Column("milestones", sa.Text, nullable=False, comment="JSON: [{title, due, done}]"),
        sa.Column("evidence", sa.Text, nullable=False, comment="JSON: [{id, kind, title, url|text|sha256 …}]"),
        sa.Column("note", sa.Text, nullable=True),
    ]


agreement_task = sa.Table(
    "agreement_task",
    metadata,
    sa.Column("agreement_id", sa.Integer, sa.ForeignKey("agreement.id"), primary_key=True),
    sa.Column("task_id", sa.String(24), primary_key=True, comment="stable id: hash of the task text"),
    sa.Column("position", sa.Integer, nullable=False, comment="order in the current text"),
    sa.Column("number", sa.String(24), nullable=False, comment="section number . task index"),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("span_start", sa.Integer, nullable=False),
    sa.Column("span_end", sa.Integer, nullable=False),
    sa.Column("section", sa.Text, nullable=True),
    sa.Column("section_number", sa.String(24), nullable=True),
    sa.Column("section_path", sa.Text, nullable=False, comment="JSON list of headings"),
    sa.Column("measure", sa.Text, nullable=True),
    sa.Column("bodies", sa.Text, nullable=False, comment="JSON list"),
    sa.Column("projects", sa.Text, nullable=False, comment="JSON list"),
    sa.Column("strength", sa.String(10), nullable=False),
    sa.Column("corrected", sa.Boolean, nullable=False, comment="area/lead/partners set by hand: imports keep them"),
    *_task_state_columns(),
    sa.Column("version", sa.Integer, nullable=False, comment="1 at import, +1 per change"),
    sa.Column("evidence_seq", sa.Integer, nullable=False, comment="highest evidence number ever used"),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("updated_by", sa.String(100), nullable=False),
)

agreement_task_history = sa.Table(
    "agreement_task_history",
    metadata,
    sa.Column("agreement_id", sa.Integer, primary_key=True),
    sa.Column("task_id", sa.String(24), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column("action", sa.String(20), nullable=False, comment="import, update, csv, bind, unbind, file"),
    sa.Column("changed", sa.Text, nullable=False, comment="JSON list of the fields this version changed"),
    *_task_state_columns(),
    sa.Column("indicators", sa.Text, nullable=False, comment="JSON: the task's indicator bindings at this version"),
    sa.ForeignKeyConstraint(["agreement_id", "task_id"], ["agreement_task.agreement_id", "agreement_task.task_id"]),
)

agreement_file = sa.Table(
    "agreement_file",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True, comment="SHA-256 of the content"),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("media_type", sa.String(120), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.String(100), nullable=False),
    sa.Column("uploaded_at", UtcDateTime(), nullable=False),
)

indicator_binding = sa.Table(
    "indicator_binding",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("agreement_id", sa.Integer, nullable=False),
    sa.Column("task_id", sa.String(24), nullable=False),
    sa.Column("indicator", sa.String(80), nullable=False, comment="key in the indicator registry"),
    sa.Column("params", sa.Text, nullable=False, comment="canonical JSON of the indicator's parameters"),
    sa.Column("comparator", sa.String(2), nullable=False, comment="ge, le, gt, lt or eq"),
    sa.Column("target", sa.Float(53), nullable=False, comment="in the indicator's unit"),
    sa.Column("bound_by", sa.String(100), nullable=False),
    sa.Column("bound_at", UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(["agreement_id", "task_id"], ["agreement_task.agreement_id", "agreement_task.task_id"]),
    sa.UniqueConstraint("agreement_id", "task_id", "indicator", "params"),
)

indicator_value = sa.Table(
    "indicator_value",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator", sa.String(80), nullable=False),
    sa.Column("params", sa.Text, nullable=False, comment="canonical JSON of the parameters"),
    sa.Column("value", sa.Float(53), nullable=True, comment="NULL when the store holds nothing to compute it from"),
    sa.Column("as_of", UtcDateTime(), nullable=True, comment="time of the newest data the value reflects"),
    sa.Column("details", sa.Text, nullable=False, comment="JSON"),
    sa.Column("computed_at", UtcDateTime(), nullable=False),
    sa.Column("computed_by", sa.String(100), nullable=False),
)
sa.Index("ix_indicator_value_series", indicator_value.c.indicator, indicator_value.c.params, indicator_value.c.id)
