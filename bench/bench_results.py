"""Benchmark: the complete results of the 30-question consultation on a bench database.

    .venv/bin/python bench/bench_results.py --db postgresql://postgres@127.0.0.1/consult_bench_1m

"Complete results" = every question overall, every question broken down by country, and
participation by country. Prints one JSON line per measurement:

- `results_baseline_sql`: the bare SQL `GROUP BY` queries giving the same counts (answers joined
  to submitted responses, per question, overall and by country), the baseline of the others;
- `results_scan_cold`: the product's aggregates scanning `answers` (tallies invalidated), no cache;
- `tallies_rebuild`: `rebuild-tallies` on the whole consultation;
- `results_tallies_cold`: the product's aggregates read from the tallies, no results cache;
- `results_warm`: `cached_results` + `cached_participation` with the version check (in-process
  cache, and Redis when REDIS_URL is set);
- `results_fresh`: a new submission through the responding services, then the time until the
  cached results show it (submit + first read; the figure that must stay under 1 s);
- `charts_cold_svg`, `charts_cold_png`: every chart of the consultation, no chart cache;
- `report_pdf`: the summary report built (overall and three breakdowns, every chart) and rendered
  to PDF by WeasyPrint, no cache.

`--skip-scan` leaves out the scan measurement (minutes at 1 M), `--keep-tallies` the rebuild,
`--skip-report` the report; `--per-question` adds `results_question` (each question overall and
by country) and `results_participation` lines.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app, emit, timed  # noqa: E402


def baseline_sql(session, consultation_id: int, question_ids: list[int]) -> None:
    """The equivalent bare SQL GROUP BY queries (no suppression, no Python assembly)."""
    import sqlalchemy as sa

    for question_id in question_ids:
        for by_country in (False, True):
            group = ", r.country" if by_country else ""
            session.execute(
                sa.text(
                    "SELECT a.option_id, a.row_id, a.value_num, a.value_date, a.dont_know, "
                    "count(*), count(a.value_text)" + group + " FROM answers a "
                    "JOIN responses r ON r.id = a.response_id "
                    "WHERE a.question_id = :q AND r.status = 'submitted' "
                    "GROUP BY a.option_id, a.row_id, a.value_num, a.value_date, a.dont_know" + group
                ),
                {"q": question_id},
            ).all()
    session.execute(
        sa.text(
            "SELECT country, status, count(*) FROM responses WHERE consultation_id = :c "
            "GROUP BY country, status"
        ),
        {"c": consultation_id},
    ).all()


def complete_results(session, consultation, cache=None) -> int:
    """Every question overall and by country, and participation by country; returns n."""
    from consult.analysis.cache import cached_participation, cached_results
    from consult.analysis.participation import participation
    from consult.analysis.questions import consultation_results
    from consult.analysis.spec import ResultSpec

    if cache is None:
        overall = consultation_results(session, consultation)
        consultation_results(session, consultation, ResultSpec("country"))
        participation(session, consultation, ResultSpec("country"))
    else:
        overall = cached_results(cache, session, consultation)
        cached_results(cache, session, consultation, ResultSpec("country"))
        cached_participation(cache, session, consultation, ResultSpec("country"))
    return overall[0].n or 0


def sample_results(session, consultation, question_ids) -> None:
    """`complete_results` restricted to some questions (participation left out)."""
    from consult.analysis.questions import question_result
    from consult.analysis.spec import ResultSpec

    for question_id in question_ids:
        question_result(session, question_id)
        question_result(session, question_id, ResultSpec("country"))


def per_question(session, consultation, n: int) -> None:
    """One line per question: its result overall and by country from the tallies, no cache."""
    from consult.analysis.participation import participation
    from consult.analysis.questions import question_result
    from consult.analysis.spec import ResultSpec
    from consult.surveys.models import QuestionType

    for question in consultation.questions:
        if question.type == QuestionType.NOTE:
            continue
        times = []
        for spec in (None, ResultSpec("country")):
            started = time.perf_counter()
            question_result(session, question.id, spec)
            times.append(time.perf_counter() - started)
        emit(
            "results_question",
            n,
            [sum(times)],
            code=question.code,
            type=question.type.value,
            overall_s=round(times[0], 4),
            by_country_s=round(times[1], 4),
        )
    started = time.perf_counter()
    participation(session, consultation, ResultSpec("country"))
    emit("results_participation", n, [time.perf_counter() - started])
    session.rollback()


def charts(session, consultation, n: int) -> None:
    """Every chart of the consultation (each question, participation), cold: no chart cache."""
    from consult.analysis.cache import MemoryCache, cached_chart, cached_participation_chart
    from consult.surveys.models import QuestionType

    cache = MemoryCache()
    questions = [q for q in consultation.questions if q.type != QuestionType.NOTE]
    per_chart = []
    for fmt in ("svg", "png"):
        started = time.perf_counter()
        for question in questions:
            one = time.perf_counter()
            cached_chart(cache, session, question, fmt=fmt)
            per_chart.append(time.perf_counter() - one)
        one = time.perf_counter()
        cached_participation_chart(cache, session, consultation, fmt=fmt)
        per_chart.append(time.perf_counter() - one)
        total = time.perf_counter() - started
        emit(
            f"charts_cold_{fmt}",
            n,
            per_chart[-(len(questions) + 1) :],
            charts=len(questions) + 1,
            all_charts_s=round(total, 3),
            max_chart_s=round(max(per_chart[-(len(questions) + 1) :]), 3),
            note="median/p95/p99 are per chart; all_charts_s every chart in turn",
        )
        session.rollback()


def report(session, consultation, n: int) -> None:
    """The PDF summary report, cold: built from the tallies (no results cache), then rendered."""
    from consult.analysis.report import build_report
    from consult.results.report_render import render_pdf

    started = time.perf_counter()
    built = build_report(session, consultation)
    build_s = time.perf_counter() - started
    pdf = render_pdf(built)
    total = time.perf_counter() - started
    emit(
        "report_pdf",
        n,
        [total],
        build_s=round(build_s, 3),
        render_s=round(total - build_s, 3),
        pdf_bytes=len(pdf),
    )
    session.rollback()


def respondent(session, consultation):
    """An authority without a response to the consultation, and an official of it."""
    import sqlalchemy as sa

    from bench import datagen
    from consult.accounts.models import Organisation, OrgKind, Role, User
    from consult.surveys.models import Response

    answered = sa.exists().where(  # an anti-join: NOT IN over a million ids is a slow plan
        Response.consultation_id == consultation.id, Response.authority_id == Organisation.id
    )
    unanswered = (
        sa.select(Organisation)
        .where(Organisation.kind == OrgKind.AUTHORITY, ~answered)
        .order_by(Organisation.id)
        .limit(1)
    )
    authority = session.scalar(unanswered)
    if authority is None:  # every authority answered: one more synthetic copy
        datagen.ensure_authorities(datagen.authority_count() + 1)
        authority = session.scalar(unanswered)
    user = User(
        email=f"bench-{authority.id}-{time.time_ns()}@bench.example",
        name="Bench official",
        organisation=authority,
        role=Role.RESPONDENT,
        is_signatory=True,
    )
    session.add(user)
    session.commit()
    return authority, user


def draft_one(session, consultation, rng):
    """A new authority's draft with every answer, ready to submit: (response, user)."""
    from bench.datagen import fake_answers
    from consult.surveys import responding

    authority, user = respondent(session, consultation)
    response = responding.start_response(consultation, authority, actor=user)
    answers, other = fake_answers(rng, consultation.questions)
    response = responding.save_draft(
        response, version=response.version, answers=answers, other=other, actor=user
    )
    return response, user


