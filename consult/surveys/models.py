"""Consultations, their questionnaires, and the responses of authorities.

Texts that are translated (titles, labels, help) are JSON objects keyed by language code,
e.g. ``{"en": "Housing", "fr": "Logement"}``.

A response keeps its working copy (the shared draft) as JSON in ``Response.draft``; the answers of
its latest *submitted* version are materialised as one ``Answer`` row per value, so every result is
a SQL ``GROUP BY`` over ``answers`` joined to submitted ``responses``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import AuthorityLevel, Organisation, SizeClass, Urbanisation, User
from consult.db import UTCDateTime, str_enum, utcnow
from consult.extensions import db

# The 24 official languages of the European Union.
EU_LANGUAGES = {
    "bg": "български",
    "cs": "čeština",
    "da": "dansk",
    "de": "Deutsch",
    "el": "ελληνικά",
    "en": "English",
    "es": "español",
    "et": "eesti",
    "fi": "suomi",
    "fr": "français",
    "ga": "Gaeilge",
    "hr": "hrvatski",
    "hu": "magyar",
    "it": "italiano",
    "lt": "lietuvių",
    "lv": "latviešu",
    "mt": "Malti",
    "nl": "Nederlands",
    "pl": "polski",
    "pt": "português",
    "ro": "română",
    "sk": "slovenčina",
    "sl": "slovenščina",
    "sv": "svenska",
}

BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class ConsultationStatus(enum.StrEnum):
    """The stored state. The state shown is derived from it and the clock (see services)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class ResultsVisibility(enum.StrEnum):
    STAFF = "staff"  # analysts, admins and the owning association
    PARTICIPANTS = "participants"  # ... and the authorities of the audience
    PUBLIC = "public"  # anyone


class AudienceMode(enum.StrEnum):
    CRITERIA = "criteria"
    LIST = "list"


class QuestionType(enum.StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    SCALE = "scale"
    MATRIX = "matrix"
    RANKING = "ranking"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DATE = "date"
    NOTE = "note"  # display text only, never answered


class OptionRole(enum.StrEnum):
    OPTION = "option"  # a choice, or an item to rank
    ROW = "row"  # a row of a matrix


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"


class Consent(enum.StrEnum):
    PUBLIC_NAMED = "public_named"
    PUBLIC_ANONYMOUS = "public_anonymous"
    NOT_PUBLISHED = "not_published"


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        sa.CheckConstraint("k_threshold >= 1", name="k_threshold_positive"),
        sa.CheckConstraint(
            "closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="dates_ordered"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True, nullable=False)
    association_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), nullable=False, index=True
    )
    default_language: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="en")
    languages: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=lambda: ["en"])
    title: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    description: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    status: Mapped[ConsultationStatus] = mapped_column(
        str_enum(ConsultationStatus, "consultation_status"),
        nullable=False,
        default=ConsultationStatus.DRAFT,
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False, default="Europe/Brussels")
    results_visibility: Mapped[ResultsVisibility] = mapped_column(
        str_enum(ResultsVisibility, "results_visibility"),
        nullable=False,
        default=ResultsVisibility.STAFF,
    )
    k_threshold: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    allow_unsuppressed: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    signoff_required: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    reference_prefix: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="CON")
    audience_mode: Mapped[AudienceMode] = mapped_column(
        str_enum(AudienceMode, "audience_mode"), nullable=False, default=AudienceMode.CRITERIA
    )
    audience_criteria: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    # Responses started so far: numbers them (the "0042" in MIG-2026-0042-7KQ).
    response_seq: Mapped[int] = mapped_column(
        sa.Integer, nullable=False, default=0, server_default="0"
    )
    accepted_fallbacks: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    cloned_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    association: Mapped[Organisation] = relationship(lazy="joined")
    sections: Mapped[list[Section]] = relationship(
        back_populates="consultation",
        order_by="Section.position",
        cascade="all, delete-orphan",
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="consultation",
        order_by="Question.position",
        cascade="all, delete-orphan",
        overlaps="section,questions",
    )

    def text(self, field: dict, language: str | None = None) -> str:
        """A translated text in `language`, falling back to the default language."""
        return translated(field, language, self.default_language)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


def translated(field: dict | None, language: str | None, default_language: str) -> str:
    if not field:
        return ""
    if language and field.get(language):
        return field[language]
    return field.get(default_language) or next((v for v in field.values() if v), "")


class AudienceMember(db.Model):
    """An authority on a consultation's explicit audience list."""

    __tablename__ = "audience_members"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    authority_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Section(db.Model):
    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    title: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    intro: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)

    consultation: Mapped[Consultation] = relationship(back_populates="sections")
    questions: Mapped[list[Question]] = relationship(
        back_populates="section",
        order_by="Question.position",
        cascade="all, delete-orphan",
        overlaps="consultation,questions",
    )


class Question(db.Model):
    """A question; `settings` holds its type's settings (bounds, selections, scale, length…)."""

    __tablename__ = "questions"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False
    )
    section_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sections.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    type: Mapped[QuestionType] = mapped_column(
        str_enum(QuestionType, "question_type"), nullable=False
    )
    label: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    help: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    required: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    settings: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    relevant: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    relevant_ast: Mapped[dict | None] = mapped_column(sa.JSON, nullable=True)

    consultation: Mapped[Consultation] = relationship(back_populates="questions")
    section: Mapped[Section] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        order_by="Option.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    def __repr__(self) -> str:
        return f"<Question {self.code} {self.type}>"


