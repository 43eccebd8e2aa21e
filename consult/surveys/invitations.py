"""Invitations and reminders: e-mails to the authorities of a consultation's audience.

An invitation is one row per (consultation, authority). Every active respondent of the authority
gets the e-mail, with the authority's link to the consultation; only the SHA-256 of the link's
token is stored, and following it records `opened_at`. An authority without any user yet gets an
account created for its contact address (the account invitation of `accounts.services`) before
the consultation's e-mail; one with neither is reported as "cannot be invited".

Sending runs as a background job (`consult.jobs`) with progress, never in the request. Inviting
is idempotent: an authority already invited is skipped unless the author explicitly re-sends.
Reminders go to invited authorities that have not submitted. The queries of the invitations
page are in `invitation_queries`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from babel.dates import format_datetime
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult import audit, jobs
from consult.accounts import services as account_services
from consult.accounts.models import Organisation, Role, User
from consult.db import utcnow
from consult.extensions import db
from consult.i18n import INTERFACE_LANGUAGES
from consult.localtime import zone
from consult.mail import Mail, external_url, send
from consult.surveys import audience
from consult.surveys.consultation_errors import InvitationError
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation, Invitation, Response, ResponseStatus

log = logging.getLogger(__name__)

INVITE_JOB = "invitations"
REMIND_JOB = "reminders"


def job_kind(kind: str, consultation: Consultation) -> str:
    """The `Job.kind` of a consultation's invitation or reminder job (ties the job to it)."""
    return f"{kind}:{consultation.id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    invitation.token_hash = token_hash(token)
    return token


def _respondents(authority_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(
                User.organisation_id == authority_id,
                User.role == Role.RESPONDENT,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


# Starting the jobs (from views, API or CLI).


def _check_ids_in_audience(consultation: Consultation, authority_ids: list[int] | None) -> None:
    if authority_ids is None:
        return
    if not authority_ids:
        raise InvitationError(_l("Choose at least one authority."))
    inside = set(
        db.session.scalars(
            audience.audience_select(consultation).where(Organisation.id.in_(authority_ids))
        )
    )
    if inside != set(authority_ids):
        raise InvitationError(_l("Some of the chosen authorities are not in the audience."))


def start_invitations(
    consultation: Consultation,
    *,
    actor: User,
    authority_ids: list[int] | None = None,
    resend: bool = False,
) -> jobs.Job:
    """Invite the audience (or the chosen authorities of it) in a background job.

    Authorities already invited are skipped unless `resend`. Only an open or scheduled
    consultation can be announced."""
    if effective_status(consultation) not in (Status.OPEN, Status.SCHEDULED):
        raise InvitationError(
            _l("Invitations can be sent once the consultation is open or scheduled to open.")
        )
    ids = sorted({int(a) for a in authority_ids}) if authority_ids is not None else None
    _check_ids_in_audience(consultation, ids)
    audit.record(
        "consultation.invitations_started",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        selected=len(ids) if ids is not None else None,
        resend=resend or None,
    )
    db.session.commit()
    return jobs.enqueue(
        job_kind(INVITE_JOB, consultation),
        send_invitations,
        consultation.id,
        actor.id,
        ids,
        resend,
        created_by_id=actor.id,
    )


def start_reminders(
    consultation: Consultation, *, actor: User, authority_ids: list[int] | None = None
) -> jobs.Job:
    """Remind invited authorities that have not submitted, in a background job."""
    if effective_status(consultation) != Status.OPEN:
        raise InvitationError(_l("Reminders can be sent only while the consultation is open."))
    ids = sorted({int(a) for a in authority_ids}) if authority_ids is not None else None
    _check_ids_in_audience(consultation, ids)
    audit.record(
        "consultation.reminders_started",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        selected=len(ids) if ids is not None else None,
    )
    db.session.commit()
    return jobs.enqueue(
        job_kind(REMIND_JOB, consultation),
        send_reminders,
        consultation.id,
        actor.id,
        ids,
        created_by_id=actor.id,
    )


# The jobs.


@dataclass
class Outcome:
    sent: int = 0
    emails: int = 0
    skipped: int = 0
    accounts_created: int = 0
    cannot: list | None = None
    failed: list | None = None

    def result(self) -> dict:
        return {
            "sent": self.sent,
            "emails": self.emails,
            "skipped": self.skipped,
            "accounts_created": self.accounts_created,
            "cannot": self.cannot or [],
            "failed": self.failed or [],
        }

    def cannot_invite(self, authority: Organisation, reason: str) -> None:
        self.cannot = [*(self.cannot or []), {"authority": authority.name, "reason": reason}]

    def fail(self, authority: Organisation, reason: str) -> None:
        self.failed = [*(self.failed or []), {"authority": authority.name, "reason": reason}]


def _targets(consultation: Consultation, authority_ids: list[int] | None) -> list[Organisation]:
    stmt = sa.select(Organisation).where(
        Organisation.id.in_(audience.audience_select(consultation))
    )
    if authority_ids is not None:
        stmt = stmt.where(Organisation.id.in_(authority_ids))
    return list(db.session.scalars(stmt.order_by(Organisation.id)))


def send_invitations(
    progress: jobs.Progress,
    consultation_id: int,
    actor_id: int | None,
    authority_ids: list[int] | None,
    resend: bool,
) -> dict:
    """The invitation job: one authority at a time, each committed on its own."""
    consultation = db.session.get(Consultation, consultation_id)
    actor = db.session.get(User, actor_id) if actor_id else None
    targets = _targets(consultation, authority_ids)
    invited = set(
        db.session.scalars(
            sa.select(Invitation.authority_id).where(Invitation.consultation_id == consultation_id)
        )
    )
    outcome = Outcome()
    progress.start(len(targets))
    for authority in targets:
        if authority.id in invited and not resend:
            outcome.skipped += 1
        else:
            _invite_one(consultation, authority, actor, outcome)
        progress.advance()
    db.session.commit()
    return outcome.result()


def _create_account(authority: Organisation, outcome: Outcome) -> User | None:
    if not authority.contact_email:
        outcome.cannot_invite(authority, _("no user and no contact e-mail address"))
        return None
    try:
        user = account_services.invite_user(
            actor=None,
            organisation=authority,
            email=authority.contact_email,
            name=authority.name,
            role=Role.RESPONDENT,
        )
    except account_services.AccountError as error:
        db.session.rollback()
        outcome.cannot_invite(authority, error.message)
        return None
    outcome.accounts_created += 1
    return user


def _invite_one(
    consultation: Consultation, authority: Organisation, actor: User | None, outcome: Outcome
) -> None:
    users = _respondents(authority.id)
    if not users:
        user = _create_account(authority, outcome)
        if user is None:
            return
        users = [user]
    invitation = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.consultation_id == consultation.id,
            Invitation.authority_id == authority.id,
        )
    )
    is_new = invitation is None
    if is_new:
        invitation = Invitation(consultation_id=consultation.id, authority_id=authority.id)
        db.session.add(invitation)
    token = _new_token(invitation)
    invitation.invited_at = utcnow()
    invitation.invited_by_id = actor.id if actor else None
    audit.record(
        "consultation.invitation_sent" if is_new else "consultation.invitation_resent",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        authority_id=authority.id,
        recipients=len(users),
    )
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Another job invited this authority a moment ago: do not send twice.
        db.session.rollback()
        outcome.skipped += 1
        return
    try:
        for user in users:
            _send(consultation, user, token, reminder=False)
            outcome.emails += 1
    except Exception as error:  # any mail failure is reported; the job goes on
        log.exception("invitation to %s failed", authority.slug)
        outcome.fail(authority, str(error)[:200])
        if is_new:
            db.session.delete(invitation)  # not invited: a later attempt will send
            db.session.commit()
        return
    outcome.sent += 1


