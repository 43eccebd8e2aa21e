"""Fixtures of the builder view tests: an author, their consultation (English and French) with
one page, and the author signed in."""

from __future__ import annotations

import pytest

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from tests.factories import ConsultationFactory, UserFactory


@pytest.fixture
def author(db):
    return UserFactory(role=Role.AUTHOR)


@pytest.fixture
def consultation(author):
    return ConsultationFactory(association=author.organisation, languages=["en", "fr"])


@pytest.fixture
def section(consultation, author):
    return qs.add_section(consultation, actor=author, title={"en": "Housing", "fr": "Logement"})


@pytest.fixture
def signed_in(client, auth, author):
    auth.login(author)
    return client
