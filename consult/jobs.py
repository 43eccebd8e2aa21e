"""Background jobs with visible progress.

With REDIS_URL set, jobs go to an RQ queue worked by `flask --app consult worker`; in the embedded
default (no Redis) they run inline, in the request that starts them. Either way the `jobs` row
tells the person who started it how far it got.
"""

from __future__ import annotations

import enum
import importlib
import logging
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Mapped, mapped_column

from consult.db import UTCDateTime, str_enum, utcnow
from consult.extensions import db

log = logging.getLogger(__name__)


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"), nullable=False, default=JobStatus.QUEUED
    )
    total: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    done: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    message: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    result: Mapped[dict] = mapped_column(sa.JSON, nullable=False, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    @property
    def percent(self) -> int:
        if self.total:
            return min(100, 100 * self.done // self.total)
        return 100 if self.status in (JobStatus.DONE, JobStatus.FAILED) else 0


class Progress:
    """Handed to a job function: report progress; written to the database every few steps."""

    def __init__(self, job: Job):
        self.job = job

    def start(self, total: int) -> None:
        self.job.total = total
        self.job.status = JobStatus.RUNNING
        db.session.commit()

    def advance(self, step: int = 1) -> None:
        self.job.done += step
        if self.job.done == self.job.total or self.job.done % 20 == 0:
            db.session.commit()


def enqueue(kind: str, func: Callable, *args, created_by_id: int | None = None) -> Job:
    """Create a job row and run `func(progress, *args)` in the background (or inline)."""
    job = Job(kind=kind, created_by_id=created_by_id)
    db.session.add(job)
    db.session.commit()
    path = f"{func.__module__}:{func.__qualname__}"
    if current_app.config["JOBS_INLINE"]:
        run(job.id, path, *args)
    else:
        from redis import Redis
        from rq import Queue

        config = current_app.config
        queue = Queue(config["JOBS_QUEUE"], connection=Redis.from_url(config["REDIS_URL"]))
        queue.enqueue(run_in_worker, job.id, path, *args, job_timeout=3600)
    return job


def run(job_id: int, path: str, *args) -> None:
    """Run a job's function inside the current app context and record how it ended."""
    module, _, name = path.partition(":")
    func = getattr(importlib.import_module(module), name)
    job = db.session.get(Job, job_id)
    job.status = JobStatus.RUNNING
    db.session.commit()
    try:
        result = func(Progress(job), *args)
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, path)
        job = db.session.get(Job, job_id)
        job.status = JobStatus.FAILED
        job.message = str(error)[:2000]
    else:
        job.status = JobStatus.DONE
        job.result = result or {}
    job.finished_at = utcnow()
    db.session.commit()


def run_in_worker(job_id: int, path: str, *args) -> None:
    """Entry point in the RQ worker (`flask worker` runs it inside the app context)."""
    if has_app_context():
        run(job_id, path, *args)
        return
    from consult import create_app

    with create_app().app_context():
        run(job_id, path, *args)
