"""agreements: texts, tasks, tracking history, evidence files, indicators

Cooperation agreements imported from their text (agreement, agreement_import), their tasks with the
current tracking state (agreement_task) and every earlier version (agreement_task_history), evidence
files stored by SHA-256 (agreement_file), and indicators bound to tasks with their computed values
(indicator_binding, indicator_value). Generated with alembic autogenerate from tables.py and reviewed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_key", sa.String(length=300), nullable=False, comment="normalised title: finds revisions"),
        sa.Column("parties", sa.Text(), nullable=False, comment="JSON: [{code, name, name_zh}]"),
        sa.Column("signed_on", sa.Date(), nullable=True, comment="date of the agreement, when the text gives one"),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True, comment="file name of the imported text"),
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the imported file's bytes"),
        sa.Column("revision", sa.Integer(), nullable=False, comment="1 for the first import, +1 per revised text"),
        sa.Column("sections", sa.Text(), nullable=False, comment="JSON: the sections of the core document"),
        sa.Column("text", sa.Text(), nullable=False, comment="the text the task spans point into"),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False, comment="who imported the current revision"),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_title_key"), ["title_key"], unique=False)

    op.create_table(
        "agreement_file",
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="SHA-256 of the content"),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_agreement_file")),
    )
    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("indicator", sa.String(length=80), nullable=False),
        sa.Column("params", sa.Text(), nullable=False, comment="canonical JSON of the parameters"),
        sa.Column(
            "value",
            sa.Float(precision=53),
            nullable=True,
            comment="NULL when the store holds nothing to compute it from",
        ),
        sa.Column("as_of", UtcDateTime(), nullable=True, comment="time of the newest data the value reflects"),
        sa.Column("details", sa.Text(), nullable=False, comment="JSON"),
        sa.Column("computed_at", UtcDateTime(), nullable=False),
        sa.Column("computed_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index("ix_indicator_value_series", ["indicator", "params", "id"], unique=False)

    op.create_table(
        "agreement_import",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", UtcDateTime(), nullable=False),
        sa.Column(
            "summary", sa.Text(), nullable=False, comment="JSON counts: added, updated, unchanged, retired, restored"
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_agreement_import_agreement_id_agreement")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "revision", name=op.f("pk_agreement_import")),
    )
    op.create_table(
        "agreement_task",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=24), nullable=False, comment="stable id: hash of the task text"),
        sa.Column("position", sa.Integer(), nullable=False, comment="order in the current text"),
        sa.Column("number", sa.String(length=24), nullable=False, comment="section number . task index"),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("span_start", sa.Integer(), nullable=False),
        sa.Column("span_end", sa.Integer(), nullable=False),
        sa.Column("section", sa.Text(), nullable=True),
        sa.Column("section_number", sa.String(length=24), nullable=True),
        sa.Column("section_path", sa.Text(), nullable=False, comment="JSON list of headings"),
        sa.Column("measure", sa.Text(), nullable=True),
        sa.Column("bodies", sa.Text(), nullable=False, comment="JSON list"),
        sa.Column("projects", sa.Text(), nullable=False, comment="JSON list"),
        sa.Column("strength", sa.String(length=10), nullable=False),
        sa.Column(
            "corrected", sa.Boolean(), nullable=False, comment="area/lead/partners set by hand: imports keep them"
        ),
        sa.Column("area", sa.String(length=24), nullable=False, comment="xietong.agreements.Area"),
        sa.Column("lead", sa.Text(), nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("partners", sa.Text(), nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("in_text", sa.Boolean(), nullable=False, comment="false once a revised text no longer has it"),
        sa.Column("status", sa.String(length=12), nullable=False, comment="xietong.agreements.track.Status"),
        sa.Column("progress_pct", sa.Float(precision=53), nullable=False, comment="[%], 0 to 100"),
        sa.Column("weight", sa.Float(precision=53), nullable=False, comment="weight in progress roll-ups, >= 0"),
        sa.Column("due", sa.Date(), nullable=True, comment="due day (China Standard Time)"),
        sa.Column("milestones", sa.Text(), nullable=False, comment="JSON: [{title, due, done}]"),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON: [{id, kind, title, url|text|sha256 …}]"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False, comment="1 at import, +1 per change"),
        sa.Column("evidence_seq", sa.Integer(), nullable=False, comment="highest evidence number ever used"),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_agreement_task_agreement_id_agreement")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "task_id", name=op.f("pk_agreement_task")),
    )
    op.create_table(
        "agreement_task_history",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=24), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False, comment="import, update, csv, bind, unbind, file"),
        sa.Column("changed", sa.Text(), nullable=False, comment="JSON list of the fields this version changed"),
        sa.Column("area", sa.String(length=24), nullable=False, comment="xietong.agreements.Area"),
        sa.Column("lead", sa.Text(), nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("partners", sa.Text(), nullable=False, comment="JSON list of jurisdiction codes"),
        sa.Column("in_text", sa.Boolean(), nullable=False, comment="false once a revised text no longer has it"),
        sa.Column("status", sa.String(length=12), nullable=False, comment="xietong.agreements.track.Status"),
        sa.Column("progress_pct", sa.Float(precision=53), nullable=False, comment="[%], 0 to 100"),
        sa.Column("weight", sa.Float(precision=53), nullable=False, comment="weight in progress roll-ups, >= 0"),
        sa.Column("due", sa.Date(), nullable=True, comment="due day (China Standard Time)"),
        sa.Column("milestones", sa.Text(), nullable=False, comment="JSON: [{title, due, done}]"),
        sa.Column("evidence", sa.Text(), nullable=False, comment="JSON: [{id, kind, title, url|text|sha256 …}]"),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "indicators", sa.Text(), nullable=False, comment="JSON: the task's indicator bindings at this version"
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id", "task_id"],
            ["agreement_task.agreement_id", "agreement_task.task_id"],
            name=op.f("fk_agreement_task_history_agreement_id_agreement_task"),
        ),
        sa.PrimaryKeyConstraint("agreement_id", "task_id", "version", name=op.f("pk_agreement_task_history")),
    )
    op.create_table(
        "indicator_binding",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(length=24), nullable=False),
        sa.Column("indicator", sa.String(length=80), nullable=False, comment="key in the indicator registry"),
        sa.Column("params", sa.Text(), nullable=False, comment="canonical JSON of the indicator's parameters"),
        sa.Column("comparator", sa.String(length=2), nullable=False, comment="ge, le, gt, lt or eq"),
        sa.Column("target", sa.Float(precision=53), nullable=False, comment="in the indicator's unit"),
        sa.Column("bound_by", sa.String(length=100), nullable=False),
        sa.Column("bound_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id", "task_id"],
            ["agreement_task.agreement_id", "agreement_task.task_id"],
            name=op.f("fk_indicator_binding_agreement_id_agreement_task"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_binding")),
        sa.UniqueConstraint(
            "agreement_id",
            "task_id",
            "indicator",
            "params",
            name=op.f("uq_indicator_binding_agreement_id_task_id_indicator_params"),
        ),
    )


def downgrade() -> None:
    op.drop_table("indicator_binding")
    op.drop_table("agreement_task_history")
    op.drop_table("agreement_task")
    op.drop_table("agreement_import")
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_value_series")

    op.drop_table("indicator_value")
    op.drop_table("agreement_file")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_title_key"))

    op.drop_table("agreement")
