"""Demo responses for `seed-demo`, so that every state of responding shows (fictional).

On the demo consultation, other demo authorities have drafts, submitted, amended and withdrawn
responses; the demo respondent's own authority has not started it. Two more consultations give
that authority a draft (open, last saved by the demo colleague) and a submitted response with a
receipt (closed). Everything goes through the responding services, as real answers do.
Idempotent: a consultation that already has responses is left alone.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consult.accounts.models import Organisation, Role, User
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import audience, lifecycle, responding
from consult.surveys.models import Consent, Consultation, ConsultationStatus

ANSWERS = [
    {
        "strategy": "yes",
        "strategy_year": "2019-06-12",
        "staff": 12,
        "services": ["language", "housing", "jobs"],
        "main_challenge": "housing",
        "housing_detail": "Waiting lists for social housing are long; we rent flats from owners.",
        "priorities": ["funding", "exchange", "training"],
        "cooperation": {"national": 2, "regional": 4, "ngos": 5},
        "satisfaction": 4,
        "contact_unit": "Welcome and integration office",
        "good_practice": "A one-stop welcome desk in the town hall, open on Saturdays.",
    },
    {
        "strategy": "no",
        "staff": 2,
        "services": ["language", "other_service"],
        "main_challenge": "funding",
        "priorities": ["funding"],
        "cooperation": {"national": 1, "regional": "dont_know"},
        "satisfaction": 2,
    },
    {
        "strategy": "yes",
        "strategy_year": "2022-01-20",
        "staff": 40,
        "services": ["jobs", "health", "schools"],
        "main_challenge": "coordination",
        "priorities": ["data", "exchange"],
        "satisfaction": "dont_know",
        "contact_unit": "Department of social affairs",
    },
]
OTHER = {1: {"services": "Mentoring by volunteers"}}
CONSENTS = [Consent.PUBLIC_NAMED, Consent.PUBLIC_ANONYMOUS, Consent.NOT_PUBLISHED]


def _official(authority: Organisation) -> User:
    """A demo official of `authority` (no password: the demo signs in as Rita and Colin)."""
    email = f"official.{authority.slug}@demo.consult.example"
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=f"Official of {authority.name}",
            role=Role.RESPONDENT,
            organisation=authority,
            verified_at=utcnow(),
        )
        db.session.add(user)
        db.session.flush()
    return user


def _draft(consultation, authority, actor, index, *, partial=False):
    response = responding.start_response(consultation, authority, actor=actor)
    answers = dict(ANSWERS[index % len(ANSWERS)])
    if partial:
        answers = {k: v for k, v in list(answers.items())[:4]}
    return responding.save_draft(
        response,
        version=response.version,
        answers=answers,
        other=OTHER.get(index % len(ANSWERS), {}),
        actor=actor,
    )


def _submitted(consultation, authority, actor, index):
    response = _draft(consultation, authority, actor, index)
    return responding.submit(
        response,
        version=response.version,
        actor=actor,
        consent=CONSENTS[index % len(CONSENTS)],
        submitter_name=actor.name,
        submitter_function="Head of the integration office",
        send_receipt=False,  # fictional officials: no receipts in the outbox
    )


def seed_demo_responses(consultation: Consultation, authorities: list[Organisation]) -> None:
    """Drafts and submitted (one amended, one withdrawn) responses of demo authorities other
    than the demo respondent's own (authorities[0]), which stays "not started"."""
    if lifecycle.has_responses(consultation):
        return
    members = [a for a in authorities[1:] if audience.is_in_audience(consultation, a.id)]
    for index, authority in enumerate(members[:9]):
        actor = _official(authority)
        if index < 3:
            _draft(consultation, authority, actor, index, partial=index == 0)
            continue
        response = _submitted(consultation, authority, actor, index)
        if index == 7:
            response = responding.start_amendment(response, version=response.version, actor=actor)
            responding.submit(
                response,
                version=response.version,
                actor=actor,
                consent=Consent.PUBLIC_ANONYMOUS,
                submitter_name=actor.name,
                submitter_function="Deputy mayor",
                send_receipt=False,
            )
        elif index == 8:
            responding.withdraw(response, version=response.version, actor=actor)


def _small_consultation(base: Consultation, slug: str, title: dict, *, closed: bool):
    from consult.surveys.demo_questionnaire import add_demo_questionnaire

    found = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
    if found is not None:
        return found, False
    now = utcnow().replace(second=0, microsecond=0)
    consultation = Consultation(
        slug=slug,
        association_id=base.association_id,
        default_language="en",
        languages=["en", "fr"],
        title=title,
        description=base.description,
        status=ConsultationStatus.DRAFT,
        opens_at=now - timedelta(days=40 if closed else 5),
        closes_at=now + timedelta(days=12),
        timezone=base.timezone,
        reference_prefix="LNG" if not closed else "HSG",
        audience_mode=base.audience_mode,
        audience_criteria=base.audience_criteria,
        created_by_id=base.created_by_id,
    )
    db.session.add(consultation)
    db.session.flush()
    add_demo_questionnaire(consultation, actor=None)
    consultation.status = ConsultationStatus.OPEN
    db.session.commit()
    return consultation, True


def seed_respondent_states(base: Consultation, respondent: User, colleague: User) -> None:
    """The demo respondent's authority: a draft on an open consultation (saved by the
    colleague) and a submitted response, with its receipt, on a closed one."""
    authority = respondent.organisation
    draft_on, created = _small_consultation(
        base,
        "language-courses-2026",
        {
            "en": "Language courses for newcomers (2026)",
            "fr": "Cours de langue pour les nouveaux arrivants (2026)",
        },
        closed=False,
    )
    if created:
        _draft(draft_on, authority, respondent, 0, partial=True)
        response = responding.find_response(draft_on, authority)
        responding.save_draft(
            response,
            version=response.version,
            answers={"staff": 6},
            other={},
            actor=colleague,
            codes=["staff"],
        )
    closed_on, created = _small_consultation(
        base,
        "housing-survey-2025",
        {
            "en": "Housing for refugees: survey of authorities (2025)",
            "fr": "Le logement des réfugiés : enquête auprès des collectivités (2025)",
        },
        closed=True,
    )
    if created:
        _submitted(closed_on, authority, respondent, 0)
        closed_on.closes_at = utcnow().replace(microsecond=0) - timedelta(days=3)
        db.session.commit()
