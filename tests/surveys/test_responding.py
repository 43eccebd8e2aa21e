"""Responding services: shared drafts with versions, submission, amendment, withdrawal,
deadlines, sign-off; concurrency on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Role
from consult.db import utcnow
from consult.surveys import responding
from consult.surveys.models import (
    Answer,
    Consent,
    ConsultationStatus,
    OptionRole,
    QuestionType,
    Response,
    ResponseStatus,
    ResponseVersion,
)
from tests.factories import (
    ConsultationFactory,
    OptionFactory,
    QuestionFactory,
    SectionFactory,
    UserFactory,
)


@pytest.fixture
def setup(app):
    consultation = ConsultationFactory(
        status=ConsultationStatus.OPEN, closes_at=utcnow() + timedelta(days=10)
    )
    section = SectionFactory(consultation=consultation)
    housing = QuestionFactory(
        section=section, code="housing", type=QuestionType.SINGLE_CHOICE, required=True
    )
    for code in ("yes", "no"):
        OptionFactory(question=housing, code=code)
    other_q = QuestionFactory(
        section=section,
        code="measures",
        type=QuestionType.MULTIPLE_CHOICE,
        settings={"max_selections": 2},
    )
    OptionFactory(question=other_q, code="courses")
    OptionFactory(question=other_q, code="jobs")
    OptionFactory(question=other_q, code="other", is_other=True)
    QuestionFactory(
        section=section,
        code="budget",
        type=QuestionType.NUMBER,
        settings={"min": 0, "integer": True},
    )
    official = UserFactory(role=Role.RESPONDENT)
    colleague = UserFactory(role=Role.RESPONDENT, organisation=official.organisation)
    return consultation, official, colleague


def _start(consultation, user):
    return responding.start_response(consultation, user.organisation, actor=user)


def _submit(response, user, version):
    return responding.submit(
        response,
        version=version,
        actor=user,
        consent=Consent.PUBLIC_ANONYMOUS,
        submitter_name=user.name,
        submitter_function="Mayor",
    )


def test_one_response_per_authority_with_a_readable_reference(setup, db):
    consultation, official, colleague = setup
    first = _start(consultation, official)
    again = _start(consultation, colleague)
    assert first.id == again.id
    assert first.reference.startswith(f"MIG-{first.created_at.year}-0001-")
    assert len(first.reference.split("-")[-1]) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1


def test_references_stay_unique_across_consultations_sharing_a_prefix(setup, monkeypatch):
    """Two consultations of one year with the same prefix both number from 0001: a suffix that
    would repeat another consultation's reference is drawn again, not a database error."""
    consultation, official, _ = setup
    second = ConsultationFactory(
        status=ConsultationStatus.OPEN,
        closes_at=utcnow() + timedelta(days=10),
        opens_at=consultation.opens_at,
        created_at=consultation.created_at,
        reference_prefix=consultation.reference_prefix,
    )
    letters = iter("AAA" + "AAA" + "BBB")
    monkeypatch.setattr(responding.secrets, "choice", lambda alphabet: next(letters))
    first = _start(consultation, official)
    other = _start(second, official)
    assert first.reference.endswith("-0001-AAA")
    assert other.reference == first.reference.replace("-AAA", "-BBB")


def test_colleagues_share_the_draft_section_by_section(setup):
    consultation, official, colleague = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official, codes=["housing"]
    )
    assert response.version == 2
    response = responding.save_draft(
        response, version=2, answers={"budget": 1200}, other={}, actor=colleague, codes=["budget"]
    )
    assert response.draft["answers"] == {"housing": "yes", "budget": 1200}
    assert response.updated_by_id == colleague.id


def test_stale_save_is_refused_and_nothing_is_overwritten(setup):
    consultation, official, colleague = setup
    response = _start(consultation, official)
    responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official, codes=["housing"]
    )
    with pytest.raises(responding.StaleVersion) as refused:
        responding.save_draft(
            response,
            version=1,
            answers={"housing": "no"},
            other={},
            actor=colleague,
            codes=["housing"],
        )
    assert refused.value.current.draft["answers"]["housing"] == "yes"
    assert refused.value.current.version == 2


def test_invalid_values_are_kept_in_the_draft(setup):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response,
        version=1,
        answers={"budget": "twelve"},
        other={},
        actor=official,
        codes=["budget"],
    )
    assert response.draft["answers"]["budget"] == "twelve"


def test_submission_validates_everything_and_writes_nothing_when_invalid(setup, db):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response,
        version=1,
        answers={"measures": ["courses", "jobs", "other"], "budget": -3},
        other={},
        actor=official,
    )
    with pytest.raises(responding.InvalidResponse) as refused:
        _submit(response, official, response.version)
    messages = [(p.code, p.message) for p in refused.value.problems]
    assert messages == [
        ("housing", "Choose an answer."),
        ("measures", "Choose at most 2 options."),
        ("measures", "Say what “other” is."),
        ("budget", "Enter a number of at least 0."),
    ]
    db.session.expire_all()
    assert db.session.get(Response, response.id).status == ResponseStatus.DRAFT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0


