"""What the responding browser tests share: an open consultation with every question type
(the questionnaire of tests/surveys/respond), its authority's officials, and page helpers."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

from pypdf import PdfReader

from consult.accounts.models import Organisation, Role
from consult.db import utcnow
from consult.extensions import db
from consult.surveys.models import AudienceMember, AudienceMode, Consultation, ConsultationStatus
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import AuthorityFactory, ConsultationFactory, UserFactory
from tests.surveys.respond.conftest import build_questionnaire


def _artifacts():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


ARTIFACTS_DIR = _artifacts()


@dataclass
class Town:
    consultation: Consultation
    authority: Organisation
    official: object
    colleague: object

    def url(self, base: str, path: str = "") -> str:
        return f"{base}/respond/{self.consultation.slug}{path}"


def open_town() -> Town:
    consultation = ConsultationFactory(
        status=ConsultationStatus.DRAFT,
        audience_mode=AudienceMode.LIST,
        title={"en": "Welcoming newcomers 2026", "fr": "Accueillir 2026"},
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=10),
    )
    build_questionnaire(consultation)
    consultation.status = ConsultationStatus.OPEN
    authority = AuthorityFactory(name="Town of Eastbrook")
    db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=authority.id))
    db.session.commit()
    official = UserFactory(role=Role.RESPONDENT, organisation=authority, name="Olga Official")
    colleague = UserFactory(role=Role.RESPONDENT, organisation=authority, name="Carl Colleague")
    return Town(consultation, authority, official, colleague)


def question(page, code: str):
    return page.locator(f"#question-{code}")


def pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def receipt_pdf(message) -> bytes:
    parts = [p for p in message.walk() if p.get_filename()]
    assert [p.get_content_type() for p in parts] == ["application/pdf"]
    return parts[0].get_payload(decode=True)


def link_in(message) -> str:
    plain = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    body = plain.get_payload(decode=True).decode(plain.get_content_charset() or "utf-8")
    return re.search(r"https?://\S+", body).group(0)


__all__ = [
    "ARTIFACTS_DIR",
    "Town",
    "link_in",
    "open_town",
    "pdf_text",
    "question",
    "receipt_pdf",
    "sign_in",
]
