"""Invitation pages of a consultation, the progress of their background jobs, and the link
that invited authorities follow."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from consult import permissions
from consult.extensions import db
from consult.jobs import JobStatus
from consult.surveys import authoring_forms as forms
from consult.surveys import consultations, invitation_queries, invitations
from consult.surveys.authoring_views import (
    PREFIX,
    bp,
    consultation_url,
    get_consultation_for_edit,
)
from consult.surveys.consultation_errors import InvitationError
from consult.surveys.invitation_queries import TableState
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation

PER_PAGE = 25

# The invitation link in the e-mails (no sign-in needed to follow it).
links_bp = Blueprint("invitation_links", __name__)

# Where a respondent answers a consultation: the first of these endpoints that exists.
RESPONDENT_ENDPOINTS = ("respond.consultation", "responses.consultation", "surveys.respond")


def _state_labels() -> dict[str, str]:
    return {
        TableState.NOT_STARTED: _("Not started"),
        TableState.DRAFT: _("Draft"),
        TableState.SUBMITTED: _("Submitted"),
        TableState.OPENED: _("Link opened"),
        TableState.NOT_OPENED: _("Link not opened"),
    }


@bp.get(f"{PREFIX}/<slug>/invitations")
@login_required
def invitations_page(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    q = request.args.get("q", "").strip()[:100]
    state = request.args.get("state", "")
    state = state if state in TableState.ALL else ""
    page = db.paginate(
        invitation_queries.invitations_select(consultation, q=q, state=state),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "authoring/invitations.html",
        consultation=consultation,
        status=effective_status(consultation),
        page=page,
        q=q,
        state=state,
        state_labels=_state_labels(),
        response_states=invitation_queries.response_states(
            consultation, [i.authority_id for i in page.items]
        ),
        summary=invitation_queries.invitation_summary(consultation),
        uninvited=invitation_queries.uninvited(consultation),
        uninvitable=invitation_queries.uninvitable(consultation),
        uninvitable_count=invitation_queries.uninvitable_count(consultation),
        can_manage=permissions.can_manage_invitations(current_user, consultation),
        form=forms.InviteForm(),
    )


def _manageable(assoc_slug: str, slug: str) -> Consultation:
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    if not permissions.can_manage_invitations(current_user, consultation):
        abort(403)
    return consultation


def _selected(form: forms.InviteForm) -> list[int] | None:
    """The ticked authorities, or None when the button addresses everyone."""
    if request.form.get("scope") == "selected":
        return list(form.authority_ids.data or [])
    return None


@bp.post(f"{PREFIX}/<slug>/invitations/send")
@login_required
def invitations_send(assoc_slug: str, slug: str):
    consultation = _manageable(assoc_slug, slug)
    form = forms.InviteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job = invitations.start_invitations(
            consultation,
            actor=current_user,
            authority_ids=_selected(form),
            resend=bool(form.resend.data),
        )
    except InvitationError as error:
        flash(error.message, "error")
        return redirect(consultation_url("authoring.invitations_page", consultation))
    return redirect(consultation_url("authoring.job", consultation, job_id=job.id))


@bp.post(f"{PREFIX}/<slug>/invitations/remind")
@login_required
def invitations_remind(assoc_slug: str, slug: str):
    consultation = _manageable(assoc_slug, slug)
    form = forms.InviteForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        job = invitations.start_reminders(
            consultation, actor=current_user, authority_ids=_selected(form)
        )
    except InvitationError as error:
        flash(error.message, "error")
        return redirect(consultation_url("authoring.invitations_page", consultation))
    return redirect(consultation_url("authoring.job", consultation, job_id=job.id))


def _job(assoc_slug: str, slug: str, job_id: int):
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    job = invitation_queries.get_job(consultation, job_id)
    if job is None:
        abort(404)
    return consultation, job


@bp.get(f"{PREFIX}/<slug>/jobs/<int:job_id>")
@login_required
def job(assoc_slug: str, slug: str, job_id: int):
    consultation, job = _job(assoc_slug, slug, job_id)
    return render_template(
        "authoring/job.html",
        consultation=consultation,
        job=job,
        finished=job.status in (JobStatus.DONE, JobStatus.FAILED),
        is_reminder=job.kind.startswith(invitations.REMIND_JOB),
    )


@bp.get(f"{PREFIX}/<slug>/jobs/<int:job_id>/status")
@login_required
def job_status(assoc_slug: str, slug: str, job_id: int):
    """The job's progress as JSON, for the progress page's script."""
    _consultation, job = _job(assoc_slug, slug, job_id)
    return jsonify(
        status=job.status.value,
        done=job.done,
        total=job.total,
        percent=job.percent,
        finished=job.status in (JobStatus.DONE, JobStatus.FAILED),
    )


def respondent_url(consultation: Consultation) -> str:
    """Where a respondent answers `consultation` (the home page until that part exists)."""
    for endpoint in RESPONDENT_ENDPOINTS:
        try:
            return url_for(endpoint, slug=consultation.slug)
        except BuildError:
            continue
    return url_for("core.home")


@links_bp.get("/consultation-invitations/<slug>/<token>")
def follow(slug: str, token: str):
    """Record that the link was opened, then go to the consultation (signing in first)."""
    consultation = consultations.get_by_slug(slug)
    if consultation is None or effective_status(consultation) == Status.DRAFT:
        abort(404)
    invitations.follow(consultation, token)
    target = respondent_url(consultation)
    if current_user.is_authenticated:
        return redirect(target)
    flash(
        _(
            "Sign in to answer “%(title)s”.",
            title=consultation.text(consultation.title, request.accept_languages.best),
        ),
        "info",
    )
    return redirect(url_for("accounts.sign_in", next=target))