def test_other_please_specify_needs_its_text(setup):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response,
        version=1,
        answers={"housing": "no", "measures": ["other"]},
        other={},
        actor=official,
    )
    with pytest.raises(responding.InvalidResponse) as refused:
        _submit(response, official, response.version)
    assert [(p.code, p.field, p.message) for p in refused.value.problems] == [
        ("measures", "other", "Say what “other” is.")
    ]


def test_submit_writes_answers_freezes_the_authority_and_keeps_a_version(setup, db):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response,
        version=1,
        answers={"housing": "yes", "measures": ["jobs", "other"], "budget": 5000},
        other={"measures": "Mentoring"},
        actor=official,
    )
    submitted = _submit(response, official, response.version)
    assert submitted.status == ResponseStatus.SUBMITTED
    assert submitted.country == official.organisation.country
    assert submitted.submitter_function == "Mayor"
    answers = db.session.scalars(sa.select(Answer)).all()
    assert len(answers) == 4
    assert {a.value_text for a in answers} == {None, "Mentoring"}
    version = db.session.scalar(sa.select(ResponseVersion))
    assert version.number == 1 and version.data["answers"]["budget"] == 5000
    assert "response.submitted" in db.session.scalars(sa.select(AuditEvent.action)).all()


def test_double_submit_gives_one_submission(setup, db):
    consultation, official, colleague = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    version = response.version
    first = _submit(response, official, version)
    second = _submit(response, colleague, version)
    assert first.id == second.id and second.status == ResponseStatus.SUBMITTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponseVersion)) == 1
    assert second.submitted_by_id == official.id


def test_submitted_response_is_read_only_until_amended(setup, db):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    response = _submit(response, official, response.version)
    with pytest.raises(responding.NotEditable):
        responding.save_draft(
            response, version=response.version, answers={"housing": "no"}, other={}, actor=official
        )
    response = responding.start_amendment(response, version=response.version, actor=official)
    response = responding.save_draft(
        response,
        version=response.version,
        answers={"housing": "no"},
        other={},
        actor=official,
        codes=["housing"],
    )
    # Until the amendment is submitted, the submitted answers still count.
    counted = db.session.scalar(sa.select(Answer.option_id))
    yes = next(o.id for o in consultation.questions[0].options if o.code == "yes")
    assert counted == yes
    response = _submit(response, official, response.version)
    no = next(o.id for o in consultation.questions[0].options if o.code == "no")
    assert db.session.scalar(sa.select(Answer.option_id)) == no
    assert [v.number for v in responding.versions(response)] == [1, 2]
    assert response.submission_count == 2


def test_cancelled_amendment_restores_the_submitted_answers(setup):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    response = _submit(response, official, response.version)
    response = responding.start_amendment(response, version=response.version, actor=official)
    response = responding.save_draft(
        response, version=response.version, answers={"housing": "no"}, other={}, actor=official
    )
    response = responding.cancel_amendment(response, version=response.version, actor=official)
    assert response.draft["answers"] == {"housing": "yes"} and not response.amending


def test_withdrawal_removes_the_answers_from_results(setup, db):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    response = _submit(response, official, response.version)
    response = responding.withdraw(response, version=response.version, actor=official)
    assert response.status == ResponseStatus.WITHDRAWN
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    # The authority may answer again before the deadline.
    response = responding.save_draft(
        response, version=response.version, answers={"housing": "no"}, other={}, actor=official
    )
    assert response.status == ResponseStatus.DRAFT


def test_after_the_deadline_saves_are_refused_and_the_draft_is_kept(setup, db):
    consultation, official, _ = setup
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    later = consultation.closes_at + timedelta(seconds=1)
    with pytest.raises(responding.ConsultationNotOpen) as refused:
        responding.save_draft(
            response,
            version=response.version,
            answers={"housing": "no"},
            other={},
            actor=official,
            now=later,
        )
    assert "deadline has passed" in refused.value.message
    with pytest.raises(responding.ConsultationNotOpen):
        _submit_at(response, official, later)
    db.session.expire_all()
    assert db.session.get(Response, response.id).draft["answers"] == {"housing": "yes"}


def _submit_at(response, user, now):
    return responding.submit(
        response,
        version=response.version,
        actor=user,
        consent=Consent.NOT_PUBLISHED,
        submitter_name="A",
        submitter_function="B",
        now=now,
    )


