"""respond: unsaved answers kept on the server (stale saves, expired sessions)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "unsaved_inputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("section_position", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_unsaved_inputs_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_unsaved_inputs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unsaved_inputs")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_unsaved_inputs_token_hash")),
    )
    with op.batch_alter_table("unsaved_inputs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_unsaved_inputs_consultation_id"), ["consultation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_unsaved_inputs_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_unsaved_inputs_created_at"), ["created_at"], unique=False
        )


def downgrade():
    op.drop_table("unsaved_inputs")
