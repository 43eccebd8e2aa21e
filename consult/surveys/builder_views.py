"""The questionnaire builder: sections and questions of a consultation, usable without
JavaScript (builder.js adds drag-to-reorder and in-place editing of question texts).

Questions, options, translations and XLSForm pages add their routes to the same blueprint from
`builder_question_views`, `builder_option_views`, `builder_translation_views` and
`builder_xlsform_views`.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.extensions import db
from consult.surveys import builder_forms as forms
from consult.surveys import builder_support as support
from consult.surveys import questionnaire as qs
from consult.surveys.documents import (
    questionnaire_editable,
    questions_of,
    require_draft,
    sections_in_order,
)
from consult.surveys.errors import NotEditable, QuestionnaireError
from consult.surveys.models import Consultation, Option, Question, Section

bp = Blueprint("builder", __name__)
PREFIX = "/consultations/<slug>/questionnaire"


# --- loaders


def get_consultation_for_builder(slug: str, *, edit: bool = False) -> Consultation:
    """The consultation whose builder pages the user may see; 404 for everyone else (never
    revealing that it exists). `edit=True` also requires the right to change it (403 for
    admins, who can see it anyway)."""
    consultation = support.consultation_by_slug(slug)
    if consultation is None or not permissions.can_view_questionnaire(current_user, consultation):
        abort(404)
    if edit and not permissions.can_edit_questionnaire(current_user, consultation):
        abort(403)
    return consultation


def get_section(consultation: Consultation, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.consultation_id != consultation.id:
        abort(404)
    return section


def get_question(consultation: Consultation, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.consultation_id != consultation.id:
        abort(404)
    return question


def get_option(consultation: Consultation, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.question.consultation_id != consultation.id:
        abort(404)
    return option


# --- helpers shared by the builder's views


def consultation_links(consultation: Consultation) -> dict:
    """Links to the consultation's own authoring pages."""
    values = {"assoc_slug": consultation.association.slug, "slug": consultation.slug}
    return {
        "page": url_for("authoring.overview", **values),
        "settings": url_for("authoring.edit", **values),
    }


def render(template: str, consultation: Consultation, *, http_status: int = 200, **context):
    can_edit = permissions.can_edit_questionnaire(current_user, consultation)
    page = render_template(
        template,
        consultation=consultation,
        can_edit=can_edit,
        editable=can_edit and questionnaire_editable(consultation),
        links=consultation_links(consultation),
        languages=forms.ordered_languages(consultation),
        language_name=forms.language_name,
        type_names=forms.TYPE_NAMES,
        **context,
    )
    return page, http_status


def wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def overview_url(consultation: Consultation, anchor: str | None = None) -> str:
    return url_for("builder.overview", slug=consultation.slug, _anchor=anchor)


def place_url(consultation: Consultation, place: support.Place | None) -> str | None:
    """The page (and field) where a text or a problem is edited."""
    if place is None:
        return None
    slug = consultation.slug
    if place.kind == "consultation":
        return consultation_links(consultation)["settings"]
    endpoint = {
        "section": "builder.edit_section",
        "question": "builder.edit_question",
        "option": "builder.edit_option",
    }[place.kind]
    key = {"section": "section_id", "question": "question_id", "option": "option_id"}[place.kind]
    return url_for(endpoint, slug=slug, _anchor=place.anchor, **{key: place.id})


def refuse_unless_editable(consultation: Consultation):
    """A redirect to the overview with the reason when the questionnaire cannot change."""
    try:
        require_draft(consultation)
    except NotEditable as error:
        flash(error.message, "error")
        return redirect(overview_url(consultation))
    return None


def action_done(consultation: Consultation, message: str | None, anchor: str | None = None):
    """The answer to a small action (move, duplicate): JSON for builder.js, else a redirect."""
    if wants_json():
        return jsonify(ok=True, message=message)
    if message:
        flash(message, "success")
    return redirect(overview_url(consultation, anchor))


def action_refused(consultation: Consultation, error: QuestionnaireError, anchor=None):
    if wants_json():
        return jsonify(ok=False, message=error.message), 422
    flash(error.message, "error")
    return redirect(overview_url(consultation, anchor))


def move_target(form: forms.MoveForm) -> tuple[str | None, int | None]:
    """(direction, position) sent by a move button or by builder.js."""
    direction = form.direction.data if form.direction.data in ("up", "down") else None
    position = int(form.position.data) if (form.position.data or "").isdigit() else None
    if direction is None and position is None:
        abort(400)
    return direction, position


