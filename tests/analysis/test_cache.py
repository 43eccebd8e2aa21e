"""The chart cache and the results version."""

from __future__ import annotations

import os

import pytest

from consult.analysis import cache as chart_cache
from consult.analysis.cache import (
    MemoryCache,
    RedisCache,
    cached_chart,
    cached_participation_chart,
    make_cache,
    results_version,
)
from consult.analysis.spec import ResultSpec
from consult.extensions import db
from consult.surveys.models import ResponseStatus
from tests.analysis.builders import Survey


class FakeRedis:
    def __init__(self):
        self.data, self.expiry = {}, {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, ex=None):
        self.data[key], self.expiry[key] = value, ex


@pytest.fixture
def survey(app):
    survey = Survey(k=2)
    survey.question("need", "yes_no")
    survey.question("story", "short_text")
    for index in range(4):
        survey.respond(survey.authority(), {"need": "yes" if index % 2 else "no", "story": "x"})
    return survey


def test_memory_cache_is_a_bounded_lru():
    cache = MemoryCache(max_items=2)
    cache.set("a", b"1")
    cache.set("b", b"2")
    assert cache.get("a") == b"1"  # a is now the most recent
    cache.set("c", b"3")
    assert cache.get("b") is None and cache.get("a") == b"1" and len(cache) == 2
    assert isinstance(make_cache(), MemoryCache)
    assert isinstance(make_cache(FakeRedis()), RedisCache)


def test_results_version_changes_with_submissions_and_withdrawals(survey):
    first = results_version(db.session, survey.consultation.id)
    assert results_version(db.session, survey.consultation.id) == first
    response = survey.respond(survey.authority(), {"need": "yes"})
    second = results_version(db.session, survey.consultation.id)
    assert second != first
    response.status = ResponseStatus.WITHDRAWN
    db.session.commit()
    assert results_version(db.session, survey.consultation.id) not in (first, second)
    survey.consultation.title = {"en": "Renamed"}
    db.session.commit()
    assert results_version(db.session, survey.consultation.id) != second


def test_charts_are_served_from_the_cache_until_the_results_change(survey, monkeypatch):
    renders = []
    real_chart = chart_cache.chart
    monkeypatch.setattr(chart_cache, "chart", lambda *a: renders.append(a) or real_chart(*a))
    cache = MemoryCache()
    question = survey.questions["need"]
    first = cached_chart(cache, db.session, question)
    assert cached_chart(cache, db.session, question) == first and len(renders) == 1
    cached_chart(cache, db.session, question, fmt="png")
    cached_chart(cache, db.session, question, language="fr")
    cached_chart(cache, db.session, question, ResultSpec("country"))
    cached_chart(cache, db.session, question, show_unsuppressed=True)
    assert len(renders) == 5 and len(cache) == 5
    survey.respond(survey.authority(), {"need": "yes"})
    assert cached_chart(cache, db.session, question) != first and len(renders) == 6
    assert cached_chart(cache, db.session, survey.questions["story"]) is None
    assert cached_chart(cache, db.session, survey.questions["story"]) is None
    assert len(renders) == 7


def test_redis_cache(survey):
    client = FakeRedis()
    cache = RedisCache(client, ttl=60)
    data = cached_chart(cache, db.session, survey.questions["need"])
    (key,) = client.data
    assert (
        key.startswith("consult:chart:") and client.data[key] == data and client.expiry[key] == 60
    )
    chart = cached_participation_chart(cache, db.session, survey.consultation)
    assert chart.startswith(b"<svg") and len(client.data) == 2


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_real_redis(survey):
    from redis import Redis

    client = Redis.from_url(os.environ["REDIS_URL"])
    cache = RedisCache(client, prefix=f"consult:test:{os.getpid()}:", ttl=30)
    data = cached_chart(cache, db.session, survey.questions["need"])
    assert cached_chart(cache, db.session, survey.questions["need"]) == data
    for key in client.scan_iter(f"consult:test:{os.getpid()}:*"):
        client.delete(key)


def test_the_collector_is_paused_while_loading_and_restored_after_nested_threads():
    import gc
    import threading

    assert gc.isenabled()
    inside, release = threading.Barrier(3), threading.Event()
    seen = []

    def load():
        with chart_cache.collector_paused():
            inside.wait()
            seen.append(gc.isenabled())
            release.wait()

    threads = [threading.Thread(target=load) for _ in range(2)]
    for thread in threads:
        thread.start()
    inside.wait()  # both threads hold a pause
    assert not gc.isenabled()
    release.set()
    for thread in threads:
        thread.join()
    assert seen == [False, False]
    assert gc.isenabled()
    with pytest.raises(ValueError), chart_cache.collector_paused():
        raise ValueError("a failing load")
    assert gc.isenabled()


def test_cached_results_load_equal_to_the_computed_ones(survey):
    from consult.analysis.cache import cached_results
    from consult.analysis.questions import consultation_results

    cache = MemoryCache()
    first = cached_results(cache, db.session, survey.consultation, ResultSpec("country"))
    again = cached_results(cache, db.session, survey.consultation, ResultSpec("country"))
    assert (
        again
        == first
        == consultation_results(db.session, survey.consultation, ResultSpec("country"))
    )
    assert len(cache) == 1
