"""Responding: "My consultations", the consultation's page, and the answer pages (one section
per page), usable without JavaScript; respond.js adds autosave and live conditions through
the `autosave` endpoint and the `data-*` attributes of the answer form.

Review, submission, receipt, amendment and withdrawal are in `respond_submit_views`; the
stale-save conflict page in `respond_conflict_views`. All of them find the response through
the signed-in respondent's authority, never through an id in the request.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.surveys import inbox as inbox_service
from consult.surveys import lifecycle, responding, unsaved, validation
from consult.surveys import respond_support as support
from consult.surveys.consultations import get_by_slug
from consult.surveys.models import EU_LANGUAGES, Consultation, Response
from consult.surveys.respond_forms import AnswerForm
from consult.surveys.responding import Draft

bp = Blueprint("respond", __name__)
PREFIX = "/respond/<slug>"
ACTIONS = ("next", "previous", "save", "review")
# Input kept for a signed-out post is capped (a long text answer is at most 100 000 characters).
MAX_KEPT_BYTES = 1_000_000


@bp.context_processor
def _respond_context() -> dict:
    return {"language_names": EU_LANGUAGES}


@bp.app_template_filter("timedelta")
def _timedelta(value) -> str:
    """A duration in words in the interface language ("3 days", "5 hours")."""
    return format_timedelta(value, granularity="minute", threshold=1.5) if value else ""


@bp.get("/my-consultations")
@login_required
def inbox():
    if current_user.role.value != "respondent":
        abort(404)
    current, closed = inbox_service.inbox(current_user.organisation)
    return render_template("respond/inbox.html", current=current, closed=closed)


@bp.get(PREFIX)
@login_required
def overview(slug: str):
    consultation = support.get_consultation(slug)
    response = support.get_response(consultation)
    return render_template(
        "respond/overview.html",
        consultation=consultation,
        response=response,
        state=inbox_service.response_state(response),
        editable=support.is_editable(response),
        accepting=lifecycle.is_accepting_responses(consultation),
        status=lifecycle.effective_status(consultation).value,
        language=support.language_for(consultation, response),
        versions=responding.versions(response) if response else [],
    )


@bp.post(f"{PREFIX}/start")
@login_required
def start(slug: str):
    consultation = support.get_consultation(slug)
    language = support.language_for(consultation, None)
    try:
        responding.start_response(
            consultation, current_user.organisation, actor=current_user, language=language
        )
    except responding.ResponseError as error:
        flash(error.message, "error")
        return redirect(url_for(".overview", slug=slug))
    return redirect(url_for(".section", slug=slug, number=1))


# --- answer pages


def _page_response(consultation: Consultation) -> Response:
    response = support.get_response(consultation)
    if response is None:
        abort(404)
    return response


def _render_section(consultation, response, page, *, editable, status=200, **extra):
    return (
        render_template(
            "respond/section.html",
            consultation=consultation,
            response=response,
            page=page,
            editable=editable,
            **extra,
        ),
        status,
    )


@bp.get(f"{PREFIX}/sections/<int:number>")
@login_required
def section(slug: str, number: int):
    consultation = support.get_consultation(slug)
    response = support.get_response(consultation)
    if response is None:
        return redirect(url_for(".overview", slug=slug))
    draft = Draft.of(response)
    answers, other = draft.answers, draft.other
    restored = _restore(consultation, number)
    if isinstance(restored, str):
        return redirect(restored)
    if restored is not None:
        # The kept input replaces this section's answers (an answer cleared stays cleared).
        here = {q.code for q in support.get_section(consultation, number).questions}
        answers = {k: v for k, v in answers.items() if k not in here} | restored[0]
        other = {k: v for k, v in other.items() if k not in here} | restored[1]
    language = support.language_for(consultation, response)
    page = support.section_page(
        consultation,
        number,
        language,
        answers,
        other,
        check=request.args.get("check") == "1" or restored is not None,
        only_values=request.args.get("check") != "1",
    )
    return _render_section(
        consultation,
        response,
        page,
        editable=support.is_editable(response),
        restored=restored is not None,
    )


def _restore(consultation: Consultation, number: int):
    """Answers posted when the session had expired, shown on their page until it is saved
    (or a conflict page's URL, when a colleague saved meanwhile)."""
    pending = session.get("restore_draft")
    if not pending or pending.get("slug") != consultation.slug:
        return None
    if pending.get("number") != number:
        return None
    row = unsaved.find(consultation, pending.get("token", ""), user=current_user)
    if row is None:
        session.pop("restore_draft", None)
        return None
    if row.base_version is not None and row.base_version != current_response_version(consultation):
        # A colleague saved meanwhile: choose between both, as after any stale save.
        session.pop("restore_draft", None)
        unsaved.claim(row, current_user)
        return url_for("respond.conflict", slug=consultation.slug, token=pending["token"])
    return row.data.get("answers", {}), row.data.get("other", {})


def _restored_saved(consultation: Consultation, number: int) -> None:
    """The page with restored input was saved: the kept copy is no longer needed."""
    pending = session.get("restore_draft")
    if not pending or pending.get("slug") != consultation.slug or pending.get("number") != number:
        return
    session.pop("restore_draft", None)
    row = unsaved.find(consultation, pending.get("token", ""), user=current_user)
    if row is not None:
        unsaved.forget(row)


def current_response_version(consultation: Consultation) -> int | None:
    response = support.get_response(consultation)
    return response.version if response else None


def _keep_after_expiry(slug: str, number: int) -> str:
    """The session expired before this post: keep the input (in a row found again through
    this browser's session) and return where to go after signing in again. The answer is the
    same whether or not the consultation exists, so nothing is revealed to strangers."""
    next_url = url_for(".section", slug=slug, number=number)
    consultation = get_by_slug(slug)
    if consultation is None or not 1 <= number <= len(consultation.sections):
        return next_url
    form = AnswerForm(consultation, consultation.sections[number - 1], "en")
    answers, other = form.read(request.form)
    data = {"answers": answers, "other": other}
    if len(json.dumps(data)) > MAX_KEPT_BYTES:
        return next_url
    token = unsaved.keep(
        consultation, user=None, section_position=number, base_version=_version(), data=data
    )
    session["restore_draft"] = {"slug": slug, "number": number, "token": token}
    return next_url


def _version() -> int | None:
    raw = request.form.get("version", "")
    return int(raw) if raw.isdigit() else None


class Save:
    """The outcome of saving one section's posted answers."""

    def __init__(self, consultation: Consultation, response: Response, number: int):
        self.consultation = consultation
        self.number = number
        self.language = support.language_for(consultation, response)
        self.form = AnswerForm(
            consultation, support.get_section(consultation, number), self.language
        )
        self.answers, self.other = self.form.read(request.form)
        self.before = response
        self.response = response
        self.error: str | None = None
        self.conflict_url: str | None = None

    def run(self) -> Save:
        version = _version()
        if version is None:
            abort(400)
        try:
            self.response = responding.save_draft(
                self.before,
                version=version,
                answers=self.answers,
                other=self.other,
                actor=current_user,
                codes=self.form.codes,
                language=self.language,
            )
        except responding.StaleVersion:
            token = unsaved.keep(
                self.consultation,
                user=current_user,
                section_position=self.number,
                base_version=version,
                data={"answers": self.answers, "other": self.other, "codes": self.form.codes},
            )
            self.conflict_url = url_for(
                "respond.conflict", slug=self.consultation.slug, token=token
            )
        except responding.ResponseError as error:
            self.error = error.message
        else:
            _restored_saved(self.consultation, self.number)
        return self

    def page(self, *, check: bool):
        draft = Draft.of(self.response)
        answers = {**draft.answers, **self.answers} if self.error else draft.answers
        other = {**draft.other, **self.other} if self.error else draft.other
        return support.section_page(
            self.consultation, self.number, self.language, answers, other, check=check
        )


@bp.post(f"{PREFIX}/sections/<int:number>")
def save_section(slug: str, number: int):
    if not current_user.is_authenticated:
        next_url = _keep_after_expiry(slug, number)
        flash(_("Your session had expired. Sign in again: what you entered is kept."), "error")
        return redirect(url_for("accounts.sign_in", next=next_url))
    consultation = support.get_consultation(slug)
    response = _page_response(consultation)
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        action = "save"
    # Decided before saving: saving refreshes `response` (the same object) to the new draft.
    before = validation.relevant_codes(consultation.questions, Draft.of(response).answers)
    saved = Save(consultation, response, number).run()
    if saved.conflict_url:
        return redirect(saved.conflict_url)
    if saved.error:
        page = saved.page(check=False)
        return _render_section(
            consultation, saved.response, page, editable=False, status=409, error=saved.error
        )
    page = saved.page(check=True)
    section_codes = set(page.form.codes)
    # Newly shown questions the respondent has not answered yet (one answered was on screen
    # already: respond.js shows questions as soon as they apply).
    appeared = {
        code
        for code in (page.shown - before) & section_codes
        if validation.is_empty(saved.answers.get(code))
    }
    if action == "previous":
        target = support.neighbour(consultation, Draft.of(saved.response).answers, number, -1)
        if target is None:
            return redirect(url_for(".overview", slug=slug))
        return redirect(url_for(".section", slug=slug, number=target))
    if action == "save" or page.problems or (appeared and action == "next"):
        if appeared and action == "next" and not page.problems:
            flash(_("Your answers brought up more questions on this page."), "info")
        elif action == "save":
            flash(_("Saved."), "success")
        status = 422 if page.problems and action != "save" else 200
        return _render_section(consultation, saved.response, page, editable=True, status=status)
    draft = Draft.of(saved.response)
    if action == "review":
        return redirect(url_for("respond.review", slug=slug))
    target = support.neighbour(consultation, draft.answers, number, 1)
    if target is None:
        return redirect(url_for("respond.review", slug=slug))
    return redirect(url_for(".section", slug=slug, number=target))


@bp.post(f"{PREFIX}/sections/<int:number>/autosave")
def autosave(slug: str, number: int):
    """The same fields as the answer page, saved in the background (JSON answers)."""
    if request.headers.get("X-Requested-With") != "fetch":
        abort(400)
    if not current_user.is_authenticated:
        next_url = _keep_after_expiry(slug, number)
        sign_in = url_for("accounts.sign_in", next=next_url)
        message = _("Your session has expired. Sign in again: what you entered is kept.")
        return jsonify(error=message, sign_in_url=sign_in), 401
    consultation = support.get_consultation(slug)
    response = _page_response(consultation)
    saved = Save(consultation, response, number).run()
    if saved.conflict_url:
        return jsonify(
            conflict_url=saved.conflict_url,
            error=_("Someone else from your authority saved this response in the meantime."),
        ), 409
    if saved.error:
        return jsonify(error=saved.error), 409
    draft = Draft.of(saved.response)
    shown = validation.relevant_codes(consultation.questions, draft.answers)
    return jsonify(
        version=saved.response.version,
        saved_at=saved.response.updated_at.isoformat(),
        saved_at_text=_("Saved at %(time)s", time=support.saved_at_text(saved.response)),
        relevant=sorted(shown & set(saved.form.codes)),
    )