def submit(response, user) -> None:
    from consult.surveys import responding
    from consult.surveys.models import Consent

    responding.submit(
        response,
        version=response.version,
        actor=user,
        consent=Consent.PUBLIC_ANONYMOUS,
        submitter_name="Bench official",
        submitter_function="Officer",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--slug", default="bench-30")
    parser.add_argument("--warm-runs", type=int, default=30)
    parser.add_argument("--fresh-runs", type=int, default=5)
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--keep-tallies", action="store_true", help="do not rebuild them")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument(
        "--per-question", action="store_true", help="also time each question (where time goes)"
    )
    parser.add_argument("--only-scan", action="store_true", help="the before figures")
    parser.add_argument(
        "--sample-questions",
        type=int,
        default=0,
        help="time the baseline and the scan on this many questions and extrapolate (1 M)",
    )
    args = parser.parse_args()
    import random

    import sqlalchemy as sa

    from consult.analysis.cache import MemoryCache, RedisCache
    from consult.extensions import db
    from consult.surveys import tallies
    from consult.surveys.models import Consultation, Question, Response, ResponseStatus

    app = bench_app(args.db, tempfile.mkdtemp())
    with app.app_context():
        session = db.session
        consultation = session.scalar(sa.select(Consultation).filter_by(slug=args.slug))
        cid = consultation.id
        n = session.scalar(
            sa.select(sa.func.count()).where(
                Response.consultation_id == cid, Response.status == ResponseStatus.SUBMITTED
            )
        )
        question_ids = list(
            session.scalars(
                sa.select(Question.id).filter_by(consultation_id=cid).order_by(Question.id)
            )
        )
        sample = question_ids[: args.sample_questions] if args.sample_questions else question_ids
        scale = len(question_ids) / len(sample)
        seconds, _ = timed(lambda: baseline_sql(session, cid, sample))
        baseline = seconds[0] * scale
        extra = {"extrapolated_from_questions": len(sample)} if scale != 1 else {}
        emit("results_baseline_sql", n, [baseline], baseline_s=round(baseline, 4), **extra)
        session.rollback()

        if not args.skip_scan:
            had_tallies = tallies.is_complete(session, cid)
            tallies.invalidate(session, cid)
            session.commit()
            session.expire_all()
            if scale == 1:
                seconds, _ = timed(lambda: complete_results(session, consultation))
            else:
                seconds, _ = timed(lambda: sample_results(session, consultation, sample))
                seconds = [seconds[0] * scale]
            emit(
                "results_scan_cold",
                n,
                seconds,
                baseline_s=round(baseline, 4),
                source="scan",
                **extra,
            )
            if had_tallies and args.keep_tallies:
                tallies.rebuild(session, cid)
        if args.only_scan:
            return
        if not args.keep_tallies or not tallies.is_complete(session, cid):
            seconds, rows = timed(lambda: tallies.rebuild(session, cid))
            vacuum_s, _ = timed(lambda: tallies.vacuum(session))
            emit("tallies_rebuild", n, seconds, tally_rows=rows, vacuum_s=round(vacuum_s[0], 2))
        session.expire_all()
        seconds, _ = timed(lambda: complete_results(session, consultation), runs=3)
        emit(
            "results_tallies_cold",
            n,
            seconds,
            baseline_s=round(baseline, 4),
            source="tallies",
            note="no results cache; the database's own buffers warm after the first run",
        )
        caches = {"memory": MemoryCache()}
        if os.environ.get("REDIS_URL"):
            import redis

            client = redis.Redis.from_url(os.environ["REDIS_URL"])
            caches["redis"] = RedisCache(client, prefix=f"bench:{time.time_ns()}:")
        for name, cache in caches.items():
            complete_results(session, consultation, cache)
            session.rollback()
            seconds, _ = timed(
                lambda cache=cache: (
                    complete_results(session, consultation, cache),
                    session.rollback(),
                ),
                runs=args.warm_runs,
            )
            emit(f"results_warm_{name}", n, seconds, baseline_s=round(baseline, 4))
        rng = random.Random(7)
        cache = caches.get("redis", caches["memory"])
        fresh = []
        for _ in range(args.fresh_runs):
            response, user = draft_one(session, consultation, rng)
            before = complete_results(session, consultation, cache)
            session.rollback()
            started = time.perf_counter()
            submit(response, user)
            after = complete_results(session, consultation, cache)
            fresh.append(time.perf_counter() - started)
            if after != before + 1:
                raise SystemExit(f"results did not show the new submission: {before} → {after}")
            n = after
        emit(
            "results_fresh",
            n,
            fresh,
            baseline_s=round(baseline, 4),
            note="submit a saved draft through the services, then cached results showing it",
        )
        # Last: their objects would weigh on the warm reads (the collector walks the heap).
        if args.per_question:
            per_question(session, consultation, n)
        charts(session, consultation, n)
        if not args.skip_report:
            report(session, consultation, n)


if __name__ == "__main__":
    main()
