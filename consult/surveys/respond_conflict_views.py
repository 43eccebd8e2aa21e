"""The stale-save conflict page: a colleague saved the response after this respondent loaded
it. Their unsaved values (kept on the server) and the newer saved ones are shown side by side
for every question where they differ; the respondent chooses per question. Nothing is lost:
the kept input stays until the choice is saved."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.surveys import respond_support as support
from consult.surveys import responding, unsaved
from consult.surveys.respond_forms import AnswerForm, QuestionField, display_value
from consult.surveys.respond_views import PREFIX, bp
from consult.surveys.responding import Draft


@dataclass
class Difference:
    field: QuestionField
    mine: object
    mine_other: str
    saved: object
    saved_other: str

    @property
    def mine_text(self) -> str:
        return _with_other(display_value(self.field, self.mine), self.mine_other)

    @property
    def saved_text(self) -> str:
        return _with_other(display_value(self.field, self.saved), self.saved_other)


def _with_other(text: str, other: str) -> str:
    return f"{text} ({other})" if other else text


def differences(form: AnswerForm, kept: dict, draft: Draft) -> list[Difference]:
    mine_answers, mine_other = kept.get("answers", {}), kept.get("other", {})
    codes = set(kept.get("codes") or form.codes)
    found = []
    for field in form.fields:
        if field.code not in codes or field.code not in form.codes:
            continue
        mine, saved = mine_answers.get(field.code), draft.answers.get(field.code)
        m_other, s_other = mine_other.get(field.code, ""), draft.other.get(field.code, "")
        if mine != saved or m_other != s_other:
            found.append(Difference(field, mine, m_other, saved, s_other))
    return found


def chosen_answers(found: list[Difference], chosen: dict[str, str]) -> tuple[dict, dict]:
    """(answers, other texts) of the differing questions, each side as chosen."""
    answers, other = {}, {}
    for d in found:
        use_mine = chosen[d.field.code] == "mine"
        value = d.mine if use_mine else d.saved
        text = d.mine_other if use_mine else d.saved_other
        if value not in (None, "", [], {}):
            answers[d.field.code] = value
        if text:
            other[d.field.code] = text
    return answers, other


def _load(slug: str, token: str):
    consultation = support.get_consultation(slug)
    response = support.get_response(consultation)
    row = unsaved.find(consultation, token, user=current_user)
    if response is None or row is None or row.user_id is None:
        abort(404)
    number = row.section_position
    language = support.language_for(consultation, response)
    form = AnswerForm(consultation, support.get_section(consultation, number), language)
    return consultation, response, row, form


@bp.route(f"{PREFIX}/conflict/<token>", methods=["GET", "POST"])
@login_required
def conflict(slug: str, token: str):
    consultation, response, row, form = _load(slug, token)
    number = row.section_position
    back = url_for("respond.section", slug=slug, number=number)
    found = differences(form, row.data, Draft.of(response))
    if not found:
        unsaved.forget(row)
        flash(_("Your colleague's saved answers are the same as yours: nothing was lost."), "info")
        return redirect(back)
    missing = []
    if request.method == "POST":
        chosen = {d.field.code: request.form.get(f"keep-{d.field.code}") for d in found}
        missing = [d for d in found if chosen[d.field.code] not in ("mine", "saved")]
        version = request.form.get("version", "")
        if not missing and version.isdigit():
            answers, other = chosen_answers(found, chosen)
            try:
                responding.save_draft(
                    response,
                    version=int(version),
                    answers=answers,
                    other=other,
                    actor=current_user,
                    codes=[d.field.code for d in found],
                )
            except responding.StaleVersion as stale:
                response = stale.current
                found = differences(form, row.data, Draft.of(response))
                flash(
                    _("A colleague saved again in the meantime: here are their newest answers."),
                    "error",
                )
            except responding.ResponseError as error:
                flash(error.message, "error")
                return redirect(url_for("respond.overview", slug=slug))
            else:
                unsaved.forget(row)
                flash(_("Your choices are saved."), "success")
                return redirect(back)
    return render_template(
        "respond/conflict.html",
        consultation=consultation,
        response=response,
        differences=found,
        missing={d.field.code for d in missing},
        number=number,
        back=back,
    ), (422 if missing else 200)
