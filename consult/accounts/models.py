"""Organisations, people, their sessions and one-time tokens, and the audit log."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from consult.db import UTCDateTime, str_enum, utcnow
from consult.extensions import db


class OrgKind(enum.StrEnum):
    ASSOCIATION = "association"
    AUTHORITY = "authority"
    COMMISSION = "commission"


class AuthorityLevel(enum.StrEnum):
    MUNICIPALITY = "municipality"
    INTERMEDIATE = "intermediate"
    REGION = "region"


class Urbanisation(enum.StrEnum):
    """Eurostat's degree of urbanisation (DEGURBA 1, 2, 3)."""

    CITY = "city"
    TOWN = "town"
    RURAL = "rural"


class SizeClass(enum.StrEnum):
    """Population size classes of authorities, in ascending order."""

    XS = "lt5k"
    S = "5k-20k"
    M = "20k-100k"
    L = "100k-500k"
    XL = "gt500k"


# Lower bounds (inclusive) of each size class.
SIZE_CLASS_BOUNDS = (
    (SizeClass.XS, 0),
    (SizeClass.S, 5_000),
    (SizeClass.M, 20_000),
    (SizeClass.L, 100_000),
    (SizeClass.XL, 500_000),
)


def size_class_for(population: int | None) -> SizeClass | None:
    """The size class of a population (None when the population is unknown)."""
    if population is None:
        return None
    found = SizeClass.XS
    for size_class, lower in SIZE_CLASS_BOUNDS:
        if population >= lower:
            found = size_class
    return found


class Role(enum.StrEnum):
    ADMIN = "admin"
    AUTHOR = "author"
    RESPONDENT = "respondent"
    ANALYST = "analyst"


# The kind of organisation each role belongs to.
ROLE_ORG_KIND = {
    Role.ADMIN: OrgKind.COMMISSION,
    Role.ANALYST: OrgKind.COMMISSION,
    Role.AUTHOR: OrgKind.ASSOCIATION,
    Role.RESPONDENT: OrgKind.AUTHORITY,
}

# Roles that must use a second factor (TOTP).
ROLES_REQUIRING_TOTP = frozenset({Role.ADMIN, Role.ANALYST})


association_members = sa.Table(
    "association_members",
    db.metadata,
    sa.Column(
        "association_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "authority_id",
        sa.ForeignKey("organisations.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Organisation(db.Model):
    """An association, a local or regional authority, or the Commission."""

    __tablename__ = "organisations"
    __table_args__ = (
        sa.UniqueConstraint("country", "lau_code"),
        sa.Index("ix_organisations_kind_country", "kind", "country"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"), nullable=False)
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False, index=True)
    country: Mapped[str | None] = mapped_column(sa.String(2), nullable=True)
    level: Mapped[AuthorityLevel | None] = mapped_column(
        str_enum(AuthorityLevel, "authority_level"), nullable=True
    )
    nuts_code: Mapped[str | None] = mapped_column(sa.String(10), nullable=True, index=True)
    lau_code: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    population: Mapped[int | None] = mapped_column(sa.Integer, nullable=True)
    urbanisation: Mapped[Urbanisation | None] = mapped_column(
        str_enum(Urbanisation, "urbanisation"), nullable=True
    )
    size_class: Mapped[SizeClass | None] = mapped_column(
        str_enum(SizeClass, "size_class"), nullable=True
    )
    contact_email: Mapped[str | None] = mapped_column(sa.String(254), nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    members: Mapped[list[Organisation]] = relationship(
        secondary=association_members,
        primaryjoin=lambda: Organisation.id == association_members.c.association_id,
        secondaryjoin=lambda: Organisation.id == association_members.c.authority_id,
        back_populates="associations",
        lazy="select",  # an association can have thousands of members: load them on demand
    )
    associations: Mapped[list[Organisation]] = relationship(
        secondary=association_members,
        primaryjoin=lambda: Organisation.id == association_members.c.authority_id,
        secondaryjoin=lambda: Organisation.id == association_members.c.association_id,
        back_populates="members",
        lazy="select",
    )
    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def nuts1(self) -> str | None:
        return self.nuts_code[:3] if self.nuts_code and len(self.nuts_code) >= 3 else None

    @property
    def nuts2(self) -> str | None:
        return self.nuts_code[:4] if self.nuts_code and len(self.nuts_code) >= 4 else None

    def __repr__(self) -> str:
        return f"<Organisation {self.kind} {self.slug}>"


class User(UserMixin, db.Model):
    """A person with one role in one organisation."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), nullable=False, index=True
    )
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    is_signatory: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)
    locale: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    timezone: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")

    @validates("email")
    def _normalise_email(self, _key: str, email: str) -> str:
        """E-mail addresses are unique without regard to case: stored lower-case."""
        return email.strip().lower()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def totp_required(self) -> bool:
        return self.role in ROLES_REQUIRING_TOTP

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class TokenPurpose(enum.StrEnum):
    INVITE = "invite"
    RESET = "reset"


class OneTimeToken(db.Model):
    """A single-use, expiring link sent by e-mail; only the SHA-256 of the token is stored."""

    __tablename__ = "one_time_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    purpose: Mapped[TokenPurpose] = mapped_column(
        str_enum(TokenPurpose, "token_purpose"), nullable=False
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class RecoveryCode(db.Model):
    """A single-use second-factor recovery code (hashed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuthSession(db.Model):
    """A signed-in session, kept on the server so sign-out and deactivation end it."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    remember: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    ip: Mapped[str | None] = mapped_column(sa.String(45), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(sa.String(255), nullable=True)

    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(db.Model):
    """Who did what to which object, when and from where."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(sa.String(64), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(40), nullable=True)
    object_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    ip: Mapped[str | None] = mapped_column(sa.String(45), nullable=True)
    details: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)

    actor: Mapped[User | None] = relationship(lazy="joined")
