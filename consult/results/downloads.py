"""Downloads beside the results pages: data exports (CSV, XLSX, JSON, codebook), streamed; the
summary report as an HTML page and as a PDF (rendered by a background job, with a page that
shows its progress).

Exports are response-level data: `can_export_data`. The report is aggregated and suppressed:
whoever may read the results (`can_view_results`). Anyone else gets 404. Every download is in
the audit log.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from consult import permissions
from consult.analysis import exports
from consult.analysis.report import build_report
from consult.extensions import db
from consult.jobs import JobStatus
from consult.results import downloads_service as service
from consult.results import services
from consult.results.report_render import render_html
from consult.results.views import language_for
from consult.surveys.models import Consultation

bp = Blueprint("downloads", __name__)
PREFIX = "/results/<slug>"
TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.app_context_processor
def _download_links() -> dict:
    """Templates ask whether to offer the data downloads."""
    return {"may_export_data": lambda c: permissions.can_export_data(current_user, c)}


def get_consultation_for_export(slug: str) -> Consultation:
    """The consultation whose response-level data the person may download; 404 otherwise."""
    consultation = services.get_consultation(db.session, slug)
    if consultation is None or not permissions.can_export_data(current_user, consultation):
        abort(404)
    return consultation


def get_consultation_for_report(slug: str) -> Consultation:
    consultation = services.get_consultation(db.session, slug)
    if consultation is None or not permissions.can_view_results(current_user, consultation):
        abort(404)
    return consultation


def _attachment(body, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get(PREFIX + "/export.<fmt>")
@login_required
def export(slug: str, fmt: str):
    consultation = get_consultation_for_export(slug)
    if fmt not in exports.FORMATS:
        abort(404)
    language = language_for(consultation)
    service.record_download(consultation, actor=current_user, what=fmt, language=language)
    if fmt == "csv":
        chunks = exports.csv_chunks(db.session, consultation, language=language)
    elif fmt == "json":
        chunks = exports.json_chunks(db.session, consultation, language=language)
    else:
        path = exports.xlsx_file(db.session, consultation, language=language)
        chunks = exports.file_chunks(path)
    body = stream_with_context(chunks)
    return _attachment(body, TYPES[fmt], exports.filename(consultation, fmt))


@bp.get(PREFIX + "/codebook.csv")
@login_required
def codebook(slug: str):
    consultation = get_consultation_for_export(slug)
    language = language_for(consultation)
    service.record_download(consultation, actor=current_user, what="codebook")
    chunks = exports.codebook_chunks(db.session, consultation, language=language)
    name = exports.filename(consultation, "csv", codebook=True)
    return _attachment(stream_with_context(chunks), TYPES["csv"], name)


@bp.get(PREFIX + "/report")
@login_required
def report_html(slug: str):
    consultation = get_consultation_for_report(slug)
    language = language_for(consultation)
    service.record_download(consultation, actor=current_user, what="report-html")
    report = build_report(db.session, consultation, language=language)
    return render_html(
        report,
        web=True,
        back_url=url_for("results.overview", slug=slug),
        pdf_url=url_for("downloads.report_pdf", slug=slug),
    )


@bp.get(PREFIX + "/report.pdf")
@login_required
def report_pdf(slug: str):
    """The PDF when it is ready for the current results; else a page offering to prepare it."""
    consultation = get_consultation_for_report(slug)
    language = language_for(consultation)
    pdf = service.stored_pdf(consultation, language)
    if pdf is None:
        return render_template("results/report_pdf.html", consultation=consultation, job=None)
    service.record_download(consultation, actor=current_user, what="report-pdf")
    name = f"{consultation.slug}-report-{language}.pdf"
    return _attachment(pdf, "application/pdf", name)


@bp.post(PREFIX + "/report.pdf")
@login_required
def prepare_report_pdf(slug: str):
    consultation = get_consultation_for_report(slug)
    language = language_for(consultation)
    if service.stored_pdf(consultation, language) is not None:
        return redirect(url_for("downloads.report_pdf", slug=slug), 303)
    job = service.start_report_pdf(consultation, actor=current_user, language=language)
    return redirect(url_for("downloads.report_job", slug=slug, job_id=job.id), 303)


def _job(slug: str, job_id: int):
    consultation = get_consultation_for_report(slug)
    job = service.get_job(consultation, job_id)
    if job is None:
        abort(404)
    return consultation, job


@bp.get(PREFIX + "/report/jobs/<int:job_id>")
@login_required
def report_job(slug: str, job_id: int):
    consultation, job = _job(slug, job_id)
    return render_template("results/report_pdf.html", consultation=consultation, job=job)


@bp.get(PREFIX + "/report/jobs/<int:job_id>/status")
@login_required
def report_job_status(slug: str, job_id: int):
    """The job's progress as JSON, for the progress page's script."""
    _consultation, job = _job(slug, job_id)
    finished = job.status in (JobStatus.DONE, JobStatus.FAILED)
    return jsonify(
        status=job.status.value,
        percent=job.percent,
        done=job.done,
        total=job.total,
        finished=finished,
    )
