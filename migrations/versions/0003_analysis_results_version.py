"""analysis: index responses (consultation_id, updated_at) for the results version

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(
            'ix_responses_consultation_updated', ['consultation_id', 'updated_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_consultation_updated')