# --- overview


@bp.get(PREFIX)
@login_required
def overview(slug: str):
    consultation = get_consultation_for_builder(slug)
    sections = sections_in_order(consultation)
    pages = [(section, questions_of(section)) for section in sections]
    locator = support.Locator(consultation)
    problems = [
        (problem, place_url(consultation, locator.problem(problem)))
        for problem in qs.validate_questionnaire(consultation)
    ]
    return render("builder/overview.html", consultation, pages=pages, problems=problems)


# --- sections


@bp.route(f"{PREFIX}/sections/new", methods=["GET", "POST"])
@login_required
def add_section(slug: str):
    consultation = get_consultation_for_builder(slug, edit=True)
    if refused := refuse_unless_editable(consultation):
        return refused
    form = forms.section_form(consultation)
    if form.validate_on_submit():
        try:
            section = qs.add_section(
                consultation,
                actor=current_user,
                title=form.texts("title"),
                intro=form.texts("intro"),
            )
        except NotEditable as error:
            return action_refused(consultation, error)
        except QuestionnaireError as error:
            form.apply_error(error)
        else:
            flash(_("The page was added."), "success")
            return redirect(overview_url(consultation, f"section-{section.id}"))
    return render("builder/section_form.html", consultation, form=form, section=None)


@bp.route(f"{PREFIX}/sections/<int:section_id>/edit", methods=["GET", "POST"])
@login_required
def edit_section(slug: str, section_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    section = get_section(consultation, section_id)
    if refused := refuse_unless_editable(consultation):
        return refused
    form = forms.section_form(consultation)
    if request.method == "GET":
        form.fill_texts("title", section.title)
        form.fill_texts("intro", section.intro)
    elif form.validate_on_submit():
        try:
            qs.edit_section(
                section, actor=current_user, title=form.texts("title"), intro=form.texts("intro")
            )
        except NotEditable as error:
            return action_refused(consultation, error)
        except QuestionnaireError as error:
            form.apply_error(error)
        else:
            flash(_("The page was saved."), "success")
            return redirect(overview_url(consultation, f"section-{section.id}"))
    return render("builder/section_form.html", consultation, form=form, section=section)


@bp.post(f"{PREFIX}/sections/<int:section_id>/move")
@login_required
def move_section(slug: str, section_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    section = get_section(consultation, section_id)
    form = forms.MoveForm()
    if not form.validate_on_submit():
        abort(400)
    direction, position = move_target(form)
    if direction:
        position = support.section_step(section, direction)
        if position is None:
            return action_done(consultation, None, f"section-{section.id}")
    try:
        qs.move_section(section, actor=current_user, position=position)
    except QuestionnaireError as error:
        return action_refused(consultation, error, f"section-{section.id}")
    return action_done(consultation, _("The page was moved."), f"section-{section.id}")


@bp.post(f"{PREFIX}/sections/<int:section_id>/duplicate")
@login_required
def duplicate_section(slug: str, section_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    section = get_section(consultation, section_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        copy = qs.duplicate_section(section, actor=current_user)
    except QuestionnaireError as error:
        return action_refused(consultation, error, f"section-{section.id}")
    return action_done(
        consultation,
        _("The page was copied; its questions got new codes."),
        f"section-{copy.id}",
    )


@bp.route(f"{PREFIX}/sections/<int:section_id>/delete", methods=["GET", "POST"])
@login_required
def delete_section(slug: str, section_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    section = get_section(consultation, section_id)
    if refused := refuse_unless_editable(consultation):
        return refused
    form = forms.ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            qs.delete_section(section, actor=current_user)
        except NotEditable as refusal:
            return action_refused(consultation, refusal)
        except QuestionnaireError as refusal:
            error = refusal
        else:
            flash(_("The page and its questions were deleted."), "success")
            return redirect(overview_url(consultation))
    questions = questions_of(section)
    return render(
        "builder/confirm_delete.html",
        consultation,
        form=form,
        error=error,
        what="section",
        section=section,
        questions=questions,
        answered=support.responses_with_answers([q.id for q in questions]),
    )


# The other pages of the builder add their routes to `bp`.
from consult.surveys import (  # noqa: E402, F401
    builder_option_views,
    builder_question_views,
    builder_translation_views,
    builder_xlsform_views,
    preview_views,
)
