"""air: stations anywhere in China (external stations, province and source division of every station)

The national network: a station's city may be any city of China (GB/T 2260, ``xietong/data/divisions_cn.csv``),
so ``air_station.city_code`` no longer refers to the 15 jurisdictions; ``jurisdiction_code`` is NULL for an
external station (outside the 15, written only with the ``publish:external`` scope). ``province_code`` and
``division_code`` (the city as the source names it: 定州 130682 inside Baoding 130600) are added; existing rows
get the province of their code's first two digits (GB/T 2260) and their own city as division.

Revision ID: air_0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "air_0001"
down_revision = None
branch_labels = ("air",)
depends_on = "0005"


def upgrade() -> None:
    with op.batch_alter_table("air_station", schema=None) as batch_op:
        batch_op.drop_constraint("fk_air_station_city_code_jurisdiction", type_="foreignkey")
        batch_op.alter_column(
            "city_code",
            existing_type=sa.String(length=6),
            nullable=False,
            comment="GB/T 2260 code of the city the station counts in",
        )
        batch_op.alter_column(
            "jurisdiction_code",
            existing_type=sa.String(length=6),
            nullable=True,
            comment="the jurisdiction that publishes it; NULL: an external station (outside the 15)",
        )
        batch_op.add_column(
            sa.Column("province_code", sa.String(length=6), nullable=True, comment="GB/T 2260 code of its province")
        )
        batch_op.add_column(
            sa.Column(
                "division_code",
                sa.String(length=6),
                nullable=True,
                comment="the city as the source names it (定州 130682)",
            )
        )
    with op.batch_alter_table("air_station_history", schema=None) as batch_op:
        batch_op.alter_column("jurisdiction_code", existing_type=sa.String(length=6), nullable=True)
        batch_op.add_column(sa.Column("province_code", sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column("division_code", sa.String(length=6), nullable=True))
    for table in ("air_station", "air_station_history"):
        op.execute(f"UPDATE {table} SET province_code = substr(city_code, 1, 2) || '0000', division_code = city_code")


def downgrade() -> None:
    with op.batch_alter_table("air_station_history", schema=None) as batch_op:
        batch_op.drop_column("division_code")
        batch_op.drop_column("province_code")
        batch_op.alter_column("jurisdiction_code", existing_type=sa.String(length=6), nullable=False)
    with op.batch_alter_table("air_station", schema=None) as batch_op:
        batch_op.drop_column("division_code")
        batch_op.drop_column("province_code")
        batch_op.alter_column("jurisdiction_code", existing_type=sa.String(length=6), nullable=False, comment=None)
        batch_op.alter_column("city_code", existing_type=sa.String(length=6), nullable=False, comment=None)
        batch_op.create_foreign_key("fk_air_station_city_code_jurisdiction", "jurisdiction", ["city_code"], ["code"])
