"""factory_boy factories for the models; every user's password is TEST_PASSWORD."""

from __future__ import annotations

import factory
import pyotp
from factory.alchemy import SQLAlchemyModelFactory

from consult.accounts import passwords
from consult.accounts.models import (
    AuthorityLevel,
    Organisation,
    OrgKind,
    Role,
    Urbanisation,
    User,
    size_class_for,
)
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import models as sm
from tests.conftest import TEST_PASSWORD

_HASHES: dict[int, str] = {}


def hashed_test_password() -> str:
    """TEST_PASSWORD hashed with the hasher the app configured (one hash per configuration)."""
    key = id(passwords._hasher)
    if key not in _HASHES:
        _HASHES[key] = passwords.hash_password(TEST_PASSWORD)
    return _HASHES[key]


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class AuthorityFactory(Base):
    class Meta:
        model = Organisation

    kind = OrgKind.AUTHORITY
    name = factory.Sequence(lambda n: f"Authority {n}")
    slug = factory.Sequence(lambda n: f"authority-{n}")
    country = "FR"
    level = AuthorityLevel.MUNICIPALITY
    nuts_code = "FR101"
    lau_code = factory.Sequence(lambda n: f"L{n:05d}")
    population = 12_000
    urbanisation = Urbanisation.TOWN
    size_class = factory.LazyAttribute(lambda o: size_class_for(o.population))


class AssociationFactory(Base):
    class Meta:
        model = Organisation

    kind = OrgKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")


class CommissionFactory(Base):
    class Meta:
        model = Organisation

    kind = OrgKind.COMMISSION
    name = factory.Sequence(lambda n: f"Commission {n}")
    slug = factory.Sequence(lambda n: f"commission-{n}")


_ORG_FACTORY = {
    Role.ADMIN: CommissionFactory,
    Role.ANALYST: CommissionFactory,
    Role.AUTHOR: AssociationFactory,
    Role.RESPONDENT: AuthorityFactory,
}


class UserFactory(Base):
    """A user; admins and analysts get a second factor set up, as their role requires."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")
    role = Role.RESPONDENT
    organisation = factory.LazyAttribute(lambda o: _ORG_FACTORY[o.role]())
    password_hash = factory.LazyFunction(hashed_test_password)
    verified_at = factory.LazyFunction(utcnow)
    active = True
    totp_secret = factory.LazyAttribute(
        lambda o: pyotp.random_base32() if o.role in (Role.ADMIN, Role.ANALYST) else None
    )
    totp_enabled_at = factory.LazyAttribute(lambda o: utcnow() if o.totp_secret else None)


class ConsultationFactory(Base):
    class Meta:
        model = sm.Consultation

    slug = factory.Sequence(lambda n: f"consultation-{n}")
    association = factory.SubFactory(AssociationFactory)
    default_language = "en"
    languages = factory.LazyFunction(lambda: ["en", "fr"])
    title = factory.Sequence(lambda n: {"en": f"Consultation {n}", "fr": f"Consultation {n} (fr)"})
    description = factory.LazyFunction(lambda: {"en": "About local integration."})
    reference_prefix = "MIG"


class SectionFactory(Base):
    class Meta:
        model = sm.Section

    consultation = factory.SubFactory(ConsultationFactory)
    position = factory.Sequence(int)
    title = factory.Sequence(lambda n: {"en": f"Section {n}", "fr": f"Section {n} (fr)"})


class QuestionFactory(Base):
    class Meta:
        model = sm.Question

    section = factory.SubFactory(SectionFactory)
    consultation = factory.SelfAttribute("section.consultation")
    position = factory.Sequence(int)
    code = factory.Sequence(lambda n: f"q{n}")
    type = sm.QuestionType.SINGLE_CHOICE
    label = factory.Sequence(lambda n: {"en": f"Question {n}?", "fr": f"Question {n} ?"})
    settings = factory.LazyFunction(dict)


class OptionFactory(Base):
    class Meta:
        model = sm.Option

    question = factory.SubFactory(QuestionFactory)
    position = factory.Sequence(int)
    code = factory.Sequence(lambda n: f"o{n}")
    label = factory.Sequence(lambda n: {"en": f"Option {n}", "fr": f"Option {n} (fr)"})
