"""responses.amending (a submitted response being amended); consultations.response_seq

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("response_seq", sa.Integer(), server_default="0",
                                   nullable=False))
    with op.batch_alter_table("responses") as batch:
        batch.add_column(
            sa.Column("amending", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("consultations") as batch:
        batch.drop_column("response_seq")
    with op.batch_alter_table("responses") as batch:
        batch.drop_column("amending")
