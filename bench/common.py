"""Shared helpers of the benchmarks: the app on a bench database, timing statistics, JSON lines."""

from __future__ import annotations

import json
import os
import re
import resource
import statistics
import time
from collections.abc import Callable

BENCH_PREFIX = "consult_bench"


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def check_bench_url(url: str) -> None:
    """Refuse any PostgreSQL database not named consult_bench* (never a test database)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(sqlalchemy_url(url))
    name = parsed.database or ""
    test_like = re.search(r"_gw\d+$", name) or name == BENCH_PREFIX
    if parsed.get_backend_name() == "postgresql" and (
        not name.startswith(BENCH_PREFIX + "_") or test_like
    ):
        raise SystemExit(f"refusing {name!r}: bench databases are {BENCH_PREFIX}_<name>")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database `url` names when it does not exist."""
    import sqlalchemy as sa

    check_bench_url(url)
    parsed = sa.engine.make_url(sqlalchemy_url(url))
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def drop_database(url: str) -> None:
    import sqlalchemy as sa

    check_bench_url(url)
    parsed = sa.engine.make_url(sqlalchemy_url(url))
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    admin.dispose()


def bench_app(url: str, instance: str, **config):
    """The app on a bench database, its schema created when missing."""
    from consult import create_app
    from consult.extensions import db

    check_bench_url(url)
    app = create_app(
        {
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
            "SECRET_KEY": "bench-" * 8,
            "RATELIMIT_ENABLED": False,
            **config,
        }
    )
    with app.app_context():
        db.create_all()
    return app


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, linear between order statistics."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(seconds: list[float]) -> dict:
    return {
        "runs": len(seconds),
        "median_s": round(statistics.median(seconds), 4),
        "p95_s": round(percentile(seconds, 0.95), 4),
        "p99_s": round(percentile(seconds, 0.99), 4),
    }


def timed(function: Callable, runs: int = 1) -> tuple[list[float], object]:
    seconds, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def emit(bench: str, n_responses: int | None, seconds: list[float], **extra) -> dict:
    """Print one JSON measurement; `baseline_s` (if given) adds `ratio_to_baseline`."""
    record = {"bench": bench, "n_responses": n_responses, **summary(seconds)}
    median = record["median_s"]
    record["throughput_per_s"] = round(n_responses / median, 1) if n_responses and median else None
    record.update(extra)
    if extra.get("baseline_s"):
        record["ratio_to_baseline"] = round(median / extra["baseline_s"], 2)
    record["peak_rss_mb"] = peak_rss_mb()
    record["db"] = os.environ.get("BENCH_DB_KIND", "postgresql")
    print(json.dumps(record), flush=True)
    return record
