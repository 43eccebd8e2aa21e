"""A cache of rendered charts, keyed so that a stale chart is never served.

The key holds the consultation, the question (or "participation"), the view (`ResultSpec.key()`),
the language, the format, whether suppression is off (never share a chart across that line) and
the **results version**: it changes at each submission, amendment or withdrawal (count, latest
`updated_at` and `submitted_at`, submitted count and submission count of the consultation's
responses) and at each change of the consultation (`consultation.updated_at`, which the authoring
services bump when the questionnaire changes). One small query, using the
`(consultation_id, updated_at)` index.

`MemoryCache` (an in-process LRU) is the default; `RedisCache` wraps a redis client (the web layer
passes its own), so every worker shares rendered charts.
"""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from contextlib import contextmanager
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.analysis.charts import chart, participation_chart
from consult.analysis.questions import consultation_results, question_result
from consult.analysis.spec import ResultSpec
from consult.surveys.models import Consultation, Question, Response, ResponseStatus
from consult.surveys.tally_models import AnswerTallyState


class ChartCache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


class MemoryCache:
    """A thread-safe LRU of at most `max_items` charts."""

    def __init__(self, max_items: int = 512):
        self.max_items = max_items
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def set(self, key: str, value: bytes) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.max_items:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class RedisCache:
    """Charts in Redis under `prefix`, expiring after `ttl` seconds (old versions age out)."""

    def __init__(self, client, *, prefix: str = "consult:chart:", ttl: int = 7 * 24 * 3600):
        self.client, self.prefix, self.ttl = client, prefix, ttl

    def get(self, key: str) -> bytes | None:
        return self.client.get(self.prefix + key)

    def set(self, key: str, value: bytes) -> None:
        self.client.set(self.prefix + key, value, ex=self.ttl)


_pause_lock = threading.Lock()
_pauses = 0
_collector_was_enabled = True


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector (threads may nest; the last one out restores it).

    Unpickling cached results allocates tens of thousands of small objects, which trigger
    collections that walk the whole heap: at a million responses the results by country (918 kB
    pickled) took 50 ms median and 160 ms p95 to load, 16 and 20 ms with the collector paused.
    """
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


def _loads(data: bytes):
    with collector_paused():
        return pickle.loads(data)  # noqa: S301 (written by this module into our own cache)


def make_cache(redis_client=None) -> ChartCache:
    return RedisCache(redis_client) if redis_client is not None else MemoryCache()


def results_version(session: Session, consultation_id: int) -> str:
    """A string that changes whenever the consultation's results or questionnaire may have.

    With complete tallies it is the tallies' change counter (one primary-key read: every
    submission, amendment and withdrawal bumps it in its own transaction); otherwise it is read
    from the responses (one aggregate over the consultation's responses).
    """
    changed = session.scalar(
        sa.select(Consultation.updated_at).where(Consultation.id == consultation_id)
    )
    counter = session.scalar(
        sa.select(AnswerTallyState.version).where(
            AnswerTallyState.consultation_id == consultation_id
        )
    )
    if counter is not None:
        return f"{changed.isoformat() if changed else ''}|tallies:{counter}"
    responses = Response.__table__
    submitted = sa.case((responses.c.status == ResponseStatus.SUBMITTED.value, 1), else_=0)
    row = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.max(responses.c.updated_at),
            sa.func.max(responses.c.submitted_at),
            sa.func.sum(submitted),
            sa.func.sum(responses.c.submission_count),
        ).where(responses.c.consultation_id == consultation_id)
    ).one()
    parts = [changed, *row]
    return "|".join(
        "" if p is None else (p.isoformat() if hasattr(p, "isoformat") else str(p)) for p in parts
    )


def chart_key(
    consultation_id: int,
    subject: int | str,
    spec: ResultSpec,
    language: str,
    fmt: str,
    version: str,
    *,
    show_unsuppressed: bool = False,
) -> str:
    payload = json.dumps(
        [consultation_id, subject, spec.key(), language, fmt, version, show_unsuppressed],
        separators=(",", ":"),
    )
    return f"{consultation_id}:{hashlib.sha256(payload.encode()).hexdigest()}"


def cached_chart(
    cache: ChartCache,
    session: Session,
    question: Question,
    spec: ResultSpec | None = None,
    *,
    language: str = "en",
    fmt: str = "svg",
    show_unsuppressed: bool = False,
    version: str | None = None,
) -> bytes | None:
    """The question's chart from the cache, or rendered and stored (None: no chart for texts)."""
    spec = spec or ResultSpec()
    version = version or results_version(session, question.consultation_id)
    key = chart_key(
        question.consultation_id,
        question.id,
        spec,
        language,
        fmt,
        version,
        show_unsuppressed=show_unsuppressed,
    )
    hit = cache.get(key)
    if hit is not None:
        return hit or None
    result = question_result(session, question, spec, show_unsuppressed=show_unsuppressed)
    data = chart(result, language, fmt)
    cache.set(key, data or b"")
    return data


def cached_results(
    cache: ChartCache,
    session: Session,
    consultation: Consultation,
    spec: ResultSpec | None = None,
    *,
    show_unsuppressed: bool = False,
    version: str | None = None,
) -> tuple:
    """`consultation_results` from the cache, or computed and stored, under the results
    version (a new submission changes the key, so results are never stale)."""
    spec = spec or ResultSpec()
    version = version or results_version(session, consultation.id)
    key = chart_key(
        consultation.id, "results", spec, "", "pickle", version, show_unsuppressed=show_unsuppressed
    )
    hit = cache.get(key)
    if hit is not None:
        return _loads(hit)
    results = consultation_results(session, consultation, spec, show_unsuppressed=show_unsuppressed)
    cache.set(key, pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    return results


def cached_participation(
    cache: ChartCache,
    session: Session,
    consultation: Consultation,
    spec: ResultSpec | None = None,
    *,
    show_unsuppressed: bool = False,
    version: str | None = None,
):
    """`participation` from the cache, or computed and stored, under the results version."""
    from consult.analysis.participation import participation

    spec = spec or ResultSpec()
    version = version or results_version(session, consultation.id)
    key = chart_key(
        consultation.id,
        "participation",
        spec,
        "",
        "pickle",
        version,
        show_unsuppressed=show_unsuppressed,
    )
    hit = cache.get(key)
    if hit is not None:
        return _loads(hit)
    result = participation(session, consultation, spec, show_unsuppressed=show_unsuppressed)
    cache.set(key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def cached_participation_chart(
    cache: ChartCache,
    session: Session,
    consultation: Consultation,
    spec: ResultSpec | None = None,
    *,
    fmt: str = "svg",
    by: str = "country",
    show_unsuppressed: bool = False,
) -> bytes:
    from consult.analysis.participation import participation

    spec = spec or ResultSpec()
    version = results_version(session, consultation.id)
    key = chart_key(
        consultation.id,
        f"participation:{by}",
        spec,
        "",
        fmt,
        version,
        show_unsuppressed=show_unsuppressed,
    )
    hit = cache.get(key)
    if hit is None:
        result = participation(session, consultation, spec, show_unsuppressed=show_unsuppressed)
        hit = participation_chart(result, fmt, by=by)
        cache.set(key, hit)
    return hit
