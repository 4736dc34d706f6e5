"""observation indexes for national scale

Replaces ``uq_observation_current`` and ``ix_observation_lookup`` with indexes that serve the
dashboard's reads at national scale (tens of millions of rows):

- ``uq_observation_current``: one current row per (indicator, unit, period), now covering
  value, qualifier and batch on PostgreSQL (``INCLUDE``), so that a trend, a quarter across
  units or a year is answered by an index-only scan;
- ``ix_observation_current_unit``: the same rows led by the unit (a district's communes, a
  province's communes), covering likewise;
- ``ix_observation_current_period``: the quarters with current figures, read by a skip scan
  (one index probe per quarter) instead of a scan of every row;
- ``ix_observation_history``: every row, current or not, by figure and id: a figure's history,
  exports with ``--history``, and the rows a rollback brings back.

SQLite has no ``INCLUDE``: it gets the same keys. Chained after ``0002_accounts``, the head once
main was merged; the lead re-chains it after ``0003_report_source`` when that lands.

Revision ID: 0004_observation_indexes
Revises: 0003_report_source
Create Date: 2026-12-01 08:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_observation_indexes"
down_revision: str | None = "0003_report_source"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COVERED = ["value", "qualifier", "batch_id"]
CURRENT = {
    "sqlite_where": sa.text("is_current = 1"),
    "postgresql_where": sa.text("is_current"),
}


def upgrade() -> None:
    op.drop_index("ix_observation_lookup", table_name="observation")
    op.drop_index("uq_observation_current", table_name="observation", **CURRENT)
    op.create_index(
        "uq_observation_current",
        "observation",
        ["indicator_code", "unit_id", "period"],
        unique=True,
        postgresql_include=COVERED,
        **CURRENT,
    )
    op.create_index(
        "ix_observation_current_unit",
        "observation",
        ["unit_id", "indicator_code", "period"],
        postgresql_include=COVERED,
        **CURRENT,
    )
    op.create_index("ix_observation_current_period", "observation", ["period"], **CURRENT)
    op.create_index(
        "ix_observation_history",
        "observation",
        ["indicator_code", "unit_id", "period", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_observation_history", table_name="observation")
    op.drop_index("ix_observation_current_period", table_name="observation", **CURRENT)
    op.drop_index("ix_observation_current_unit", table_name="observation", **CURRENT)
    op.drop_index("uq_observation_current", table_name="observation", **CURRENT)
    op.create_index(
        "uq_observation_current",
        "observation",
        ["indicator_code", "unit_id", "period"],
        unique=True,
        **CURRENT,
    )
    op.create_index(
        "ix_observation_lookup",
        "observation",
        ["indicator_code", "period", "unit_id", "is_current"],
    )
