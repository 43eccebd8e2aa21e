"""Creating and editing consultations: every setting's check, what each state still allows,
the list query with its counts, and cloning."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Role
from consult.db import utcnow
from consult.surveys import cloning, conditions, consultations, lifecycle
from consult.surveys.consultation_errors import InvalidConsultation, WrongState
from consult.surveys.consultations import ConsultationSettings
from consult.surveys.models import (
    AudienceMember,
    AudienceMode,
    Consultation,
    ConsultationStatus,
    Option,
    OptionRole,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
    Section,
)
from tests.factories import (
    AuthorityFactory,
    ConsultationFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)
from tests.surveys.test_lifecycle import ready_consultation


@pytest.fixture
def author(app):
    return UserFactory(role=Role.AUTHOR)


def settings(**values) -> ConsultationSettings:
    values.setdefault("slug", "integration-2026")
    values.setdefault("languages", ["en", "fr"])
    values.setdefault("title", {"en": "Integration", "fr": "Intégration"})
    values.setdefault("description", {"en": "About **it**."})
    values.setdefault("reference_prefix", "MIG")
    return ConsultationSettings(**values)


def test_create_a_draft_owned_by_the_association(author, db):
    closes = utcnow() + timedelta(days=10)
    consultation = consultations.create_consultation(
        author.organisation, settings(closes_at=closes), actor=author
    )
    db.session.expire_all()
    assert consultation.status == ConsultationStatus.DRAFT
    assert consultation.association_id == author.organisation_id
    assert consultation.created_by_id == author.id
    assert consultation.languages == ["en", "fr"] and consultation.closes_at == closes
    assert consultation.audience_mode == AudienceMode.CRITERIA
    assert consultation.audience_criteria == {"members_only": True}
    assert db.session.scalar(
        sa.select(AuditEvent.action).where(AuditEvent.object_id == str(consultation.id))
    ) == ("consultation.created")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"slug": "No Spaces"}, "slug", "lower-case letters, digits and single hyphens"),
        ({"slug": "ab"}, "slug", "3 to 80 characters"),
        ({"slug": "trailing-"}, "slug", "single hyphens"),
        ({"slug": "x" * 81}, "slug", "3 to 80 characters"),
        ({"default_language": "xx"}, "default_language", "24 official languages"),
        ({"languages": []}, "languages", "Offer at least one language."),
        ({"languages": ["fr"]}, "languages", "The default language (English) must be one"),
        ({"title": {"fr": "Seulement"}}, "title_en", "Enter the title in English."),
        ({"title": {"en": "x" * 201}}, "title_en", "at most 200 characters"),
        ({"k_threshold": 1}, "k_threshold", "between 2 and 100"),
        ({"k_threshold": 101}, "k_threshold", "between 2 and 100"),
        ({"reference_prefix": "mig"}, "reference_prefix", "2 to 8 capital letters"),
        ({"reference_prefix": "M"}, "reference_prefix", "2 to 8 capital letters"),
        ({"reference_prefix": "ABCDEFGHI"}, "reference_prefix", "2 to 8 capital letters"),
        ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone"),
        ({"results_visibility": "friends"}, "results_visibility", "who may see"),
    ],
)
def test_each_setting_is_checked(author, values, field, message):
    with pytest.raises(InvalidConsultation) as refused:
        consultations.create_consultation(author.organisation, settings(**values), actor=author)
    assert message in refused.value.errors[field]


def test_dates_must_be_in_order(author):
    now = utcnow()
    with pytest.raises(InvalidConsultation) as refused:
        consultations.create_consultation(
            author.organisation,
            settings(opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=1)),
            actor=author,
        )
    assert refused.value.errors == {
        "closes_at": "The closing date must come after the opening date."
    }


def test_every_problem_is_reported_together(author):
    with pytest.raises(InvalidConsultation) as refused:
        consultations.create_consultation(
            author.organisation,
            settings(slug="Bad Slug", k_threshold=0, reference_prefix="x"),
            actor=author,
        )
    assert set(refused.value.errors) == {"slug", "k_threshold", "reference_prefix"}


def test_the_address_is_unique(author):
    ConsultationFactory(slug="integration-2026")
    with pytest.raises(InvalidConsultation) as refused:
        consultations.create_consultation(author.organisation, settings(), actor=author)
    assert refused.value.errors["slug"] == "Another consultation already uses this address."


def test_texts_of_languages_not_offered_are_dropped_and_fallbacks_kept_valid(author):
    consultation = consultations.create_consultation(
        author.organisation,
        settings(
            languages=["en", "de", "fr"],
            title={"en": " Integration ", "it": "Integrazione"},
            accepted_fallbacks=["de", "en", "pt"],
        ),
        actor=author,
    )
    assert consultation.languages == ["de", "en", "fr"]  # in the EU list's order
    assert consultation.title == {"en": "Integration"}
    assert consultation.accepted_fallbacks == ["de"]


def test_an_only_an_association_owns_consultations(app):
    from consult.surveys.consultation_errors import ConsultationError

    authority = AuthorityFactory()
    with pytest.raises(ConsultationError, match="Only an association"):
        consultations.create_consultation(authority, settings(), actor=None)


def test_a_draft_can_change_everything(author, db):
    consultation = ConsultationFactory(association=author.organisation)
    new = replace(
        ConsultationSettings.of(consultation), slug="renamed", reference_prefix="NEW", k_threshold=7
    )
    consultations.update_consultation(consultation, new, actor=author)
    db.session.expire_all()
    assert (consultation.slug, consultation.reference_prefix, consultation.k_threshold) == (
        "renamed",
        "NEW",
        7,
    )
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation.updated")
    )
    assert sorted(event.details["fields"]) == ["k_threshold", "reference_prefix", "slug"]


def test_an_open_consultation_keeps_its_address_and_a_future_deadline(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    current = ConsultationSettings.of(consultation)
    with pytest.raises(InvalidConsultation) as refused:
        consultations.update_consultation(
            consultation,
            replace(current, slug="other", closes_at=utcnow() - timedelta(hours=1)),
            actor=None,
        )
    assert "cannot change once the consultation has been opened" in refused.value.errors["slug"]
    with pytest.raises(InvalidConsultation) as refused:
        consultations.update_consultation(
            consultation, replace(current, closes_at=utcnow() - timedelta(hours=1)), actor=None
        )
    assert "must stay in the future" in refused.value.errors["closes_at"]
    with pytest.raises(InvalidConsultation) as refused:
        consultations.update_consultation(
            consultation, replace(current, opens_at=utcnow() + timedelta(hours=1)), actor=None
        )
    assert "cannot move to the future" in refused.value.errors["opens_at"]
    later = utcnow() + timedelta(days=90)
    consultations.update_consultation(consultation, replace(current, closes_at=later), actor=None)
    assert consultation.closes_at == later


def test_a_closed_consultation_changes_its_deadline_only_by_reopening(app):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    lifecycle.close_consultation(consultation, actor=None)
    current = ConsultationSettings.of(consultation)
    with pytest.raises(InvalidConsultation) as refused:
        consultations.update_consultation(
            consultation, replace(current, closes_at=utcnow() + timedelta(days=3)), actor=None
        )
    assert "reopen it" in refused.value.errors["closes_at"]
    consultations.update_consultation(consultation, replace(current, k_threshold=10), actor=None)


def test_an_archived_consultation_does_not_change(app):
    consultation = ConsultationFactory(status=ConsultationStatus.ARCHIVED)
    with pytest.raises(WrongState, match="archived"):
        consultations.update_consultation(
            consultation, ConsultationSettings.of(consultation), actor=None
        )


def test_responses_fix_the_prefix_and_the_languages_but_wording_changes_are_audited(app, db):
    consultation = ready_consultation()
    lifecycle.open_consultation(consultation, actor=None)
    authority = consultation.association.members[0]
    db.session.add(Response(consultation_id=consultation.id, authority_id=authority.id, seq=1))
    db.session.commit()
    current = ConsultationSettings.of(consultation)
    with pytest.raises(InvalidConsultation) as refused:
        consultations.update_consultation(
            consultation, replace(current, reference_prefix="NEW", languages=["en"]), actor=None
        )
    assert "can no longer change" in refused.value.errors["reference_prefix"]
    assert "no language can be withdrawn (French)" in refused.value.errors["languages"]
    reworded = replace(current, title={**current.title, "en": "Integration of migrants"})
    consultations.update_consultation(consultation, reworded, actor=None)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "consultation.wording_changed")
    )
    assert event.details["field"] == "title"
    assert event.details["new"]["en"] == "Integration of migrants"


def test_the_list_filters_by_search_and_derived_status_and_counts_in_one_query(app, db):
    author = UserFactory(role=Role.AUTHOR)
    association = author.organisation
    now = utcnow()
    draft = ConsultationFactory(association=association, title={"en": "Housing for newcomers"})
    running = ConsultationFactory(
        association=association,
        slug="language-courses",
        status=ConsultationStatus.OPEN,
        closes_at=now + timedelta(days=3),
        title={"en": "Cours de français", "fr": "Cours de français"},
    )
    expired = ConsultationFactory(
        association=association, status=ConsultationStatus.OPEN, closes_at=now - timedelta(days=1)
    )
    archived = ConsultationFactory(association=association, status=ConsultationStatus.ARCHIVED)
    ConsultationFactory()  # another association's
    authorities = AuthorityFactory.create_batch(3)
    statuses = [ResponseStatus.SUBMITTED, ResponseStatus.SUBMITTED, ResponseStatus.DRAFT]
    for seq, (authority, status) in enumerate(zip(authorities, statuses, strict=True), start=1):
        db.session.add(
            Response(consultation_id=running.id, authority_id=authority.id, seq=seq, status=status)
        )
    db.session.commit()

    def ids(**filters):
        stmt = consultations.consultations_select(association_id=association.id, **filters)
        return {c.id for c in db.session.scalars(stmt)}

    assert ids() == {draft.id, running.id, expired.id}
    assert ids(status="open") == {running.id}
    assert ids(status="closed") == {expired.id}
    assert ids(status="draft") == {draft.id}
    assert ids(status="archived") == {archived.id}
    assert ids(q="HOUSING") == {draft.id}
    assert ids(q="français") == {running.id}
    assert ids(q="courses") == {running.id}
    assert ids(q="100%_") == set()
    counts = consultations.response_counts([draft.id, running.id])
    assert counts == {running.id: consultations.ResponseCounts(submitted=2, drafts=1)}


def full_consultation() -> Consultation:
    consultation = ready_consultation(
        opens_at=utcnow() + timedelta(days=1),
        k_threshold=7,
        signoff_required=True,
        accepted_fallbacks=["fr"],
        audience_mode=AudienceMode.LIST,
        audience_criteria={"countries": ["FR"], "members_only": False},
    )
    first = consultation.questions[0]
    OptionFactory(question=first, code="other", is_other=True, label={"en": "Other", "fr": "Autre"})
    second = SectionFactory(consultation=consultation, intro={"en": "Intro", "fr": "Intro fr"})
    relevant = f"selected(${{{first.code}}}, '{first.options[0].code}')"
    grid = QuestionFactory(
        section=second,
        code="grid",
        type=QuestionType.MATRIX,
        settings={"points": 5, "dont_know": True},
        relevant=relevant,
        relevant_ast=conditions.parse(relevant),
        required=True,
        help={"en": "Help"},
    )
    OptionFactory(question=grid, role=OptionRole.ROW, code="r1")
    for authority in AuthorityFactory.create_batch(2):
        consultation.association.members.append(authority)
    return consultation


def _shape(consultation: Consultation) -> list:
    return [
        (
            s.position,
            s.title,
            s.intro,
            [
                (
                    q.code,
                    q.type,
                    q.position,
                    q.label,
                    q.help,
                    q.required,
                    q.settings,
                    q.relevant,
                    q.relevant_ast,
                    [(o.role, o.code, o.position, o.label, o.is_other) for o in q.options],
                )
                for q in s.questions
            ],
        )
        for s in consultation.sections
    ]


def test_clone_copies_questionnaire_audience_and_settings_as_a_new_draft(app, db):
    source = full_consultation()
    from consult.surveys import audience

    audience.add_members(source, [a.id for a in source.association.members], actor=None)
    lifecycle.open_consultation(source, actor=None)
    author = UserFactory(role=Role.AUTHOR, organisation=source.association)
    copy = cloning.clone_consultation(source, actor=author)
    db.session.expire_all()
    assert copy.slug == f"{source.slug}-2"
    assert copy.status == ConsultationStatus.DRAFT
    assert (copy.opens_at, copy.closes_at) == (None, None)
    assert copy.cloned_from_id == source.id and copy.created_by_id == author.id
    for name in cloning.CONSULTATION_COLUMNS:
        assert getattr(copy, name) == getattr(source, name), name
    assert _shape(copy) == _shape(source)
    assert {q.id for q in copy.questions}.isdisjoint({q.id for q in source.questions})
    members = lambda c: set(  # noqa: E731
        db.session.scalars(
            sa.select(AudienceMember.authority_id).where(AudienceMember.consultation_id == c.id)
        )
    )
    assert members(copy) == members(source) and len(members(copy)) == 3
    assert cloning.clone_consultation(source, actor=author).slug == f"{source.slug}-3"


def test_clone_is_all_or_nothing(app, db, monkeypatch):
    source = full_consultation()
    counts = lambda: [  # noqa: E731
        db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in (Consultation, Section, Question, Option)
    ]
    before = counts()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(cloning.audit, "record", broken)
    with pytest.raises(RuntimeError):
        cloning.clone_consultation(source, actor=None)
    assert counts() == before


def test_clone_refuses_an_address_in_use(app):
    source = ConsultationFactory(slug="survey")
    ConsultationFactory(slug="taken")
    with pytest.raises(InvalidConsultation, match="already uses"):
        cloning.clone_consultation(source, actor=None, slug="taken")
    assert cloning.clone_consultation(source, actor=None, slug="survey-autumn").slug == (
        "survey-autumn"
    )
