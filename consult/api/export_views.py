"""API: data exports (CSV, XLSX, JSON, codebook), streamed, and the summary report's PDF —
the download pages' services and permissions (`can_export_data`, `can_view_results`)."""

from __future__ import annotations

from flask import Response, stream_with_context
from flask_babel import gettext as _
from marshmallow import fields, validate

from consult import permissions
from consult.analysis import exports
from consult.api.core import ApiProblem, current_user_api, operation
from consult.api.loaders import not_found
from consult.api.schemas import LANGUAGES, Strict
from consult.extensions import db
from consult.results import downloads_service as service
from consult.results import services
from consult.surveys.models import Consultation

TAG = "exports"
TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class DownloadQuery(Strict):
    language = fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "Language of labels (default: the consultation's)."},
    )


def _consultation(slug: str, allowed) -> Consultation:
    consultation = services.get_consultation(db.session, slug)
    if consultation is None or not allowed(current_user_api(), consultation):
        raise not_found()
    return consultation


def _language(consultation: Consultation, query: dict) -> str:
    language = query.get("language") or consultation.default_language
    if language not in consultation.languages:
        raise ApiProblem(
            400,
            _("Bad request"),
            errors={"language": _("The consultation is not offered in this language.")},
        )
    return language


def _attachment(body, fmt: str, filename: str) -> Response:
    response = Response(body, mimetype=TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _export(slug: str, query: dict, fmt: str) -> Response:
    consultation = _consultation(slug, permissions.can_export_data)
    language = _language(consultation, query)
    service.record_download(consultation, actor=current_user_api(), what=fmt, language=language)
    if fmt == "csv":
        chunks = exports.csv_chunks(db.session, consultation, language=language)
    elif fmt == "json":
        chunks = exports.json_chunks(db.session, consultation, language=language)
    else:
        chunks = exports.file_chunks(exports.xlsx_file(db.session, consultation, language=language))
    return _attachment(stream_with_context(chunks), fmt, exports.filename(consultation, fmt))


EXPORT = {
    "tag": TAG,
    "query": DownloadQuery,
    "errors": (400, 404),
    "binary": True,
}


@operation(
    "/consultations/<slug>/export.csv",
    "GET",
    summary="Submitted responses as CSV, one row each (consent respected), streamed",
    output_content=TYPES["csv"],
    **EXPORT,
)
def export_csv(slug: str, query: dict):
    """Cells that a spreadsheet would run as a formula are neutralised."""
    return _export(slug, query, "csv")


@operation(
    "/consultations/<slug>/export.xlsx",
    "GET",
    summary="Submitted responses as an Excel workbook",
    output_content=TYPES["xlsx"],
    **EXPORT,
)
def export_xlsx(slug: str, query: dict):
    return _export(slug, query, "xlsx")


@operation(
    "/consultations/<slug>/export.json",
    "GET",
    summary="Submitted responses as JSON (columns with their codes, then rows), streamed",
    output_content=TYPES["json"],
    **{**EXPORT, "binary": False, "output_schema": {"type": "object"}},
)
def export_json(slug: str, query: dict):
    return _export(slug, query, "json")


@operation(
    "/consultations/<slug>/codebook.csv",
    "GET",
    summary="The codebook of the exports' columns",
    output_content=TYPES["csv"],
    **EXPORT,
)
def export_codebook(slug: str, query: dict):
    consultation = _consultation(slug, permissions.can_export_data)
    language = _language(consultation, query)
    service.record_download(consultation, actor=current_user_api(), what="codebook")
    chunks = exports.codebook_chunks(db.session, consultation, language=language)
    name = exports.filename(consultation, "csv", codebook=True)
    return _attachment(stream_with_context(chunks), "csv", name)


@operation(
    "/consultations/<slug>/report.pdf",
    "GET",
    summary="The summary report as a PDF (small cells suppressed)",
    tag=TAG,
    query=DownloadQuery,
    errors=(400, 404),
    output_content=TYPES["pdf"],
    binary=True,
    accepted=True,
)
def report_pdf(slug: str, query: dict):
    """Rendered once per state of the results and kept. While it is being prepared (with a
    job queue), 202 with Retry-After: ask again."""
    consultation = _consultation(slug, permissions.can_view_results)
    language = _language(consultation, query)
    pdf = service.stored_pdf(consultation, language)
    if pdf is None:
        service.start_report_pdf(consultation, actor=current_user_api(), language=language)
        pdf = service.stored_pdf(consultation, language)  # ready at once when jobs run inline
    if pdf is None:
        waiting = Response(status=202)
        waiting.headers["Retry-After"] = "5"
        return waiting
    service.record_download(consultation, actor=current_user_api(), what="report-pdf")
    return _attachment(pdf, "pdf", f"{consultation.slug}-report-{language}.pdf")
