"""Incremental aggregates of the submitted answers (see `consult.surveys.tallies`).

`answer_tallies` is append-only between compactions: each submission, amendment or withdrawal adds
one row per answer row it adds (+1) or removes (-1), with the response's frozen authority
attributes and consent, so results are sums over a small table instead of scans of `answers`.
Attributes are kept only as fine as results need (so rows merge): `nuts_code` holds the NUTS 2
prefix, `consent` is set only on rows with a text.
`kind` 0 rows mirror answer rows; `kind` 1 rows count the respondents of a question (one per
response that answered it). A consultation's tallies are complete only while its
`answer_tally_states` row exists; without it results scan `answers`.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UTCDateTime, utcnow
from consult.extensions import db
from consult.surveys.models import BigIntId

ANSWER, RESPONDENT = 0, 1


class AnswerTally(db.Model):
    __tablename__ = "answer_tallies"
    __table_args__ = (
        sa.Index("ix_answer_tallies_question", "question_id", "kind"),
        sa.Index("ix_answer_tallies_consultation", "consultation_id"),
        sa.CheckConstraint("kind IN (0, 1)", name="tally_kind"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("options.id", ondelete="CASCADE"), nullable=True
    )
    row_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("options.id", ondelete="CASCADE"), nullable=True
    )
    value_num: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    value_date: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    dont_know: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    has_text: Mapped[bool] = mapped_column(sa.Boolean, nullable=False)
    consent: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    country: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    nuts_code: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    level: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    size_class: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    urbanisation: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    delta: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class AnswerTallyState(db.Model):
    """Present while a consultation's tallies are complete; `version` counts their changes."""

    __tablename__ = "answer_tally_states"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    rebuilt_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
