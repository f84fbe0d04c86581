"""services: catalogue, offices, cases, steps, documents, recognition, partnerships

The public-services domain's branch (label ``services``), after the platform's 0005: catalogue items
(one row per version), offices, cases with their parties, steps (deadlines on the official calendar;
partial indexes on the open steps' due days serve the overdue query), suspensions, encrypted documents,
the case event log, and the recognition catalogues and partnerships. Generated with alembic autogenerate
from ``xietong/services/tables.py`` and reviewed.

Revision ID: services_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from xietong.store.types import UtcDateTime

revision = "services_0001"
down_revision = None
branch_labels = ("services",)
depends_on = "0005"


def upgrade() -> None:
    op.create_table(
        "services_case",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("item_code", sa.String(length=32), nullable=False),
        sa.Column("item_version", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("receiving_office", sa.String(length=40), nullable=False),
        sa.Column("receiving_jurisdiction", sa.String(length=6), nullable=False),
        sa.Column("competent_offices", sa.Text(), nullable=False, comment="space-separated office codes"),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False, comment="open, suspended or closed"),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("applicant_id_enc", sa.Text(), nullable=True, comment="secret box; NULL once purged"),
        sa.Column("applicant_name_enc", sa.Text(), nullable=True, comment="secret box; NULL once purged"),
        sa.Column("retention_years", sa.Integer(), nullable=False, comment="from the item version, at receipt"),
        sa.Column("purged_on", sa.Date(), nullable=True, comment="personal data deleted (retention ended)"),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, comment="incremented on every change"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services_case")),
    )
    with op.batch_alter_table("services_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_case_item_code"), ["item_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_services_case_receiving_office"), ["receiving_office"], unique=False)

    op.create_table(
        "services_item",
        sa.Column("code", sa.String(length=32), nullable=False, comment="JJJ-PS-001 …"),
        sa.Column("version", sa.Integer(), nullable=False, comment="1 for the first publication"),
        sa.Column("owner_jurisdiction", sa.String(length=6), nullable=True, comment="GB/T 2260; NULL = region"),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("list_name", sa.Text(), nullable=False, comment="the list the item comes from"),
        sa.Column("mode", sa.String(length=12), nullable=True, comment="online, forwarded, joint; NULL = not stated"),
        sa.Column("authorities", sa.Text(), nullable=False, comment="JSON: jurisdiction code -> competent authority"),
        sa.Column("time_limit_wd", sa.Integer(), nullable=True, comment="promised time limit [working days]"),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False, comment="as precise as the source"),
        sa.Column("valid_to", sa.String(length=10), nullable=False),
        sa.Column("target_by", sa.String(length=10), nullable=False),
        sa.Column("retention_years", sa.Integer(), nullable=True, comment="personal data kept after closure [years]"),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False, comment="JSON: the document schema"),
        sa.Column("steps", sa.Text(), nullable=False, comment="JSON: the item's own step plan ([] = default plan)"),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("superseded_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("code", "version", name=op.f("pk_services_item")),
    )
    op.create_table(
        "services_office",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False, comment="GB/T 2260"),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_services_office")),
    )
    with op.batch_alter_table("services_office", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_office_jurisdiction_code"), ["jurisdiction_code"], unique=False)

    op.create_table(
        "services_partnership",
        sa.Column("id", sa.String(length=32), nullable=False, comment="JJJ-PT-001 …"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("partner_a", sa.Text(), nullable=False),
        sa.Column("a_jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("a_city", sa.String(length=60), nullable=False, comment="';'-separated GB/T 2260 codes"),
        sa.Column("partner_b", sa.Text(), nullable=False),
        sa.Column("b_jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("b_city", sa.String(length=60), nullable=False),
        sa.Column("form_zh", sa.Text(), nullable=False),
        sa.Column("form_en", sa.Text(), nullable=False),
        sa.Column("since", sa.String(length=10), nullable=False, comment="as precise as the source"),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services_partnership")),
    )
    op.create_table(
        "services_recognition_entry",
        sa.Column("catalogue", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False, comment="'*' = any issuer meeting the conditions"),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("item_name_zh", sa.Text(), nullable=False),
        sa.Column("item_name_en", sa.Text(), nullable=False),
        sa.Column("issued_in", sa.Text(), nullable=False, comment="';'-separated GB/T 2260 codes"),
        sa.Column("recognised_in", sa.Text(), nullable=False, comment="';'-separated GB/T 2260 codes"),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("valid_from_basis", sa.Text(), nullable=False),
        sa.Column("valid_to", sa.String(length=10), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Text(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint(
            "catalogue", "version", "item_key", "issuer", name=op.f("pk_services_recognition_entry")
        ),
    )
    op.create_table(
        "services_recognition_version",
        sa.Column("catalogue", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("valid_from", sa.String(length=10), nullable=False),
        sa.Column("itemised", sa.Boolean(), nullable=False, comment="its entries are in the store"),
        sa.Column("items_total", sa.Integer(), nullable=True),
        sa.Column("items_listed", sa.Integer(), nullable=True),
        sa.Column("institutions", sa.Integer(), nullable=True),
        sa.Column("jurisdictions", sa.Text(), nullable=False, comment="';'-separated GB/T 2260 codes"),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_date", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("catalogue", "version", name=op.f("pk_services_recognition_version")),
    )
    op.create_table(
        "services_case_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("on_day", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_jurisdiction", sa.String(length=6), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False, comment="xietong.services.enums.EventType"),
        sa.Column("step_seq", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False, comment="JSON, never personal data"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["services_case.id"], name=op.f("fk_services_case_event_case_id_services_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services_case_event")),
    )
    with op.batch_alter_table("services_case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "services_case_party",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("office_code", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False, comment="receiving or competent"),
        sa.ForeignKeyConstraint(
            ["case_id"], ["services_case.id"], name=op.f("fk_services_case_party_case_id_services_case")
        ),
        sa.PrimaryKeyConstraint("case_id", "office_code", name=op.f("pk_services_case_party")),
    )
    op.create_table(
        "services_document",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False, comment="a key of the item's document schema"),
        sa.Column("filename_enc", sa.Text(), nullable=True, comment="secret box; NULL when only seen at the window"),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("content_enc", sa.LargeBinary(), nullable=True, comment="secret box; NULL when only seen"),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("office_code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["services_case.id"], name=op.f("fk_services_document_case_id_services_case")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services_document")),
    )
    with op.batch_alter_table("services_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_services_document_case_id"), ["case_id"], unique=False)

    op.create_table(
        "services_step",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("office_code", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", sa.String(length=6), nullable=False),
        sa.Column("depends_on", sa.String(length=80), nullable=False, comment="space-separated step numbers"),
        sa.Column("time_limit_wd", sa.Integer(), nullable=True, comment="[working days]"),
        sa.Column("counted_from", sa.Integer(), nullable=True, comment="the step whose done day starts the count"),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("suspended_wd", sa.Integer(), nullable=False, comment="working days added for suspensions"),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("overdue_notified_due", sa.Date(), nullable=True, comment="due day of the last overdue event"),
        sa.ForeignKeyConstraint(["case_id"], ["services_case.id"], name=op.f("fk_services_step_case_id_services_case")),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_services_step")),
    )
    with op.batch_alter_table("services_step", schema=None) as batch_op:
        batch_op.create_index(
            "ix_services_step_open_due",
            ["due_on", "case_id", "seq"],
            unique=False,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )
        batch_op.create_index(
            "ix_services_step_open_office_due",
            ["office_code", "due_on", "case_id", "seq"],
            unique=False,
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "services_suspension",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_day", sa.Date(), nullable=False, comment="the clock stops (inclusive)"),
        sa.Column("to_day", sa.Date(), nullable=True, comment="the clock runs again (exclusive); NULL while suspended"),
        sa.Column("office_code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["services_case.id"], name=op.f("fk_services_suspension_case_id_services_case")
        ),
        sa.PrimaryKeyConstraint("case_id", "seq", name=op.f("pk_services_suspension")),
    )


def downgrade() -> None:
    op.drop_table("services_suspension")
    with op.batch_alter_table("services_step", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_services_step_open_office_due",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index(
            "ix_services_step_open_due",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        )

    op.drop_table("services_step")
    with op.batch_alter_table("services_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_document_case_id"))

    op.drop_table("services_document")
    op.drop_table("services_case_party")
    with op.batch_alter_table("services_case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_case_event_case_id"))

    op.drop_table("services_case_event")
    op.drop_table("services_recognition_version")
    op.drop_table("services_recognition_entry")
    op.drop_table("services_partnership")
    with op.batch_alter_table("services_office", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_office_jurisdiction_code"))

    op.drop_table("services_office")
    op.drop_table("services_item")
    with op.batch_alter_table("services_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_case_receiving_office"))
        batch_op.drop_index(batch_op.f("ix_services_case_item_code"))

    op.drop_table("services_case")
