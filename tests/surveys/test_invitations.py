"""Invitations and reminders, sent by a background job over real SMTP (the mailbox fixture)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Role, User
from consult.db import utcnow
from consult.jobs import Job, JobStatus
from consult.surveys import invitation_queries, invitations, lifecycle
from consult.surveys.consultation_errors import InvitationError
from consult.surveys.models import ConsultationStatus, Invitation, Response, ResponseStatus
from tests.factories import AuthorityFactory, ConsultationFactory, UserFactory


def body(message) -> str:
    part = message if not message.is_multipart() else message.get_payload(0)
    return part.get_payload(decode=True).decode()


def consultation_link(message) -> str:
    match = re.search(r"http://localhost(/consultation-invitations/\S+)", body(message))
    assert match, body(message)
    return match.group(1)


@pytest.fixture
def setting(app, db):
    """An open consultation whose audience is three member authorities:
    `staffed` has two active respondents (and an inactive one and an author elsewhere),
    `contact_only` has no user but a contact address, `unreachable` has neither."""
    author = UserFactory(role=Role.AUTHOR)
    association = author.organisation
    staffed = AuthorityFactory(name="Staffed Town", contact_email="town@example.org")
    contact_only = AuthorityFactory(name="Contact Village", contact_email="Mairie@Example.org")
    unreachable = AuthorityFactory(name="Silent Hamlet", contact_email=None)
    for authority in (staffed, contact_only, unreachable):
        association.members.append(authority)
    AuthorityFactory(name="Not A Member")
    ana = UserFactory(role=Role.RESPONDENT, organisation=staffed, email="ana@example.org")
    ben = UserFactory(role=Role.RESPONDENT, organisation=staffed, email="ben@example.org")
    UserFactory(role=Role.RESPONDENT, organisation=staffed, active=False)
    consultation = ConsultationFactory(
        association=association,
        status=ConsultationStatus.OPEN,
        opens_at=utcnow() - timedelta(days=1),
        closes_at=utcnow() + timedelta(days=30),
        audience_criteria={"members_only": True},
    )
    db.session.commit()
    return {
        "author": author,
        "consultation": consultation,
        "staffed": staffed,
        "contact_only": contact_only,
        "unreachable": unreachable,
        "respondents": [ana, ben],
    }


def invite(setting, drain_jobs, **kwargs) -> Job:
    from consult.extensions import db

    job = invitations.start_invitations(setting["consultation"], actor=setting["author"], **kwargs)
    drain_jobs()
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_inviting_the_audience_reaches_every_authority_it_can(setting, mailbox, drain_jobs, db):
    job = invite(setting, drain_jobs)
    assert job.status == JobStatus.DONE
    assert (job.total, job.done, job.percent) == (3, 3, 100)
    assert job.kind == f"invitations:{setting['consultation'].id}"
    assert job.result["sent"] == 2 and job.result["accounts_created"] == 1
    assert job.result["cannot"] == [
        {"authority": "Silent Hamlet", "reason": "no user and no contact e-mail address"}
    ]
    by_recipient = {}
    for message in mailbox:
        by_recipient.setdefault(message["To"], []).append(message)
    # Staffed Town: both active respondents, with the same link to the consultation.
    assert set(by_recipient) == {"ana@example.org", "ben@example.org", "mairie@example.org"}
    assert consultation_link(by_recipient["ana@example.org"][0]) == consultation_link(
        by_recipient["ben@example.org"][0]
    )
    assert "Consultation: Consultation" in by_recipient["ana@example.org"][0]["Subject"]
    # Contact Village: an account created for its address, then the consultation's e-mail.
    village_mail = by_recipient["mairie@example.org"]
    assert len(village_mail) == 2
    assert "/invitation/" in body(village_mail[0])  # choose a password
    assert "/consultation-invitations/" in body(village_mail[1])
    created = db.session.scalar(sa.select(User).where(User.email == "mairie@example.org"))
    assert created.role == Role.RESPONDENT
    assert created.organisation_id == setting["contact_only"].id
    rows = db.session.scalars(sa.select(Invitation).order_by(Invitation.authority_id)).all()
    assert [r.authority_id for r in rows] == [setting["staffed"].id, setting["contact_only"].id]
    token = consultation_link(by_recipient["ana@example.org"][0]).rsplit("/", 1)[1]
    assert rows[0].token_hash == invitations.token_hash(token) and token not in rows[0].token_hash
    assert rows[0].invited_by_id == setting["author"].id
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("consultation.invitation_sent") == 2
    assert "consultation.invitations_started" in actions and "user.invited" in actions


def test_inviting_twice_sends_nothing_twice_unless_asked(setting, mailbox, drain_jobs, db):
    invite(setting, drain_jobs)
    first_hash = db.session.scalar(
        sa.select(Invitation.token_hash).where(Invitation.authority_id == setting["staffed"].id)
    )
    sent = len(mailbox)
    again = invite(setting, drain_jobs)
    assert len(mailbox) == sent
    assert again.result["sent"] == 0 and again.result["skipped"] == 2
    assert invitation_queries.not_yet_invited_count(setting["consultation"]) == 0
    assert invitation_queries.uninvitable_count(setting["consultation"]) == 1
    resent = invite(setting, drain_jobs, authority_ids=[setting["staffed"].id], resend=True)
    assert resent.result["sent"] == 1 and len(mailbox) == sent + 2
    new_hash = db.session.scalar(
        sa.select(Invitation.token_hash).where(Invitation.authority_id == setting["staffed"].id)
    )
    assert new_hash != first_hash
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 2


def test_inviting_chosen_authorities_only(setting, mailbox, drain_jobs, db):
    job = invite(setting, drain_jobs, authority_ids=[setting["contact_only"].id])
    assert job.total == 1 and job.result["sent"] == 1
    assert {m["To"] for m in mailbox} == {"mairie@example.org"}


def test_chosen_authorities_must_be_in_the_audience(setting, db):
    outsider = AuthorityFactory()
    with pytest.raises(InvitationError, match="not in the audience"):
        invitations.start_invitations(
            setting["consultation"], actor=setting["author"], authority_ids=[outsider.id]
        )
    with pytest.raises(InvitationError, match="at least one"):
        invitations.start_invitations(
            setting["consultation"], actor=setting["author"], authority_ids=[]
        )
    assert db.session.scalar(sa.select(sa.func.count(Job.id))) == 0


def test_a_draft_or_closed_consultation_sends_no_invitation(setting, db):
    consultation = setting["consultation"]
    consultation.status = ConsultationStatus.DRAFT
    db.session.commit()
    with pytest.raises(InvitationError, match="open or scheduled"):
        invitations.start_invitations(consultation, actor=setting["author"])
    consultation.status = ConsultationStatus.CLOSED
    db.session.commit()
    with pytest.raises(InvitationError):
        invitations.start_invitations(consultation, actor=setting["author"])
    with pytest.raises(InvitationError, match="only while the consultation is open"):
        invitations.start_reminders(consultation, actor=setting["author"])


def test_a_mail_failure_is_reported_and_leaves_the_authority_to_invite(
    setting, drain_jobs, db, monkeypatch
):
    def refuse(mail):
        raise ConnectionRefusedError("SMTP server unreachable")

    monkeypatch.setattr(invitations, "send", refuse)
    monkeypatch.setattr("consult.accounts.emails.send", refuse)
    job = invite(setting, drain_jobs, authority_ids=[setting["staffed"].id])
    assert job.status == JobStatus.DONE
    assert job.result["failed"] == [
        {"authority": "Staffed Town", "reason": "SMTP server unreachable"}
    ]
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_reminders_skip_authorities_that_submitted(setting, mailbox, drain_jobs, db):
    consultation = setting["consultation"]
    extra = AuthorityFactory(name="Busy City")
    consultation.association.members.append(extra)
    UserFactory(role=Role.RESPONDENT, organisation=extra, email="busy@example.org")
    db.session.commit()
    invite(setting, drain_jobs)
    db.session.add_all(
        [
            Response(
                consultation_id=consultation.id,
                authority_id=setting["staffed"].id,
                seq=1,
                status=ResponseStatus.SUBMITTED,
            ),
            Response(consultation_id=consultation.id, authority_id=extra.id, seq=2),
        ]
    )
    db.session.commit()
    mailbox.clear()
    job = invitations.start_reminders(consultation, actor=setting["author"])
    drain_jobs()
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.kind == f"reminders:{consultation.id}" and job.total == 2
    assert {m["To"] for m in mailbox} == {"busy@example.org", "mairie@example.org"}
    assert all(m["Subject"].startswith("Reminder:") for m in mailbox)
    reminded = dict(
        db.session.execute(sa.select(Invitation.authority_id, Invitation.reminders_sent)).all()
    )
    assert reminded == {setting["staffed"].id: 0, setting["contact_only"].id: 1, extra.id: 1}
    states = invitation_queries.response_states(consultation, list(reminded))
    assert states == {setting["staffed"].id: "submitted", extra.id: "draft"}


def test_following_the_link_records_that_it_was_opened(setting, mailbox, drain_jobs, client, db):
    invite(setting, drain_jobs, authority_ids=[setting["staffed"].id])
    link = consultation_link(mailbox[0])
    response = client.get(link)
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]
    db.session.expire_all()
    invitation = db.session.scalar(sa.select(Invitation))
    first_opened = invitation.opened_at
    assert first_opened is not None
    client.get(link)
    db.session.expire_all()
    assert db.session.scalar(sa.select(Invitation.opened_at)) == first_opened
    assert invitation_queries.invitation_summary(setting["consultation"])["opened"] == 1


def test_an_unknown_link_records_nothing_and_a_draft_is_not_found(setting, client, db):
    consultation = setting["consultation"]
    assert client.get(f"/consultation-invitations/{consultation.slug}/forged").status_code == 302
    assert client.get("/consultation-invitations/no-such-consultation/x").status_code == 404
    lifecycle_draft = ConsultationFactory()
    assert client.get(f"/consultation-invitations/{lifecycle_draft.slug}/x").status_code == 404
    assert lifecycle.effective_status(lifecycle_draft).value == "draft"


def test_the_invitation_table_filters_by_state(setting, mailbox, drain_jobs, db):
    consultation = setting["consultation"]
    invite(setting, drain_jobs)
    db.session.add(
        Response(
            consultation_id=consultation.id,
            authority_id=setting["contact_only"].id,
            seq=1,
            status=ResponseStatus.DRAFT,
        )
    )
    db.session.commit()

    def authorities(**filters):
        stmt = invitation_queries.invitations_select(consultation, **filters)
        return [i.authority_id for i in db.session.scalars(stmt)]

    staffed, village = setting["staffed"].id, setting["contact_only"].id
    assert authorities() == [village, staffed]  # by name
    assert authorities(state="draft") == [village]
    assert authorities(state="not_started") == [staffed]
    assert authorities(state="submitted") == []
    assert authorities(state="not_opened") == [village, staffed]
    assert authorities(q="staff") == [staffed]
    assert [a.name for a in invitation_queries.uninvitable(consultation)] == ["Silent Hamlet"]
