"""Receipts: the PDF copy of a submitted response, and the e-mail that carries it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from consult import jobs
from consult.accounts.models import Role, User
from consult.db import utcnow
from consult.surveys import receipts, responding
from consult.surveys.models import (
    Consent,
    ConsultationStatus,
    OptionRole,
    QuestionType,
    Response,
    ResponseStatus,
)
from tests.factories import (
    ConsultationFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)
from tests.surveys.test_responding import _in_threads, postgres

assert postgres  # a fixture: skips on SQLite

HOSTILE = '<script>alert("x")</script><img src="http://127.0.0.1:9/x.png"> & Co'


@pytest.fixture
def consultation(app):
    consultation = ConsultationFactory(
        status=ConsultationStatus.OPEN,
        closes_at=utcnow() + timedelta(days=10),
        title={"en": "Housing of newcomers", "fr": "Logement des nouveaux arrivants"},
    )
    first = SectionFactory(consultation=consultation, title={"en": "Services"})
    second = SectionFactory(consultation=consultation, title={"en": "Figures"})
    offers = QuestionFactory(
        section=first,
        code="offers",
        type=QuestionType.SINGLE_CHOICE,
        label={"en": "Do you offer language courses?"},
    )
    OptionFactory(question=offers, code="yes", label={"en": "Yes, we do"})
    OptionFactory(question=offers, code="no", label={"en": "No, not yet"})
    QuestionFactory(
        section=first,
        code="which",
        type=QuestionType.LONG_TEXT,
        label={"en": "Which courses?"},
        relevant="${offers} = 'yes'",
        relevant_ast={
            "type": "cmp",
            "op": "=",
            "left": {"type": "ref", "code": "offers"},
            "right": {"type": "str", "value": "yes"},
        },
    )
    matrix = QuestionFactory(
        section=second,
        code="rate",
        type=QuestionType.MATRIX,
        label={"en": "Rate the services"},
        settings={"points": 5, "start": 1},
    )
    OptionFactory(question=matrix, role=OptionRole.ROW, code="health", label={"en": "Health"})
    QuestionFactory(
        section=second,
        code="budget",
        type=QuestionType.NUMBER,
        label={"en": "Yearly budget in euros"},
    )
    QuestionFactory(
        section=second, code="since", type=QuestionType.DATE, label={"en": "Running since"}
    )
    return consultation


def _submitted(consultation, answers, *, user=None, name="Ana Pereira"):
    user = user or UserFactory(role=Role.RESPONDENT)
    response = responding.start_response(consultation, user.organisation, actor=user)
    response = responding.save_draft(
        response, version=response.version, answers=answers, other={}, actor=user
    )
    response = responding.submit(
        response,
        version=response.version,
        actor=user,
        consent=Consent.PUBLIC_NAMED,
        submitter_name=name,
        submitter_function="Head of integration",
    )
    return response, user


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_every_fact_and_answer_by_section(consultation):
    response, user = _submitted(
        consultation,
        {
            "offers": "yes",
            "which": "German for adults",
            "rate": {"health": 4},
            "budget": 125000.5,
            "since": "2021-03-15",
        },
    )
    pdf = receipts.build_pdf(response, locale="en", timezone="Europe/Brussels")
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    for expected in (
        response.reference,
        "Housing of newcomers",
        user.organisation.name,
        "Ana Pereira, Head of integration",
        "Public, with the name of the authority",
        "Version",
        "Services",
        "Do you offer language courses?",
        "Yes, we do",
        "Which courses?",
        "German for adults",
        "Figures",
        "Health: 4 of 5",
        "125000.5",
        "March 15, 2021",
    ):
        assert expected in text, expected
    assert text.index("Services") < text.index("Yes, we do") < text.index("Figures")


def test_questions_hidden_by_conditions_are_left_out_and_unanswered_ones_said(consultation):
    response, _user = _submitted(consultation, {"offers": "no", "which": "dropped on submit"})
    text = _text(receipts.build_pdf(response))
    assert "No, not yet" in text
    assert "Which courses?" not in text
    assert "dropped on submit" not in text
    assert "Not answered" in text  # budget, date, matrix


def test_hostile_text_is_printed_as_text_and_nothing_is_fetched(consultation):
    response, _user = _submitted(
        consultation, {"offers": "yes", "which": HOSTILE}, name="<b>Eve</b>"
    )
    html = receipts.render_html(response)
    assert "<script>" not in html and "<img" not in html and "<b>Eve" not in html
    assert "&lt;script&gt;" in html
    text = _text(receipts.build_pdf(response))
    assert '<script>alert("x")</script>' in text
    assert "& Co" in text
    assert "<b>Eve</b>" in text


def test_dates_and_numbers_follow_the_readers_locale(consultation):
    response, _user = _submitted(consultation, {"offers": "no", "budget": 125000.5})
    text = _text(receipts.build_pdf(response, locale="de"))
    assert "125000,5" in text


def test_a_receipt_with_the_pdf_is_mailed_on_submit_and_on_amendment(
    consultation, mailbox, drain_jobs
):
    response, user = _submitted(consultation, {"offers": "no"})
    drain_jobs()
    assert len(mailbox) == 1
    message = mailbox[0]
    assert message["To"] == user.email
    assert response.reference in message["Subject"]
    attachments = [part for part in message.walk() if part.get_filename()]
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_filename() == f"receipt-{response.reference}-v1.pdf"
    assert "No, not yet" in _text(attachments[0].get_payload(decode=True))

    response = responding.start_amendment(response, version=response.version, actor=user)
    response = responding.save_draft(
        response, version=response.version, answers={"offers": "yes"}, other={}, actor=user
    )
    responding.submit(
        response,
        version=response.version,
        actor=user,
        consent=Consent.NOT_PUBLISHED,
        submitter_name="Ana Pereira",
        submitter_function="Mayor",
    )
    drain_jobs()
    assert len(mailbox) == 2
    amended = next(p for p in mailbox[1].walk() if p.get_filename())
    assert amended.get_filename() == f"receipt-{response.reference}-v2.pdf"
    text = _text(amended.get_payload(decode=True))
    assert "Yes, we do" in text and "Not for publication" in text and "Mayor" in text


def test_a_retried_submission_sends_no_second_receipt(consultation, mailbox, drain_jobs):
    response, user = _submitted(consultation, {"offers": "no"})
    responding.submit(
        response,
        version=response.version - 1,
        actor=user,
        consent=Consent.PUBLIC_NAMED,
        submitter_name="Ana Pereira",
        submitter_function="Head of integration",
    )
    drain_jobs()
    assert len(mailbox) == 1


def test_signoff_names_who_prepared_and_who_signed(consultation, mailbox, drain_jobs):
    consultation.signoff_required = True
    official = UserFactory(role=Role.RESPONDENT, name="Olga Preparer")
    signatory = UserFactory(
        role=Role.RESPONDENT,
        organisation=official.organisation,
        is_signatory=True,
        name="Sam Signer",
    )
    response = responding.start_response(consultation, official.organisation, actor=official)
    response = responding.save_draft(
        response, version=response.version, answers={"offers": "no"}, other={}, actor=official
    )
    responding.request_signoff(response, actor=official)
    response = responding.submit(
        response,
        version=response.version,
        actor=signatory,
        consent=Consent.PUBLIC_ANONYMOUS,
        submitter_name="Sam Signer",
        submitter_function="Mayor",
    )
    text = _text(receipts.build_pdf(response))
    assert "Prepared by Olga Preparer" in text.replace("\n", " ")
    assert "Signed off by Sam Signer" in text.replace("\n", " ")
    drain_jobs()
    assert sorted(m["To"] for m in mailbox) == sorted([official.email, signatory.email])


def test_generated_submissions_can_go_without_a_receipt(consultation, mailbox, drain_jobs):
    user = UserFactory(role=Role.RESPONDENT)
    response = responding.start_response(consultation, user.organisation, actor=user)
    responding.submit(
        response,
        version=response.version,
        actor=user,
        consent=Consent.NOT_PUBLISHED,
        submitter_name="Demo",
        submitter_function="Demo",
        send_receipt=False,
    )
    drain_jobs()
    assert mailbox == []


def test_twenty_simultaneous_submissions_queue_one_receipt(consultation, app, db, postgres):
    official = UserFactory(role=Role.RESPONDENT)
    users = [official] + [
        UserFactory(role=Role.RESPONDENT, organisation=official.organisation) for _ in range(19)
    ]
    response = responding.start_response(consultation, official.organisation, actor=official)
    response = responding.save_draft(
        response, version=response.version, answers={"offers": "no"}, other={}, actor=official
    )
    version, response_id, user_ids = response.version, response.id, [u.id for u in users]

    def work(i):
        current = db.session.get(Response, response_id)
        return responding.submit(
            current,
            version=version,
            actor=db.session.get(User, user_ids[i]),
            consent=Consent.PUBLIC_NAMED,
            submitter_name="Official",
            submitter_function="Official",
        ).status

    results, errors = _in_threads(app, 20, work)
    assert errors == [] and set(results) == {ResponseStatus.SUBMITTED}
    db.session.expire_all()
    kinds = db.session.scalars(sa.select(jobs.Job.kind)).all()
    assert kinds == [receipts.RECEIPT_JOB]
