"""The public-services domain's tables: catalogue, offices, cases and their steps, recognition, partnerships.

Defined on the platform's :data:`xietong.store.tables.metadata`; registered through the domain contract
(``tables = "xietong.services.tables"``) and created by the domain's own Alembic branch
(``xietong/services/migrations``, label ``services``).

Personal data (the applicant's identity number and name, the documents and their file names) are stored
only as ciphertexts of the platform's secret box (AES-256-GCM, key file outside the store), each bound to
its case and field by associated data: the columns ending in ``_enc``. Nothing else here is personal.

Days (``received_on``, ``due_on`` …) are calendar days in China Standard Time (``sa.Date``): deadlines are
counted in working days of the official calendar, never in hours.
"""

from __future__ import annotations

import sqlalchemy as sa

from xietong.store.tables import metadata
from xietong.store.types import UtcDateTime

# -- the catalogue ------------------------------------------------------------------------------------

#: one row per version of an item; the current version has ``superseded_at`` NULL. A case keeps the
#: version it was received under, so a later version never changes a running case.
services_item = sa.Table(
    "services_item",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True, comment="JJJ-PS-001 …"),
    sa.Column("version", sa.Integer, primary_key=True, comment="1 for the first publication"),
    sa.Column("owner_jurisdiction", sa.String(6), nullable=True, comment="GB/T 2260; NULL = region"),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("list_name", sa.Text, nullable=False, comment="the list the item comes from"),
    sa.Column("mode", sa.String(12), nullable=True, comment="online, forwarded, joint; NULL = not stated"),
    sa.Column("authorities", sa.Text, nullable=False, comment="JSON: jurisdiction code -> competent authority"),
    sa.Column("time_limit_wd", sa.Integer, nullable=True, comment="promised time limit [working days]"),
    sa.Column("legal_basis", sa.Text, nullable=False),
    sa.Column("valid_from", sa.String(10), nullable=False, comment="as precise as the source"),
    sa.Column("valid_to", sa.String(10), nullable=False),
    sa.Column("target_by", sa.String(10), nullable=False),
    sa.Column("retention_years", sa.Integer, nullable=True, comment="personal data kept after closure [years]"),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("source_date", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("documents", sa.Text, nullable=False, comment="JSON: the document schema"),
    sa.Column("steps", sa.Text, nullable=False, comment="JSON: the item's own step plan ([] = default plan)"),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("superseded_at", UtcDateTime(), nullable=True),
)

#: the offices that receive and handle cases, owned by their jurisdiction
services_office = sa.Table(
    "services_office",
    metadata,
    sa.Column("code", sa.String(40), primary_key=True),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False, index=True, comment="GB/T 2260"),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("recorded_by", sa.String(100), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
)

# -- cases ----------------------------------------------------------------------------------------------

services_case = sa.Table(
    "services_case",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_code", sa.String(32), nullable=False, index=True),
    sa.Column("item_version", sa.Integer, nullable=False),
    sa.Column("mode", sa.String(12), nullable=False),
    sa.Column("receiving_office", sa.String(40), nullable=False, index=True),
    sa.Column("receiving_jurisdiction", sa.String(6), nullable=False),
    sa.Column("competent_offices", sa.Text, nullable=False, comment="space-separated office codes"),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(12), nullable=False, comment="open, suspended or closed"),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("applicant_id_enc", sa.Text, nullable=True, comment="secret box; NULL once purged"),
    sa.Column("applicant_name_enc", sa.Text, nullable=True, comment="secret box; NULL once purged"),
    sa.Column("retention_years", sa.Integer, nullable=False, comment="from the item version, at receipt"),
    sa.Column("purged_on", sa.Date, nullable=True, comment="personal data deleted (retention ended)"),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, comment="incremented on every change"),
)

#: the offices party to a case (one row each): what every permission check reads
services_case_party = sa.Table(
    "services_case_party",
    metadata,
    sa.Column("case_id", sa.Integer, sa.ForeignKey("services_case.id"), primary_key=True),
    sa.Column("office_code", sa.String(40), primary_key=True),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False),
    sa.Column("role", sa.String(12), nullable=False, comment="receiving or competent"),
)

