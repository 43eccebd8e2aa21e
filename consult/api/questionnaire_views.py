"""API: a consultation's questionnaire as one document — get, replace, import an XLSForm."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, fields

from consult import permissions
from consult.api.core import ApiProblem, current_user_api, operation
from consult.api.loaders import load_consultation
from consult.surveys import documents
from consult.surveys.schemas import QuestionnaireSchema
from consult.surveys.xlsform import XLSFormError, XLSFormImportRefused, read_xlsform
from consult.surveys.xlsform_import import XLSFormUnreadable

TAG = "questionnaire"


@operation(
    "/consultations/<slug>/questionnaire",
    "GET",
    summary="Get the questionnaire (sections, questions, options, conditions, translations)",
    tag=TAG,
    output=QuestionnaireSchema,
    errors=(404,),
)
def get_questionnaire(slug: str):
    """The same document the builder downloads; `relevant_ast` is the parsed condition."""
    return documents.questionnaire_document(load_consultation(slug))


@operation(
    "/consultations/<slug>/questionnaire",
    "PUT",
    summary="Replace the questionnaire of a draft, all or nothing",
    tag=TAG,
    body=QuestionnaireSchema,
    output=QuestionnaireSchema,
    errors=(403, 404, 409, 422),
)
def replace_questionnaire(slug: str, body: dict):
    """Checked as the builder checks it (codes, settings, conditions) before anything is
    written; `errors` locates every problem. Only while the consultation is a draft (409)."""
    consultation = load_consultation(slug, allowed=permissions.can_edit_questionnaire)
    document = QuestionnaireSchema().dump(body)
    return documents.replace_questionnaire(consultation, document, actor=current_user_api())


class XLSFormUploadSchema(Schema):
    file = fields.Raw(
        required=True, metadata={"type": "string", "format": "binary", "description": ".xlsx"}
    )


class XLSFormQuery(Schema):
    allow_partial = fields.Boolean(
        load_default=False,
        metadata={"description": "Import the rows that map and skip the others."},
    )


@operation(
    "/consultations/<slug>/questionnaire/xlsform",
    "POST",
    summary="Replace the questionnaire of a draft by an XLSForm workbook",
    tag=TAG,
    query=XLSFormQuery,
    output=QuestionnaireSchema,
    errors=(400, 403, 404, 409, 422),
    upload=True,
    extra={"upload_schema": XLSFormUploadSchema},
)
def import_questionnaire_xlsform(slug: str, query: dict):
    """multipart/form-data with the workbook as `file`. Rows that do not map refuse the import
    (422, with `report`) unless `allow_partial=true`."""
    consultation = load_consultation(slug, allowed=permissions.can_edit_questionnaire)
    documents.require_draft(consultation)
    upload = request.files.get("file")
    if upload is None:
        raise ApiProblem(
            400, _("Bad request"), errors={"file": _("Send the workbook as the form field file.")}
        )
    data = upload.read()
    try:
        form = read_xlsform(data, default_language=consultation.default_language)
    except XLSFormUnreadable as error:
        raise XLSFormError(
            _("The XLSForm cannot be read: %(reason)s", reason=str(error)), error.items
        ) from error
    if form.blocking and not query["allow_partial"]:
        raise XLSFormImportRefused(
            ngettext(
                "%(num)d row of the XLSForm cannot be imported as it is; send "
                "allow_partial=true to import the others.",
                "%(num)d rows of the XLSForm cannot be imported as they are; send "
                "allow_partial=true to import the others.",
                len(form.blocking),
            ),
            form.items,
        )
    return documents.replace_questionnaire(consultation, form.document, actor=current_user_api())