def _not_submitted(consultation_id: int):
    return ~sa.exists().where(
        Response.consultation_id == consultation_id,
        Response.authority_id == Invitation.authority_id,
        Response.status == ResponseStatus.SUBMITTED,
    )


def send_reminders(
    progress: jobs.Progress,
    consultation_id: int,
    actor_id: int | None,
    authority_ids: list[int] | None,
) -> dict:
    """The reminder job: invited authorities of the audience that have not submitted."""
    consultation = db.session.get(Consultation, consultation_id)
    actor = db.session.get(User, actor_id) if actor_id else None
    stmt = sa.select(Invitation).where(
        Invitation.consultation_id == consultation_id,
        Invitation.authority_id.in_(audience.audience_select(consultation)),
        _not_submitted(consultation_id),
    )
    if authority_ids is not None:
        stmt = stmt.where(Invitation.authority_id.in_(authority_ids))
    invitations = list(db.session.scalars(stmt.order_by(Invitation.id)))
    outcome = Outcome()
    progress.start(len(invitations))
    for invitation in invitations:
        users = _respondents(invitation.authority_id)
        if not users:
            outcome.cannot_invite(invitation.authority, _("no active user any more"))
        else:
            token = _new_token(invitation)
            invitation.reminders_sent += 1
            invitation.last_reminded_at = utcnow()
            audit.record(
                "consultation.reminder_sent",
                actor=actor,
                obj=consultation,
                organisation_id=consultation.association_id,
                authority_id=invitation.authority_id,
                recipients=len(users),
            )
            db.session.commit()
            try:
                for user in users:
                    _send(consultation, user, token, reminder=True)
                    outcome.emails += 1
            except Exception as error:
                log.exception("reminder to %s failed", invitation.authority.slug)
                outcome.fail(invitation.authority, str(error)[:200])
            else:
                outcome.sent += 1
        progress.advance()
    db.session.commit()
    return outcome.result()


def _send(consultation: Consultation, user: User, token: str, *, reminder: bool) -> None:
    locale = user.locale if user.locale in INTERFACE_LANGUAGES else None
    if locale is None:
        locale = (
            consultation.default_language
            if consultation.default_language in INTERFACE_LANGUAGES
            else "en"
        )
    text_language = user.locale if user.locale in consultation.languages else None
    title = consultation.text(consultation.title, text_language)
    closes_at = (
        format_datetime(
            consultation.closes_at, "long", tzinfo=zone(consultation.timezone), locale=locale
        )
        if consultation.closes_at
        else ""
    )
    with force_locale(locale):
        link = external_url("invitation_links.follow", slug=consultation.slug, token=token)
        if reminder:
            subject = _("Reminder: %(title)s", title=title)
        else:
            subject = _("Consultation: %(title)s", title=title)
        text = render_template(
            "mail/consultation_invitation.txt",
            user=user,
            consultation=consultation,
            title=title,
            link=link,
            closes_at=closes_at,
            timezone=consultation.timezone,
            reminder=reminder,
        )
    send(Mail(to=user.email, subject=subject, text=text))


# Following the link, and the table of invitations.


def follow(consultation: Consultation, token: str) -> Invitation | None:
    """Record that the invitation link was followed (first time only); None for a link that
    is unknown or was replaced by a later e-mail."""
    invitation = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.consultation_id == consultation.id,
            Invitation.token_hash == token_hash(token),
        )
    )
    if invitation is not None and invitation.opened_at is None:
        invitation.opened_at = utcnow()
        db.session.commit()
    return invitation
