"""XLSForm pages: create a draft consultation from an XLSForm (with the row-level report and an
explicit "Import the rest" step), and download a consultation as an XLSForm.

Between the report and the confirmation the workbook is kept on the server (`uploads.keep`,
Redis or the instance folder, one hour), under a random token that only the signed session
holds and that is tied to the user: the browser never sends the file or its name back.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.surveys import builder_forms as forms
from consult.surveys import uploads
from consult.surveys import xlsform as xf
from consult.surveys.builder_views import bp, get_consultation_for_builder, render
from consult.surveys.errors import QuestionnaireError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENDING = "xlsform_pending"
KIND = "xlsform"


def _require_importer() -> None:
    if not permissions.can_import_xlsform(current_user):
        abort(403)


def _forget_pending() -> None:
    pending = session.pop(PENDING, None) or {}
    uploads.discard(pending.get("token"), kind=KIND)


def _imported(consultation, report):
    return render(
        "builder/xlsform_imported.html",
        consultation,
        report=report,
        questions=len(consultation.questions),
    )


@bp.route("/consultations/import-xlsform", methods=["GET", "POST"])
@login_required
def import_xlsform():
    _require_importer()
    form = forms.UploadForm()
    error = None
    if form.validate_on_submit():
        filename = form.file.data.filename or "form.xlsx"
        try:
            data = uploads.read_upload(form.file.data)
            uploads.check_xlsx(data)
            consultation, report = xf.import_xlsform(
                data, association=current_user.organisation, actor=current_user
            )
        except uploads.UploadRefused as refusal:
            form.file.errors = [refusal.message]
        except xf.XLSFormImportRefused as refusal:
            _forget_pending()
            token = uploads.keep(data, kind=KIND, owner_id=current_user.id)
            session[PENDING] = {"token": token, "filename": filename[:200]}
            return render_template(
                "builder/xlsform_report.html",
                error=refusal,
                filename=filename,
                blocking=[i for i in refusal.report if i.blocking],
                ignored=[i for i in refusal.report if not i.blocking],
                confirm=forms.ConfirmForm(),
            )
        except QuestionnaireError as refusal:
            error = refusal
        else:
            _forget_pending()
            return _imported(consultation, report)
    return render_template("builder/xlsform_upload.html", form=form, error=error)


@bp.post("/consultations/import-xlsform/confirm")
@login_required
def confirm_xlsform():
    _require_importer()
    if not forms.ConfirmForm().validate_on_submit():
        abort(400)
    pending = session.get(PENDING) or {}
    if request.form.get("decision") != "import":
        _forget_pending()
        flash(_("Nothing was imported."), "info")
        return redirect(url_for("builder.import_xlsform"))
    data = uploads.fetch(pending.get("token"), kind=KIND, owner_id=current_user.id)
    if data is None:
        session.pop(PENDING, None)
        flash(
            _("The uploaded file is no longer kept (files are kept for an hour). Upload it again."),
            "error",
        )
        return redirect(url_for("builder.import_xlsform"))
    try:
        consultation, report = xf.import_xlsform(
            data, association=current_user.organisation, actor=current_user, allow_partial=True
        )
    except QuestionnaireError as refusal:
        _forget_pending()
        form = forms.UploadForm(formdata=None)
        return render_template("builder/xlsform_upload.html", form=form, error=refusal)
    _forget_pending()
    return _imported(consultation, report)


@bp.get("/consultations/<slug>/xlsform.xlsx")
@login_required
def export_xlsform(slug: str):
    consultation = get_consultation_for_builder(slug)
    try:
        data = xf.export_xlsform(consultation)
    except xf.XLSFormExportError as error:
        flash(str(error), "error")
        return redirect(url_for("builder.overview", slug=slug))
    return send_file(
        io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=f"{slug}.xlsx"
    )
