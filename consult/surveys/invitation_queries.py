"""Queries of the invitations page: who is invited, who cannot be, and how far each got."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from consult import jobs
from consult.accounts.models import Organisation, Role, User
from consult.extensions import db
from consult.surveys import audience
from consult.surveys.invitations import INVITE_JOB, REMIND_JOB, job_kind
from consult.surveys.models import Consultation, Invitation, Response, ResponseStatus


def _has_respondent():
    return (
        sa.select(User.id)
        .where(
            User.organisation_id == Organisation.id,
            User.role == Role.RESPONDENT,
            User.active.is_(True),
        )
        .exists()
    )


def _reachable():
    """An authority can be invited: it has an active respondent, or a contact address."""
    return sa.or_(_has_respondent(), sa.func.coalesce(Organisation.contact_email, "") != "")


def _not_invited(consultation: Consultation):
    return ~sa.exists().where(
        Invitation.consultation_id == consultation.id,
        Invitation.authority_id == Organisation.id,
    )


def uninvitable_select(consultation: Consultation) -> sa.Select:
    """Authorities of the audience with neither an active respondent nor a contact address."""
    return (
        sa.select(Organisation)
        .where(Organisation.id.in_(audience.audience_select(consultation)), ~_reachable())
        .order_by(Organisation.country, Organisation.name)
    )


def not_yet_invited_count(consultation: Consultation) -> int:
    """Authorities of the audience that can be invited and have not been yet."""
    stmt = sa.select(sa.func.count()).where(
        Organisation.id.in_(audience.audience_select(consultation)),
        _reachable(),
        _not_invited(consultation),
    )
    return db.session.scalar(stmt.select_from(Organisation)) or 0


class TableState:
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    OPENED = "opened"
    NOT_OPENED = "not_opened"
    ALL = (NOT_STARTED, DRAFT, SUBMITTED, OPENED, NOT_OPENED)


def invitations_select(consultation: Consultation, *, q: str = "", state: str = "") -> sa.Select:
    """The consultation's invitations by authority name, filtered by a name search and by
    response state (not started, draft, submitted) or whether the link was opened."""
    response = aliased(Response)
    stmt = (
        sa.select(Invitation)
        .join(Organisation, Organisation.id == Invitation.authority_id)
        .outerjoin(
            response,
            sa.and_(
                response.consultation_id == Invitation.consultation_id,
                response.authority_id == Invitation.authority_id,
            ),
        )
        .where(Invitation.consultation_id == consultation.id)
        .order_by(Organisation.name, Invitation.id)
    )
    q = q.strip().lower()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(sa.func.lower(Organisation.name).like(f"%{escaped}%", escape="\\"))
    if state == TableState.NOT_STARTED:
        stmt = stmt.where(response.id.is_(None))
    elif state == TableState.DRAFT:
        stmt = stmt.where(response.status == ResponseStatus.DRAFT)
    elif state == TableState.SUBMITTED:
        stmt = stmt.where(response.status == ResponseStatus.SUBMITTED)
    elif state == TableState.OPENED:
        stmt = stmt.where(Invitation.opened_at.is_not(None))
    elif state == TableState.NOT_OPENED:
        stmt = stmt.where(Invitation.opened_at.is_(None))
    return stmt


def response_states(consultation: Consultation, authority_ids: list[int]) -> dict[int, str]:
    """The response status of each of these authorities (absent: not started), one query."""
    if not authority_ids:
        return {}
    rows = db.session.execute(
        sa.select(Response.authority_id, Response.status).where(
            Response.consultation_id == consultation.id,
            Response.authority_id.in_(authority_ids),
        )
    )
    return {authority_id: status.value for authority_id, status in rows}


def invitation_summary(consultation: Consultation) -> dict[str, int]:
    """Counts for the invitations page: invited, opened, reminded, not yet invited."""
    row = db.session.execute(
        sa.select(
            sa.func.count(Invitation.id),
            sa.func.count(Invitation.opened_at),
            sa.func.coalesce(sa.func.sum(Invitation.reminders_sent), 0),
        ).where(Invitation.consultation_id == consultation.id)
    ).one()
    return {
        "invited": row[0],
        "opened": row[1],
        "reminders": int(row[2]),
        "not_invited": not_yet_invited_count(consultation),
    }


def get_job(consultation: Consultation, job_id: int) -> jobs.Job | None:
    """The invitation or reminder job `job_id` of this consultation, else None."""
    job = db.session.get(jobs.Job, job_id)
    kinds = {job_kind(INVITE_JOB, consultation), job_kind(REMIND_JOB, consultation)}
    return job if job is not None and job.kind in kinds else None


def uninvited(consultation: Consultation, *, limit: int = 50) -> list[Organisation]:
    """Authorities of the audience that can be invited and have not been yet (at most
    `limit`), by country and name."""
    stmt = (
        sa.select(Organisation)
        .where(
            Organisation.id.in_(audience.audience_select(consultation)),
            _reachable(),
            _not_invited(consultation),
        )
        .order_by(Organisation.country, Organisation.name, Organisation.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def uninvitable(consultation: Consultation, *, limit: int = 50) -> list[Organisation]:
    """At most `limit` authorities of the audience that cannot be invited."""
    return list(db.session.scalars(uninvitable_select(consultation).limit(limit)))


def uninvitable_count(consultation: Consultation) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(uninvitable_select(consultation).subquery())
    )
