"""history and rollback indexes over the revised rows only

At national scale (27 million current rows, 0.25 million revised ones) three indexes over every
row made a bulk load sort every row six times; three of them only ever serve the revised rows
or a batch's own:

- ``ix_observation_history`` (a figure's former values, ``--history``): now partial over the
  rows that are not current; the current value comes from ``uq_observation_current`` and the two
  are read apart (``kpi.queries.figure_sources``);
- ``ix_observation_superseded_by_batch_id`` (the rows a rollback brings back): partial over the
  rows that name a later batch, the only ones such a read can find;
- ``ix_observation_batch_id`` is kept whole: a batch's figures are current or not.

Measured on PostgreSQL 15 with 27.5 million rows: the two builds went from 37.7 s and 6.0 s to
1.3 s and 1.2 s (a scan of the table each), 1.6 GB and 0.2 GB to 14 MB and 1.7 MB (BENCHMARKS.md).

Revision ID: 0005_partial_history_indexes
Revises: 0004_observation_indexes
Create Date: 2026-12-01 11:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_partial_history_indexes"
down_revision: str | None = "0004_observation_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HISTORY_KEYS = ["indicator_code", "unit_id", "period", "id"]
FORMER = {"sqlite_where": sa.text("is_current = 0"), "postgresql_where": sa.text("NOT is_current")}
NAMES_LATER = {
    "sqlite_where": sa.text("superseded_by_batch_id IS NOT NULL"),
    "postgresql_where": sa.text("superseded_by_batch_id IS NOT NULL"),
}


def upgrade() -> None:
    op.drop_index("ix_observation_history", table_name="observation")
    op.create_index("ix_observation_history", "observation", HISTORY_KEYS, **FORMER)
    op.drop_index("ix_observation_superseded_by_batch_id", table_name="observation")
    op.create_index(
        "ix_observation_superseded_by_batch_id",
        "observation",
        ["superseded_by_batch_id"],
        **NAMES_LATER,
    )


def downgrade() -> None:
    op.drop_index("ix_observation_superseded_by_batch_id", table_name="observation")
    op.create_index(
        "ix_observation_superseded_by_batch_id", "observation", ["superseded_by_batch_id"]
    )
    op.drop_index("ix_observation_history", table_name="observation")
    op.create_index("ix_observation_history", "observation", HISTORY_KEYS)
