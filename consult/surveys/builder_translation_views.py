"""Builder pages of translations: completeness per language with links to the missing texts,
the texts as an XLSX workbook (download, upload with a report), and accepting a language's
fallback to the default language."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.surveys import builder_forms as forms
from consult.surveys import builder_support as support
from consult.surveys import translations as tr
from consult.surveys.builder_views import bp, get_consultation_for_builder, place_url, render
from consult.surveys.documents import questionnaire_editable
from consult.surveys.errors import QuestionnaireError
from consult.surveys.texts import TextKey
from consult.surveys.uploads import UploadRefused, check_xlsx, read_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
T_PREFIX = "/consultations/<slug>/translations"


def describe(key: TextKey) -> str:
    """Where a text is, in words."""
    page, q, o = key.section, key.question, key.option
    if key.kind == "consultation":
        if key.field == "title":
            return _("Title of the consultation")
        return _("Description of the consultation")
    if key.kind == "section":
        if key.field == "title":
            return _("Title of page %(n)s", n=page)
        return _("Introduction of page %(n)s", n=page)
    if key.kind == "question":
        if key.field == "label":
            return _("Text of question %(code)s (page %(n)s)", code=q, n=page)
        return _("Help text of question %(code)s (page %(n)s)", code=q, n=page)
    if key.kind == "option":
        return _("Option %(option)s of question %(code)s", option=o, code=q)
    if key.kind == "row":
        return _("Row %(option)s of matrix %(code)s", option=o, code=q)
    if key.field == "dont_know_label":
        return _("“Don’t know” label of question %(code)s", code=q)
    return _("Label of point %(point)s of question %(code)s", point=o, code=q)


@bp.get(T_PREFIX)
@login_required
def translations(slug: str):
    consultation = get_consultation_for_builder(slug)
    locator = support.Locator(consultation)
    with_links = questionnaire_editable(consultation)
    statuses = []
    for language, status in tr.translation_status(consultation).items():
        missing = [
            (
                describe(key),
                place_url(consultation, locator.text(key, language)) if with_links else None,
            )
            for key in status.missing
        ]
        statuses.append((status, missing))
    return render(
        "builder/translations.html",
        consultation,
        statuses=statuses,
        translation_editable=consultation.status.value in ("draft", "open"),
    )


@bp.get(f"{T_PREFIX}.xlsx")
@login_required
def download_translations(slug: str):
    consultation = get_consultation_for_builder(slug)
    return send_file(
        io.BytesIO(tr.export_translations(consultation)),
        mimetype=XLSX,
        as_attachment=True,
        download_name=f"{consultation.slug}-texts.xlsx",
    )


@bp.route(f"{T_PREFIX}/upload", methods=["GET", "POST"])
@login_required
def upload_translations(slug: str):
    consultation = get_consultation_for_builder(slug, edit=True)
    form = forms.UploadForm()
    error = None
    if form.validate_on_submit():
        try:
            data = read_upload(form.file.data)
            check_xlsx(data)
            changes = tr.import_translations(consultation, data, actor=current_user)
        except UploadRefused as refusal:
            form.file.errors = [refusal.message]
        except QuestionnaireError as refusal:
            error = refusal
        else:
            return render(
                "builder/translations_imported.html",
                consultation,
                changes=[(change, describe(change.key)) for change in changes],
            )
    return render("builder/translations_upload.html", consultation, form=form, error=error)


@bp.route(f"{T_PREFIX}/<language>/fallback", methods=["GET", "POST"])
@login_required
def fallback(slug: str, language: str):
    consultation = get_consultation_for_builder(slug, edit=True)
    status = tr.translation_status(consultation).get(language)
    if status is None or language == consultation.default_language:
        abort(404)
    form = forms.FallbackForm()
    if form.validate_on_submit():
        accepted = form.accepted.data == "1"
        try:
            tr.set_fallback(consultation, language, accepted=accepted, actor=current_user)
        except QuestionnaireError as refusal:
            flash(refusal.message, "error")
        else:
            name = forms.language_name(language)
            flash(
                _(
                    "Missing %(language)s texts will be shown in %(default)s.",
                    language=name,
                    default=forms.language_name(consultation.default_language),
                )
                if accepted
                else _("The fallback for %(language)s was withdrawn.", language=name),
                "success",
            )
        return redirect(url_for("builder.translations", slug=slug, _anchor=f"lang-{language}"))
    return render("builder/fallback.html", consultation, status=status, form=form)
