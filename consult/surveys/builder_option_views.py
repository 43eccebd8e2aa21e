"""Builder pages of options (choices, items to rank) and matrix rows: add, edit, move, delete."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.surveys import builder_forms as forms
from consult.surveys import builder_support as support
from consult.surveys import questionnaire as qs
from consult.surveys.builder_views import (
    PREFIX,
    action_refused,
    bp,
    get_consultation_for_builder,
    get_option,
    get_question,
    move_target,
    refuse_unless_editable,
    render,
    wants_json,
)
from consult.surveys.checks import OPTION_TYPES, OTHER_TYPES
from consult.surveys.errors import NotEditable, QuestionnaireError
from consult.surveys.models import Consultation, OptionRole, Question


def _question_url(consultation: Consultation, question: Question, anchor: str = "options"):
    return url_for(
        "builder.edit_question", slug=consultation.slug, question_id=question.id, _anchor=anchor
    )


def _role(question: Question) -> OptionRole:
    role = request.args.get("role", "option")
    if role not in ("option", "row"):
        abort(404)
    role = OptionRole(role)
    allowed = (
        question.type.value == "matrix"
        if role == OptionRole.ROW
        else (question.type.value in OPTION_TYPES)
    )
    if not allowed:
        abort(404)
    return role


@bp.route(f"{PREFIX}/questions/<int:question_id>/options/new", methods=["GET", "POST"])
@login_required
def add_option(slug: str, question_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    question = get_question(consultation, question_id)
    role = _role(question)
    if refused := refuse_unless_editable(consultation):
        return refused
    other = role == OptionRole.OPTION and question.type.value in OTHER_TYPES
    form = forms.option_form(consultation, other=other)
    if form.validate_on_submit():
        try:
            option = qs.add_option(
                question,
                actor=current_user,
                code=form.code.data,
                label=form.texts("label"),
                is_other=bool(form.is_other.data) if other else False,
                role=role,
            )
        except NotEditable as error:
            return action_refused(consultation, error)
        except QuestionnaireError as error:
            form.apply_error(error)
        else:
            flash(_("%(code)s was added.", code=option.code), "success")
            return redirect(_question_url(consultation, question, f"{role.value}s"))
    return render(
        "builder/option_form.html",
        consultation,
        form=form,
        question=question,
        option=None,
        role=role.value,
    )


@bp.route(f"{PREFIX}/options/<int:option_id>/edit", methods=["GET", "POST"])
@login_required
def edit_option(slug: str, option_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    option = get_option(consultation, option_id)
    question = option.question
    if refused := refuse_unless_editable(consultation):
        return refused
    other = option.role == OptionRole.OPTION and question.type.value in OTHER_TYPES
    form = forms.option_form(consultation, other=other)
    if request.method == "GET":
        form.code.data = option.code
        form.fill_texts("label", option.label)
        if other:
            form.is_other.data = option.is_other
    elif form.validate_on_submit():
        changes = {"code": form.code.data.strip(), "label": form.texts("label")}
        if other:
            changes["is_other"] = bool(form.is_other.data)
        try:
            qs.edit_option(option, actor=current_user, **changes)
        except NotEditable as error:
            return action_refused(consultation, error)
        except QuestionnaireError as error:
            form.apply_error(error)
        else:
            flash(_("%(code)s was saved.", code=option.code), "success")
            return redirect(_question_url(consultation, question, f"{option.role.value}s"))
    return render(
        "builder/option_form.html",
        consultation,
        form=form,
        question=question,
        option=option,
        role=option.role.value,
    )


@bp.post(f"{PREFIX}/options/<int:option_id>/move")
@login_required
def move_option(slug: str, option_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    option = get_option(consultation, option_id)
    question = option.question
    form = forms.MoveForm()
    if not form.validate_on_submit():
        abort(400)
    direction, position = move_target(form)
    anchor = f"option-{option.id}"
    if direction:
        position = support.option_step(option, direction)
    if position is not None:
        try:
            qs.move_option(option, actor=current_user, position=position)
        except QuestionnaireError as error:
            if wants_json():
                return {"ok": False, "message": error.message}, 422
            flash(error.message, "error")
            return redirect(_question_url(consultation, question, anchor))
    if wants_json():
        return {"ok": True, "message": _("%(code)s was moved.", code=option.code)}
    flash(_("%(code)s was moved.", code=option.code), "success")
    return redirect(_question_url(consultation, question, anchor))


@bp.route(f"{PREFIX}/options/<int:option_id>/delete", methods=["GET", "POST"])
@login_required
def delete_option(slug: str, option_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    option = get_option(consultation, option_id)
    question = option.question
    if refused := refuse_unless_editable(consultation):
        return refused
    form = forms.ConfirmForm()
    error = None
    if form.validate_on_submit():
        code, role = option.code, option.role.value
        try:
            qs.delete_option(option, actor=current_user)
        except NotEditable as refusal:
            return action_refused(consultation, refusal)
        except QuestionnaireError as refusal:
            error = refusal
        else:
            flash(_("%(code)s was deleted.", code=code), "success")
            return redirect(_question_url(consultation, question, f"{role}s"))
    return render(
        "builder/confirm_delete.html",
        consultation,
        form=form,
        error=error,
        what="option",
        option=option,
        question=question,
        answered=support.responses_with_answers([question.id]),
    )
