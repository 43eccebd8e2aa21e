"""Preview: the questionnaire exactly as a respondent sees it (the answer pages' form, question
macros, conditions and respond.js), in any offered language. Preview answers live in this
browser's session only: they are never stored as a response, and "Start again" forgets them."""

from __future__ import annotations

import json

from flask import redirect, render_template, request, session, url_for
from flask_login import login_required

from consult.surveys import respond_support as respond
from consult.surveys import validation
from consult.surveys.builder_views import (
    PREFIX,
    bp,
    consultation_links,
    get_consultation_for_builder,
)
from consult.surveys.models import EU_LANGUAGES, Consultation
from consult.surveys.respond_forms import AnswerForm

SESSION_KEY = "preview"
# A preview keeps at most this much input in the session (long texts included).
MAX_KEPT_BYTES = 500_000


def _answers(consultation: Consultation) -> tuple[dict, dict]:
    kept = session.get(SESSION_KEY) or {}
    if kept.get("consultation") != consultation.id:
        return {}, {}
    return kept.get("answers", {}), kept.get("other", {})


def _keep(consultation: Consultation, answers: dict, other: dict) -> None:
    data = {"consultation": consultation.id, "answers": answers, "other": other}
    if len(json.dumps(data)) <= MAX_KEPT_BYTES:
        session[SESSION_KEY] = data


def _render(consultation: Consultation, page, *, status: int = 200):
    return (
        render_template(
            "builder/preview.html",
            consultation=consultation,
            page=page,
            language=page.form.language,
            language_names=EU_LANGUAGES,
            links=consultation_links(consultation),
        ),
        status,
    )


@bp.get(f"{PREFIX}/preview")
@login_required
def preview(slug: str):
    consultation = get_consultation_for_builder(slug)
    if not respond.sections(consultation):
        return render_template(
            "builder/preview.html",
            consultation=consultation,
            page=None,
            links=consultation_links(consultation),
        )
    return redirect(url_for(".preview_section", slug=slug, number=1, **_lang()))


def _lang() -> dict:
    lang = request.args.get("lang") or request.form.get("language")
    return {"lang": lang} if lang else {}


@bp.get(f"{PREFIX}/preview/sections/<int:number>")
@login_required
def preview_section(slug: str, number: int):
    consultation = get_consultation_for_builder(slug)
    answers, other = _answers(consultation)
    language = respond.language_for(consultation, None)
    page = respond.section_page(consultation, number, language, answers, other)
    return _render(consultation, page)


@bp.post(f"{PREFIX}/preview/sections/<int:number>")
@login_required
def preview_answer(slug: str, number: int):
    consultation = get_consultation_for_builder(slug)
    if request.form.get("action") == "restart":
        session.pop(SESSION_KEY, None)
        return redirect(url_for(".preview_section", slug=slug, number=1, **_lang()))
    language = respond.language_for(consultation, None)
    form = AnswerForm(consultation, respond.get_section(consultation, number), language)
    posted, posted_other = form.read(request.form)
    answers, other = _answers(consultation)
    answers = {k: v for k, v in answers.items() if k not in form.codes} | posted
    other = {k: v for k, v in other.items() if k not in form.codes} | posted_other
    _keep(consultation, answers, other)
    page = respond.section_page(consultation, number, language, answers, other, check=True)
    action = request.form.get("action", "next")
    if page.problems and action != "previous":
        return _render(consultation, page, status=422)
    step = -1 if action == "previous" else 1
    target = respond.neighbour(consultation, answers, number, step)
    if target is None and step > 0:
        return _finished(consultation, language, answers, other)
    target = target or number
    return redirect(url_for(".preview_section", slug=slug, number=target, lang=language))


def _finished(consultation: Consultation, language: str, answers: dict, other: dict):
    """The end: what a respondent's review page would ask them to fix before submitting."""
    numbers = {section.id: n for n, section in enumerate(respond.sections(consultation), 1)}
    labels = {
        q.code: consultation.text(q.label, language) or q.code for q in consultation.questions
    }
    problems = [
        (numbers[p.section_id], labels.get(p.code, p.code), p.message)
        for p in validation.check(consultation.questions, answers, other)
    ]
    return render_template(
        "builder/preview.html",
        consultation=consultation,
        page=None,
        finished=True,
        problems=problems,
        language=language,
        links=consultation_links(consultation),
    )