#: steps of a case. ``status``: pending (waits for earlier steps), open (the clock runs), suspended
#: (the case waits for the applicant: the clock stops), done
services_step = sa.Table(
    "services_step",
    metadata,
    sa.Column("case_id", sa.Integer, sa.ForeignKey("services_case.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("office_code", sa.String(40), nullable=False),
    sa.Column("jurisdiction_code", sa.String(6), nullable=False),
    sa.Column("depends_on", sa.String(80), nullable=False, comment="space-separated step numbers"),
    sa.Column("time_limit_wd", sa.Integer, nullable=True, comment="[working days]"),
    sa.Column("counted_from", sa.Integer, nullable=True, comment="the step whose done day starts the count"),
    sa.Column("basis", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("opened_on", sa.Date, nullable=True),
    sa.Column("due_on", sa.Date, nullable=True),
    sa.Column("done_on", sa.Date, nullable=True),
    sa.Column("suspended_wd", sa.Integer, nullable=False, comment="working days added for suspensions"),
    sa.Column("outcome", sa.String(12), nullable=True),
    sa.Column("overdue_notified_due", sa.Date, nullable=True, comment="due day of the last overdue event"),
    # the overdue query: open steps due before a day (all, or one office's), read in its order
    # (due day, case, step), so a page needs no sort
    sa.Index(
        "ix_services_step_open_due",
        "due_on",
        "case_id",
        "seq",
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    ),
    sa.Index(
        "ix_services_step_open_office_due",
        "office_code",
        "due_on",
        "case_id",
        "seq",
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    ),
)

services_suspension = sa.Table(
    "services_suspension",
    metadata,
    sa.Column("case_id", sa.Integer, sa.ForeignKey("services_case.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("from_day", sa.Date, nullable=False, comment="the clock stops (inclusive)"),
    sa.Column("to_day", sa.Date, nullable=True, comment="the clock runs again (exclusive); NULL while suspended"),
    sa.Column("office_code", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
)

services_document = sa.Table(
    "services_document",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("services_case.id"), nullable=False, index=True),
    sa.Column("key", sa.String(60), nullable=False, comment="a key of the item's document schema"),
    sa.Column("filename_enc", sa.Text, nullable=True, comment="secret box; NULL when only seen at the window"),
    sa.Column("media_type", sa.String(100), nullable=True),
    sa.Column("size_bytes", sa.Integer, nullable=True),
    sa.Column("content_enc", sa.LargeBinary, nullable=True, comment="secret box; NULL when only seen"),
    sa.Column("added_on", sa.Date, nullable=False),
    sa.Column("added_by", sa.String(100), nullable=False),
    sa.Column("office_code", sa.String(40), nullable=False),
)

#: what happened to a case, in order: the events of the state machine (also sent as webhooks)
services_case_event = sa.Table(
    "services_case_event",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("services_case.id"), nullable=False, index=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("on_day", sa.Date, nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("actor_jurisdiction", sa.String(6), nullable=True),
    sa.Column("kind", sa.String(40), nullable=False, comment="xietong.services.enums.EventType"),
    sa.Column("step_seq", sa.Integer, nullable=True),
    sa.Column("detail", sa.Text, nullable=False, comment="JSON, never personal data"),
)

# -- mutual recognition and partnerships (reference data, seeded with their sources) --------------------

services_recognition_version = sa.Table(
    "services_recognition_version",
    metadata,
    sa.Column("catalogue", sa.String(60), primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("valid_from", sa.String(10), nullable=False),
    sa.Column("itemised", sa.Boolean, nullable=False, comment="its entries are in the store"),
    sa.Column("items_total", sa.Integer, nullable=True),
    sa.Column("items_listed", sa.Integer, nullable=True),
    sa.Column("institutions", sa.Integer, nullable=True),
    sa.Column("jurisdictions", sa.Text, nullable=False, comment="';'-separated GB/T 2260 codes"),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("source_date", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
)

services_recognition_entry = sa.Table(
    "services_recognition_entry",
    metadata,
    sa.Column("catalogue", sa.String(60), primary_key=True),
    sa.Column("version", sa.String(40), primary_key=True),
    sa.Column("item_key", sa.String(60), primary_key=True),
    sa.Column("issuer", sa.String(200), primary_key=True, comment="'*' = any issuer meeting the conditions"),
    sa.Column("kind", sa.String(30), nullable=False),
    sa.Column("item_name_zh", sa.Text, nullable=False),
    sa.Column("item_name_en", sa.Text, nullable=False),
    sa.Column("issued_in", sa.Text, nullable=False, comment="';'-separated GB/T 2260 codes"),
    sa.Column("recognised_in", sa.Text, nullable=False, comment="';'-separated GB/T 2260 codes"),
    sa.Column("valid_from", sa.String(10), nullable=False),
    sa.Column("valid_from_basis", sa.Text, nullable=False),
    sa.Column("valid_to", sa.String(10), nullable=False),
    sa.Column("conditions", sa.Text, nullable=False),
    sa.Column("confirmed", sa.Boolean, nullable=False),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("source_date", sa.Text, nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
)

services_partnership = sa.Table(
    "services_partnership",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True, comment="JJJ-PT-001 …"),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("partner_a", sa.Text, nullable=False),
    sa.Column("a_jurisdiction", sa.String(60), nullable=False),
    sa.Column("a_city", sa.String(60), nullable=False, comment="';'-separated GB/T 2260 codes"),
    sa.Column("partner_b", sa.Text, nullable=False),
    sa.Column("b_jurisdiction", sa.String(60), nullable=False),
    sa.Column("b_city", sa.String(60), nullable=False),
    sa.Column("form_zh", sa.Text, nullable=False),
    sa.Column("form_en", sa.Text, nullable=False),
    sa.Column("since", sa.String(10), nullable=False, comment="as precise as the source"),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("source_date", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
)

__all__ = [
    "services_case",
    "services_case_event",
    "services_case_party",
    "services_document",
    "services_item",
    "services_office",
    "services_partnership",
    "services_recognition_entry",
    "services_recognition_version",
    "services_step",
    "services_suspension",
]