def test_closed_and_draft_consultations_take_no_answers(setup, db):
    consultation, official, _ = setup
    consultation.status = ConsultationStatus.DRAFT
    db.session.commit()
    with pytest.raises(responding.ConsultationNotOpen):
        _start(consultation, official)


def test_sign_off_only_the_signatory_submits(setup, db):
    consultation, official, colleague = setup
    consultation.signoff_required = True
    colleague.is_signatory = True
    db.session.commit()
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    with pytest.raises(responding.SignOffRequired):
        _submit(response, official, response.version)
    assert responding.request_signoff(response, actor=official) == [colleague]
    submitted = _submit(response, colleague, response.version)
    assert submitted.signoff_requested_by_id == official.id
    assert submitted.submitted_by_id == colleague.id


def test_sign_off_without_a_signatory_says_what_to_do(setup):
    consultation, official, _ = setup
    response = _start(consultation, official)
    with pytest.raises(responding.ResponseError, match="no signatory"):
        responding.request_signoff(response, actor=official)


def _in_threads(app, n, work):
    """Run `work(i)` in n threads at once, each with its own app context and session."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        with app.app_context():
            try:
                barrier.wait()
                results[i] = work(i)
            except Exception as error:
                results[i] = error
                errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


@pytest.fixture
def postgres(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency test needs PostgreSQL (DATABASE_URL)")


def test_twenty_parallel_submits_give_one_submitted_response(setup, app, db, postgres):
    consultation, official, _ = setup
    users = [official] + [
        UserFactory(role=Role.RESPONDENT, organisation=official.organisation) for _ in range(19)
    ]
    response = _start(consultation, official)
    response = responding.save_draft(
        response, version=1, answers={"housing": "yes"}, other={}, actor=official
    )
    version, response_id, user_ids = response.version, response.id, [u.id for u in users]

    def work(i):
        from consult.accounts.models import User

        user = db.session.get(User, user_ids[i])
        current = db.session.get(Response, response_id)
        result = responding.submit(
            current,
            version=version,
            actor=user,
            consent=Consent.PUBLIC_NAMED,
            submitter_name=user.name,
            submitter_function="Official",
        )
        return result.reference, result.status

    results, errors = _in_threads(app, 20, work)
    assert errors == []
    assert {r for r in results} == {(response.reference, ResponseStatus.SUBMITTED)}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResponseVersion)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 1


def test_two_parallel_saves_one_accepted_one_refused_with_both_values(setup, app, db, postgres):
    consultation, official, colleague = setup
    response = _start(consultation, official)
    ids = {0: official.id, 1: colleague.id}
    values = {0: "yes", 1: "no"}

    def work(i):
        from consult.accounts.models import User

        user = db.session.get(User, ids[i])
        current = db.session.get(Response, response.id)
        try:
            saved = responding.save_draft(
                current,
                version=1,
                answers={"housing": values[i]},
                other={},
                actor=user,
                codes=["housing"],
            )
            return ("saved", saved.draft["answers"]["housing"])
        except responding.StaleVersion as stale:
            return ("refused", values[i], stale.current.draft["answers"]["housing"])

    results, errors = _in_threads(app, 2, work)
    assert errors == []
    saved = [r for r in results if r[0] == "saved"]
    refused = [r for r in results if r[0] == "refused"]
    assert len(saved) == 1 and len(refused) == 1
    # The refused official keeps their value and sees the one that was saved.
    assert refused[0][1] != refused[0][2] == saved[0][1]


def test_parallel_starts_by_many_authorities_get_distinct_numbers(app, db, postgres):
    consultation = ConsultationFactory(status=ConsultationStatus.OPEN)
    users = [UserFactory(role=Role.RESPONDENT) for _ in range(8)]
    ids = [u.id for u in users]

    def work(i):
        from consult.accounts.models import User

        user = db.session.get(User, ids[i])
        return responding.start_response(
            db.session.merge(consultation), user.organisation, actor=user
        ).seq

    results, errors = _in_threads(app, 8, work)
    assert errors == [] and sorted(results) == list(range(1, 9))


def test_matrix_and_scale_rules(app):
    consultation = ConsultationFactory(status=ConsultationStatus.OPEN)
    section = SectionFactory(consultation=consultation)
    matrix = QuestionFactory(
        section=section,
        code="m",
        type=QuestionType.MATRIX,
        required=True,
        settings={"points": 5, "dont_know": True},
    )
    for code in ("r1", "r2"):
        OptionFactory(question=matrix, code=code, role=OptionRole.ROW)
    from consult.surveys import validation

    problems = validation.check(consultation.questions, {"m": {"r1": 9}}, {})
    assert [p.message for p in problems] == ["Choose one of the points.", "Answer every row."]
    assert validation.check(consultation.questions, {"m": {"r1": 5, "r2": "dont_know"}}, {}) == []
