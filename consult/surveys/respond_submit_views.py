"""Review, submission and what follows: the receipt, asking the signatory to sign off,
amending, withdrawing. Each post carries the response version it was based on."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import inbox as inbox_service
from consult.surveys import lifecycle, respond_mail, responding, validation
from consult.surveys import respond_support as support
from consult.surveys.models import Consent, ResponseStatus
from consult.surveys.respond_forms import CONSENT_CHOICES, AnswerForm, SubmitForm, display_value
from consult.surveys.respond_views import PREFIX, bp
from consult.surveys.responding import Draft


def _response(slug: str):
    consultation = support.get_consultation(slug)
    response = support.get_response(consultation)
    if response is None:
        abort(404)
    return consultation, response


def _posted_version() -> int:
    raw = request.form.get("version", "")
    if not raw.isdigit():
        abort(400)
    return int(raw)


def review_sections(consultation, response, language):
    """[(number, section form, [(field, answer text, shown)])] for every section."""
    draft = Draft.of(response)
    shown = validation.relevant_codes(consultation.questions, draft.answers)
    out = []
    for number, section in enumerate(support.sections(consultation), start=1):
        form = AnswerForm(consultation, section, language)
        items = []
        for field in form.fields:
            if field.question.type.value == "note":
                continue
            text = display_value(field, draft.answers.get(field.code))
            other = draft.other.get(field.code)
            if other and field.has_other:
                text = f"{text} ({other})"
            items.append((field, text, field.code in shown))
        out.append((number, form, items))
    return out


def _render_review(consultation, response, form, *, problems=None, status=200):
    language = support.language_for(consultation, response)
    if problems is None:
        draft = Draft.of(response)
        problems = validation.check(consultation.questions, draft.answers, draft.other)
    numbers = {s.id: n for n, s in enumerate(support.sections(consultation), start=1)}
    forms = [AnswerForm(consultation, s, language) for s in support.sections(consultation)]
    fields = [f for form in forms for f in form.fields]
    return render_template(
        "respond/review.html",
        consultation=consultation,
        response=response,
        sections=review_sections(consultation, response, language),
        problems=problems,
        section_numbers=numbers,
        anchors={f.code: f.anchor for f in fields},
        labels={f.code: f.label for f in fields},
        form=form,
        consent_choices=CONSENT_CHOICES,
        editable=support.is_editable(response),
        may_submit=permissions.can_submit_response(current_user, response),
    ), status


@bp.get(f"{PREFIX}/review")
@login_required
def review(slug: str):
    consultation, response = _response(slug)
    form = SubmitForm(
        version=response.version,
        consent=response.consent.value if response.consent else None,
        submitter_name=response.submitter_name or current_user.name,
        submitter_function=response.submitter_function or "",
    )
    return _render_review(consultation, response, form)


@bp.post(f"{PREFIX}/submit")
@login_required
def submit(slug: str):
    consultation, response = _response(slug)
    form = SubmitForm()
    if not form.validate():
        return _render_review(consultation, response, form, status=422)
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    if version is None:
        abort(400)
    try:
        responding.submit(
            response,
            version=version,
            actor=current_user,
            consent=Consent(form.consent.data),
            submitter_name=form.submitter_name.data,
            submitter_function=form.submitter_function.data,
        )
    except responding.InvalidResponse as invalid:
        return _render_review(consultation, response, form, problems=invalid.problems, status=422)
    except responding.StaleVersion as stale:
        flash(
            _(
                "A colleague changed the response while you were reviewing it. Check the "
                "answers below and submit again."
            ),
            "error",
        )
        form.version.data = str(stale.current.version)
        return _render_review(consultation, stale.current, form, status=409)
    except responding.ResponseError as error:
        flash(error.message, "error")
        return redirect(url_for(".overview", slug=slug))
    # The e-mail receipt with its PDF is queued by responding.submit (once per version).
    return redirect(url_for(".receipt", slug=slug))


@bp.get(f"{PREFIX}/receipt")
@login_required
def receipt(slug: str):
    consultation, response = _response(slug)
    if response.submission_count == 0:
        abort(404)
    language = support.language_for(consultation, response)
    versions = responding.versions(response)
    return render_template(
        "respond/receipt.html",
        consultation=consultation,
        response=response,
        latest=versions[-1] if versions else None,
        versions=versions,
        state=inbox_service.response_state(response),
        prepared_by=db.session.get(User, response.signoff_requested_by_id)
        if response.signoff_requested_by_id
        else None,
        sections=review_sections(consultation, response, language),
        consent_labels={value: label for value, label, _ in CONSENT_CHOICES},
        editable=lifecycle.is_accepting_responses(consultation),
    )


@bp.post(f"{PREFIX}/sign-off")
@login_required
def ask_signoff(slug: str):
    _consultation, response = _response(slug)
    if not permissions.can_edit_response(current_user, response):
        abort(404)
    try:
        signatories = responding.request_signoff(response, actor=current_user)
    except responding.ResponseError as error:
        flash(error.message, "error")
    else:
        respond_mail.send_signoff_request(response, signatories, asked_by=current_user)
        names = ", ".join(s.name for s in signatories)
        flash(_("We asked %(names)s to sign off and submit.", names=names), "success")
    return redirect(url_for(".review", slug=slug))


@bp.post(f"{PREFIX}/amend")
@login_required
def amend(slug: str):
    _consultation, response = _response(slug)
    try:
        responding.start_amendment(response, version=_posted_version(), actor=current_user)
    except responding.ResponseError as error:
        flash(error.message, "error")
        return redirect(url_for(".overview", slug=slug))
    flash(
        _(
            "You are amending the response. The submitted version counts until you submit "
            "the amendment."
        ),
        "info",
    )
    return redirect(url_for(".section", slug=slug, number=1))


@bp.post(f"{PREFIX}/amend/cancel")
@login_required
def cancel_amendment(slug: str):
    _consultation, response = _response(slug)
    try:
        responding.cancel_amendment(response, version=_posted_version(), actor=current_user)
    except responding.ResponseError as error:
        flash(error.message, "error")
    else:
        flash(_("The amendment is cancelled; the submitted answers stand."), "success")
    return redirect(url_for(".overview", slug=slug))


@bp.route(f"{PREFIX}/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str):
    consultation, response = _response(slug)
    if response.status != ResponseStatus.SUBMITTED:
        abort(404)
    if request.method == "POST":
        try:
            responding.withdraw(response, version=_posted_version(), actor=current_user)
        except responding.ResponseError as error:
            flash(error.message, "error")
        else:
            flash(_("The response is withdrawn. It no longer counts in the results."), "success")
        return redirect(url_for(".overview", slug=slug))
    return render_template(
        "respond/withdraw.html",
        consultation=consultation,
        response=response,
        editable=lifecycle.is_accepting_responses(consultation),
    )