class Option(db.Model):
    """A choice of a question, an item to rank, or a row of a matrix."""

    __tablename__ = "options"
    __table_args__ = (sa.UniqueConstraint("question_id", "role", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False
    )
    role: Mapped[OptionRole] = mapped_column(
        str_enum(OptionRole, "option_role"), nullable=False, default=OptionRole.OPTION
    )
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    code: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    label: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    is_other: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class Invitation(db.Model):
    """An authority invited to a consultation, with its personal link and reminders."""

    __tablename__ = "invitations"
    __table_args__ = (sa.UniqueConstraint("consultation_id", "authority_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False
    )
    authority_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True, nullable=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    reminders_sent: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    authority: Mapped[Organisation] = relationship(lazy="joined")


class Response(db.Model):
    """The one response of an authority to a consultation, shared by its officials.

    `draft` is ``{"answers": {code: value}, "other": {code: text}}`` (see surveys/answers.py).
    `version` increases at every save; a save must name the version it was based on.
    The authority's attributes are copied onto the response at submission so results are
    grouped as they were when the authority answered.
    """

    __tablename__ = "responses"
    __table_args__ = (
        sa.UniqueConstraint("consultation_id", "authority_id"),
        sa.UniqueConstraint("consultation_id", "seq"),
        sa.Index("ix_responses_consultation_status", "consultation_id", "status"),
        # The results version (consult.analysis.cache) reads the latest change per consultation.
        sa.Index("ix_responses_consultation_updated", "consultation_id", "updated_at"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False
    )
    authority_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    reference: Mapped[str | None] = mapped_column(sa.String(32), unique=True, nullable=True)
    status: Mapped[ResponseStatus] = mapped_column(
        str_enum(ResponseStatus, "response_status"),
        nullable=False,
        default=ResponseStatus.DRAFT,
    )
    version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    language: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="en")
    draft: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    consent: Mapped[Consent | None] = mapped_column(str_enum(Consent, "consent"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    submitter_name: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    submitter_function: Mapped[str | None] = mapped_column(sa.String(200), nullable=True)
    signoff_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    signoff_requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    submission_count: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # A submitted response being amended: the last submitted version still counts until the
    # amendment is submitted; `draft` holds the amendment in progress.
    amending: Mapped[bool] = mapped_column(
        sa.Boolean, nullable=False, default=False, server_default=sa.false()
    )
    # Authority attributes frozen at submission.
    country: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    nuts_code: Mapped[str | None] = mapped_column(sa.String(10), nullable=True)
    level: Mapped[AuthorityLevel | None] = mapped_column(
        str_enum(AuthorityLevel, "authority_level"), nullable=True
    )
    size_class: Mapped[SizeClass | None] = mapped_column(
        str_enum(SizeClass, "size_class"), nullable=True
    )
    urbanisation: Mapped[Urbanisation | None] = mapped_column(
        str_enum(Urbanisation, "urbanisation"), nullable=True
    )

    consultation: Mapped[Consultation] = relationship(lazy="joined")
    authority: Mapped[Organisation] = relationship(lazy="joined")
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class ResponseVersion(db.Model):
    """A submitted version of a response, kept when it is amended."""

    __tablename__ = "response_versions"
    __table_args__ = (sa.UniqueConstraint("response_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("responses.id", ondelete="CASCADE"), nullable=False
    )
    number: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    submitted_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    consent: Mapped[Consent | None] = mapped_column(str_enum(Consent, "consent"), nullable=True)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)


class Answer(db.Model):
    """One value of a submitted response.

    single/multiple choice: `option_id` (and `value_text` for "other, please specify");
    yes/no: `value_num` 1 or 0; scale: `value_num` (or `dont_know`); matrix: `row_id` and
    `value_num` (or `dont_know`); ranking: `option_id` and `value_num` = rank (1 = first);
    number: `value_num`; texts: `value_text`; date: `value_date`.
    """

    __tablename__ = "answers"
    __table_args__ = (
        sa.Index("ix_answers_question_option", "question_id", "option_id"),
        sa.Index("ix_answers_response", "response_id"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("responses.id", ondelete="CASCADE"), nullable=False
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("questions.id", ondelete="CASCADE"), nullable=False
    )
    option_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("options.id", ondelete="CASCADE"), nullable=True
    )
    row_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("options.id", ondelete="CASCADE"), nullable=True
    )
    value_num: Mapped[float | None] = mapped_column(sa.Float, nullable=True)
    value_text: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    value_date: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    dont_know: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)

    response: Mapped[Response] = relationship(back_populates="answers")


class UnsavedInput(db.Model):
    """Answers a respondent entered that could not be saved yet, kept on the server until they
    choose what to keep: a save refused as stale (the conflict page shows both sides), or a
    post that arrived after the session expired (restored after signing in again)."""

    __tablename__ = "unsaved_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultations.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # Who entered it; none when the session had expired (the token in their browser's
    # session is then the only way back to it).
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True
    )
    section_position: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    base_version: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    data: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )
