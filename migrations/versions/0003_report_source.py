"""report source: a report's own number and date on its batch, each line as it was read

Revision ID: 0003_report_source
Revises: 0001
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_report_source"
down_revision: str | None = "0002_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("report_number", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("report_date", sa.Date(), nullable=True))
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_read", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_column("source_read")
    with op.batch_alter_table("import_batch", schema=None) as batch_op:
        batch_op.drop_column("report_date")
        batch_op.drop_column("report_number")
