"""Builder pages of questions: add (type first, then the form of that type), edit (also in
place, from builder.js), change the type, move, copy, delete."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.surveys import builder_forms as forms
from consult.surveys import builder_question_forms as qforms
from consult.surveys import builder_support as support
from consult.surveys import questionnaire as qs
from consult.surveys.builder_views import (
    PREFIX,
    action_done,
    action_refused,
    bp,
    get_consultation_for_builder,
    get_question,
    get_section,
    move_target,
    overview_url,
    refuse_unless_editable,
    render,
    wants_json,
)
from consult.surveys.documents import options_of
from consult.surveys.errors import NotEditable, QuestionnaireError
from consult.surveys.models import Consultation, OptionRole, Question


def _checked(form, feedback):
    """builder.js checks the condition as it is typed: the checker's answer as JSON."""
    if feedback is None:
        return jsonify(
            ok=True, empty=True, message=_("No condition: the question is always shown.")
        )
    marks = support.mark_problems(form.relevant.data or "", feedback)
    return jsonify(
        ok=feedback.ok,
        message=_("The condition is correct.") if feedback.ok else "",
        problems=[
            {"before": m.before, "mark": m.mark, "after": m.after, "message": m.message}
            for m in marks
        ],
    )


@bp.route(f"{PREFIX}/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
@login_required
def add_question(slug: str, section_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    section = get_section(consultation, section_id)
    if refused := refuse_unless_editable(consultation):
        return refused
    qtype = request.args.get("type", "")
    if qtype not in forms.TYPE_NAMES:
        type_form = forms.TypeForm(
            request.args if "type" in request.args else None, meta={"csrf": False}
        )
        if "type" in request.args:
            type_form.type.errors = [_("Choose one of the types of question listed.")]
        return render("builder/choose_type.html", consultation, form=type_form, section=section)
    formdata = request.form if request.method == "POST" else None
    form = qforms.question_form(consultation, qtype, formdata=formdata, new=True)
    action = request.form.get("action", "save")
    feedback = None
    if request.method == "GET":
        qforms.with_defaults(form)
    elif action == "save" and form.validate_on_submit():
        options, rows = form.entries("options"), form.entries("rows")
        if not form.summary():
            try:
                question = qs.add_question(
                    section,
                    actor=current_user,
                    code=form.code.data,
                    type=qtype,
                    label=form.texts("label"),
                    help=form.texts("help"),
                    required=bool(form.required.data) if "required" in form._fields else False,
                    settings=form.settings(),
                    relevant=form.relevant.data,
                    options=options if "options" in form._fields else None,
                    rows=rows if "rows" in form._fields else None,
                )
            except NotEditable as error:
                return action_refused(consultation, error)
            except QuestionnaireError as error:
                form.apply_error(error)
            else:
                flash(_("The question %(code)s was added.", code=question.code), "success")
                return redirect(overview_url(consultation, f"question-{question.id}"))
    form.prefill_codes("options")
    form.prefill_codes("rows")
    if form.relevant.data and (action == "check" or form.relevant.errors):
        feedback = support.check_condition_for(
            consultation,
            form.relevant.data,
            code=(form.code.data or "").strip() or "new_question",
            qtype=qtype,
            section=section,
        )
    if action == "check" and wants_json():
        return _checked(form, feedback)
    return render(
        "builder/question_form.html",
        consultation,
        form=form,
        qtype=qtype,
        section=section,
        question=None,
        feedback=feedback,
        marks=support.mark_problems(form.relevant.data or "", feedback) if feedback else [],
        earlier=support.earlier_questions(consultation, None, section),
    )


def _edit_label_inline(consultation: Consultation, question: Question):
    """builder.js edits a question's text in one language in place: a JSON answer, or (should
    the form ever be sent without JavaScript) a redirect with the outcome as a message."""
    form = forms.LabelForm()
    language = form.language.data
    if not form.validate_on_submit() or language not in (consultation.languages or []):
        messages = [str(m) for f in form for m in f.errors] or [_("The text was not saved.")]
        error = QuestionnaireError(" ".join(messages), field="label")
    else:
        label = dict(question.label or {})
        label[language] = form.text.data.strip()
        try:
            qs.edit_question(question, actor=current_user, label=label)
        except QuestionnaireError as refusal:
            error = refusal
        else:
            text = question.label.get(language, "")
            if wants_json():
                return jsonify(ok=True, text=text, message=_("Saved."))
            flash(_("The question %(code)s was saved.", code=question.code), "success")
            return redirect(overview_url(consultation, f"question-{question.id}"))
    if wants_json():
        return jsonify(ok=False, message=error.message), 422
    flash(error.message, "error")
    return redirect(
        url_for("builder.edit_question", slug=consultation.slug, question_id=question.id)
    )


@bp.route(f"{PREFIX}/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(slug: str, question_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    question = get_question(consultation, question_id)
    if request.method == "POST" and request.form.get("part") == "label":
        return _edit_label_inline(consultation, question)
    if refused := refuse_unless_editable(consultation):
        return refused
    qtype = question.type.value
    formdata = request.form if request.method == "POST" else None
    form = qforms.question_form(
        consultation, qtype, formdata=formdata, saved_settings=question.settings
    )
    action = request.form.get("action", "save")
    feedback = None
    if request.method == "GET":
        form.fill(question)
    elif action == "save" and form.validate_on_submit():
        changes = {
            "code": form.code.data,
            "label": form.texts("label"),
            "help": form.texts("help"),
            "settings": form.settings(),
            "relevant": form.relevant.data,
        }
        if "required" in form._fields:
            changes["required"] = bool(form.required.data)
        try:
            qs.edit_question(question, actor=current_user, **changes)
        except NotEditable as error:
            return action_refused(consultation, error)
        except QuestionnaireError as error:
            form.apply_error(error)
        else:
            flash(_("The question %(code)s was saved.", code=question.code), "success")
            return redirect(overview_url(consultation, f"question-{question.id}"))
    if form.relevant.data and (action == "check" or form.relevant.errors):
        feedback = qs.check_condition(question, form.relevant.data)
    if action == "check" and wants_json():
        return _checked(form, feedback)
    return render(
        "builder/question_form.html",
        consultation,
        form=form,
        qtype=qtype,
        section=question.section,
        question=question,
        options=options_of(question),
        rows=options_of(question, OptionRole.ROW),
        feedback=feedback,
        marks=support.mark_problems(form.relevant.data or "", feedback) if feedback else [],
        earlier=support.earlier_questions(consultation, question, question.section),
    )


@bp.route(f"{PREFIX}/questions/<int:question_id>/type", methods=["GET", "POST"])
@login_required
def change_type(slug: str, question_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    question = get_question(consultation, question_id)
    if refused := refuse_unless_editable(consultation):
        return refused
    form = forms.TypeForm(data={"type": question.type.value} if request.method == "GET" else None)
    error = None
    if form.validate_on_submit():
        try:
            qs.edit_question(question, actor=current_user, type=form.type.data)
        except NotEditable as refusal:
            return action_refused(consultation, refusal)
        except QuestionnaireError as refusal:
            error = refusal
        else:
            flash(_("The type of %(code)s was changed.", code=question.code), "success")
            return redirect(url_for("builder.edit_question", slug=slug, question_id=question.id))
    return render(
        "builder/change_type.html", consultation, form=form, question=question, error=error
    )


@bp.post(f"{PREFIX}/questions/<int:question_id>/move")
@login_required
def move_question(slug: str, question_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    question = get_question(consultation, question_id)
    form = forms.MoveForm()
    if not form.validate_on_submit():
        abort(400)
    direction, position = move_target(form)
    target = question.section
    if direction:
        step = support.question_step(question, direction)
        if step is None:
            return action_done(consultation, None, f"question-{question.id}")
        target, position = step
    elif (form.section.data or "").isdigit():
        target = get_section(consultation, int(form.section.data))
    try:
        qs.move_question(question, actor=current_user, position=position, section=target)
    except QuestionnaireError as error:
        return action_refused(consultation, error, f"question-{question.id}")
    return action_done(
        consultation, _("%(code)s was moved.", code=question.code), f"question-{question.id}"
    )


@bp.post(f"{PREFIX}/questions/<int:question_id>/duplicate")
@login_required
def duplicate_question(slug: str, question_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    question = get_question(consultation, question_id)
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    try:
        copy = qs.duplicate_question(question, actor=current_user)
    except QuestionnaireError as error:
        return action_refused(consultation, error, f"question-{question.id}")
    return action_done(
        consultation,
        _("%(code)s was copied as %(copy)s.", code=question.code, copy=copy.code),
        f"question-{copy.id}",
    )


@bp.route(f"{PREFIX}/questions/<int:question_id>/delete", methods=["GET", "POST"])
@login_required
def delete_question(slug: str, question_id: int):
    consultation = get_consultation_for_builder(slug, edit=True)
    question = get_question(consultation, question_id)
    if refused := refuse_unless_editable(consultation):
        return refused
    form = forms.ConfirmForm()
    error = None
    if form.validate_on_submit():
        code = question.code
        try:
            qs.delete_question(question, actor=current_user)
        except NotEditable as refusal:
            return action_refused(consultation, refusal)
        except QuestionnaireError as refusal:
            error = refusal
        else:
            flash(_("The question %(code)s was deleted.", code=code), "success")
            return redirect(overview_url(consultation))
    return render(
        "builder/confirm_delete.html",
        consultation,
        form=form,
        error=error,
        what="question",
        question=question,
        answered=support.responses_with_answers([question.id]),
    )
