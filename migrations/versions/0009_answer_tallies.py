"""analysis: answer_tallies (incremental aggregates of submitted answers) and their state

Revision ID: 0009
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None

BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table(
        "answer_tallies",
        sa.Column("id", BigIntId, nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("row_id", sa.Integer(), nullable=True),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("dont_know", sa.Boolean(), nullable=False),
        sa.Column("has_text", sa.Boolean(), nullable=False),
        sa.Column("consent", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("nuts_code", sa.String(length=10), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=True),
        sa.Column("size_class", sa.String(length=20), nullable=True),
        sa.Column("urbanisation", sa.String(length=20), nullable=True),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN (0, 1)", name=op.f("ck_answer_tallies_tally_kind")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_answer_tallies_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_answer_tallies_question_id_questions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["options.id"],
            name=op.f("fk_answer_tallies_option_id_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["row_id"],
            ["options.id"],
            name=op.f("fk_answer_tallies_row_id_options"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_tallies")),
    )
    with op.batch_alter_table("answer_tallies", schema=None) as batch_op:
        batch_op.create_index("ix_answer_tallies_question", ["question_id", "kind"], unique=False)
        batch_op.create_index("ix_answer_tallies_consultation", ["consultation_id"], unique=False)
    op.create_table(
        "answer_tally_states",
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_answer_tally_states_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("consultation_id", name=op.f("pk_answer_tally_states")),
    )


def downgrade():
    op.drop_table("answer_tally_states")
    with op.batch_alter_table("answer_tallies", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_tallies_consultation")
        batch_op.drop_index("ix_answer_tallies_question")
    op.drop_table("answer_tallies")
