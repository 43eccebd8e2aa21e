"""Downloads of results: the audit trail of exports, and the summary report's PDF as a
background job whose output is kept in the chart cache (Redis when set, so the worker that
renders it and the web process that serves it share it), keyed by the results version: a new
submission or a change to the consultation makes a new PDF.
"""

from __future__ import annotations

import hashlib

from flask import current_app

from consult import audit, jobs
from consult.accounts.models import User
from consult.analysis.cache import results_version
from consult.analysis.report import build_report
from consult.extensions import db
from consult.surveys.models import Consultation

JOB_KIND = "report-pdf"


def record_download(consultation: Consultation, *, actor: User, what: str, **details) -> None:
    """Audit one download (`what`: csv, xlsx, json, codebook, report-html, report-pdf)."""
    audit.record(
        "results.download",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        what=what,
        **details,
    )
    db.session.commit()


def _store():
    return current_app.extensions["chart_cache"]


def report_key(consultation: Consultation, language: str) -> str:
    version = results_version(db.session, consultation.id)
    digest = hashlib.sha256(f"{version}|{language}".encode()).hexdigest()
    return f"report-pdf:{consultation.id}:{digest}"


def stored_pdf(consultation: Consultation, language: str) -> bytes | None:
    """The PDF of the current results, when it has been rendered."""
    return _store().get(report_key(consultation, language))


def job_kind(consultation: Consultation) -> str:
    return f"{JOB_KIND}:{consultation.id}"


def start_report_pdf(consultation: Consultation, *, actor: User, language: str) -> jobs.Job:
    """Render the report's PDF in the background (inline without Redis)."""
    key = report_key(consultation, language)
    return jobs.enqueue(
        job_kind(consultation),
        render_report_job,
        consultation.id,
        language,
        key,
        created_by_id=actor.id,
    )


def get_job(consultation: Consultation, job_id: int) -> jobs.Job | None:
    """The report job `job_id` of this consultation, else None."""
    job = db.session.get(jobs.Job, job_id)
    return job if job is not None and job.kind == job_kind(consultation) else None


def render_report_job(progress: jobs.Progress, consultation_id: int, language: str, key: str):
    """The job: build the report (progress per question), render the PDF, keep it."""
    from consult.results.report_render import render_pdf

    consultation = db.session.get(Consultation, consultation_id)
    state = {"started": False}

    def step(done: int, total: int) -> None:
        if not state["started"]:
            progress.start(total + 1)  # + rendering the PDF
            state["started"] = True
        elif done > progress.job.done:
            progress.advance(done - progress.job.done)

    report = build_report(db.session, consultation, language=language, progress=step)
    pdf = render_pdf(report)
    _store().set(key, pdf)
    progress.advance(1)
    return {"key": key, "bytes": len(pdf)}
