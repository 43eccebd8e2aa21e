"""Status changes and copies of a consultation: open, close, reopen, archive, clone.

Each page shows what will happen (GET) and does it only when confirmed (POST).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.surveys import authoring_forms as forms
from consult.surveys import cloning, lifecycle
from consult.surveys.authoring_views import (
    PREFIX,
    apply_errors,
    author_timezone,
    bp,
    get_consultation_for_edit,
    overview_url,
)
from consult.surveys.consultation_errors import (
    CannotOpen,
    ConsultationError,
    InvalidConsultation,
)
from consult.surveys.lifecycle import Status, effective_status
from consult.surveys.models import Consultation


def _status_page(consultation: Consultation, action: str, **context):
    return render_template(
        "authoring/confirm_status.html",
        consultation=consultation,
        action=action,
        status=effective_status(consultation),
        form=context.pop("form", None) or forms.ConfirmForm(),
        tz=author_timezone(),
        **context,
    )


def _status_action(slug: str, assoc_slug: str) -> Consultation:
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    if not permissions.can_change_consultation_status(current_user, consultation):
        abort(403)
    return consultation


@bp.route(f"{PREFIX}/<slug>/open", methods=["GET", "POST"], endpoint="open")
@login_required
def open_(assoc_slug: str, slug: str):
    consultation = _status_action(slug, assoc_slug)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle.open_consultation(consultation, actor=current_user)
        except CannotOpen as error:
            flash(error.message, "error")
            return _status_page(consultation, "open", problems=error.problems), 422
        except ConsultationError as error:
            flash(error.message, "error")
            return redirect(overview_url(consultation))
        if effective_status(consultation) == Status.SCHEDULED:
            flash(_("The consultation is scheduled: it opens on its opening date."), "success")
        else:
            flash(_("The consultation is open."), "success")
        return redirect(overview_url(consultation))
    problems = lifecycle.opening_problems(consultation)
    return _status_page(consultation, "open", problems=problems)


@bp.route(f"{PREFIX}/<slug>/close", methods=["GET", "POST"])
@login_required
def close(assoc_slug: str, slug: str):
    consultation = _status_action(slug, assoc_slug)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle.close_consultation(consultation, actor=current_user)
        except ConsultationError as error:
            flash(error.message, "error")
        else:
            flash(_("The consultation is closed."), "success")
        return redirect(overview_url(consultation))
    return _status_page(consultation, "close")


@bp.route(f"{PREFIX}/<slug>/reopen", methods=["GET", "POST"])
@login_required
def reopen(assoc_slug: str, slug: str):
    consultation = _status_action(slug, assoc_slug)
    tz = author_timezone()
    form = forms.ReopenForm()
    if form.validate_on_submit():
        ok, closes_at = form.local_to_utc("closes_at", tz)
        if ok:
            try:
                lifecycle.reopen_consultation(consultation, actor=current_user, closes_at=closes_at)
            except InvalidConsultation as error:
                apply_errors(form, error.errors, "closes_at")
            except ConsultationError as error:
                flash(error.message, "error")
                return redirect(overview_url(consultation))
            else:
                flash(_("The consultation is open again."), "success")
                return redirect(overview_url(consultation))
    return _status_page(consultation, "reopen", form=form)


@bp.route(f"{PREFIX}/<slug>/archive", methods=["GET", "POST"])
@login_required
def archive(assoc_slug: str, slug: str):
    consultation = _status_action(slug, assoc_slug)
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        try:
            lifecycle.archive_consultation(consultation, actor=current_user)
        except ConsultationError as error:
            flash(error.message, "error")
        else:
            flash(_("The consultation is archived."), "success")
        return redirect(overview_url(consultation))
    return _status_page(consultation, "archive")


@bp.route(f"{PREFIX}/<slug>/clone", methods=["GET", "POST"])
@login_required
def clone(assoc_slug: str, slug: str):
    consultation = get_consultation_for_edit(slug, assoc_slug, check_edit=False)
    if not permissions.can_clone_consultation(current_user, consultation):
        abort(403)
    form = forms.CloneForm()
    if request.method == "GET":
        form.slug.data = cloning.suggest_slug(consultation.slug)
    if form.validate_on_submit():
        try:
            copy = cloning.clone_consultation(consultation, actor=current_user, slug=form.slug.data)
        except InvalidConsultation as error:
            apply_errors(form, error.errors, "slug")
        else:
            flash(_("This is the copy, a new draft. Set its dates before opening it."), "success")
            return redirect(overview_url(copy))
    return render_template("authoring/clone.html", consultation=consultation, form=form)
