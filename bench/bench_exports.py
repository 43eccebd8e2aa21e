"""Benchmark: data exports (CSV, JSON, XLSX) of a 30-question consultation on PostgreSQL.

    .venv/bin/python bench/bench_exports.py [--sizes 25000 100000] [--repeat 3]
    .venv/bin/python bench/bench_exports.py --db postgresql://…/consult_bench_1m [--quick]

Uses its own database, `consult_bench_exports` (created when missing; `BENCH_DATABASE_URL`
overrides it; never a test database), filled once by `bench/datagen.py` (the real LAU registry,
then one consultation per size with that many submitted responses, loaded with COPY); or, with
`--db`, the consultation `--slug` (default `bench-30`) of a database made by `setup_db.py`. Each
measurement runs in a fresh process, so its peak RSS is its own. Prints one JSON object per
measurement; the baseline is PostgreSQL's ``COPY (answer rows of the consultation) TO STDOUT``
read through the same driver, i.e. the cost of merely reading the answers out.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgresql://postgres@127.0.0.1/consult_bench_exports"


def _url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _app():
    import sqlalchemy as sa

    from consult import create_app

    url = sa.engine.make_url(_url().replace("postgresql://", "postgresql+psycopg://", 1))
    if not url.database.startswith("consult_bench"):
        raise SystemExit(f"refusing to use {url.database!r}: not a benchmark database")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        )
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    instance = tempfile.mkdtemp(prefix="bench-exports-")
    return create_app(
        {
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
            "SECRET_KEY": "bench-" * 8,
        }
    )


def _slug(n: int) -> str:
    return f"bench-exports-{n}"


def prepare(sizes: list[int]) -> None:
    """Create the schema, the registry and one consultation per size (once)."""
    import datagen
    import sqlalchemy as sa

    from consult.extensions import db
    from consult.surveys.models import Consultation, Response

    app = _app()
    with app.app_context():
        db.create_all()
        if datagen.authority_count() == 0:
            started = time.perf_counter()
            count = datagen.load_registry()
            print(f"# registry: {count} authorities in {time.perf_counter() - started:.0f} s")
        association = datagen.bench_association()
        for n in sizes:
            consultation = db.session.scalar(
                sa.select(Consultation).where(Consultation.slug == _slug(n))
            )
            if consultation is None:
                consultation = datagen.create_consultation(association, slug=_slug(n))
            have = db.session.scalar(
                sa.select(sa.func.count()).where(Response.consultation_id == consultation.id)
            )
            db.session.execute(
                sa.text(
                    "UPDATE responses SET reference = replace(reference, 'BEN-', :tag) "
                    "WHERE consultation_id = :id AND reference LIKE 'BEN-%'"
                ),
                {"tag": f"B{n}-", "id": consultation.id},
            )
            db.session.commit()
            if have < n:
                started = time.perf_counter()
                datagen.load_responses(consultation, n - have, seed=n)
                db.session.commit()
                # References are unique across consultations: tag this one's.
                db.session.execute(
                    sa.text(
                        "UPDATE responses SET reference = replace(reference, 'BEN-', :tag) "
                        "WHERE consultation_id = :id AND reference LIKE 'BEN-%'"
                    ),
                    {"tag": f"B{n}-", "id": consultation.id},
                )
                db.session.commit()
                print(f"# loaded {n - have} responses in {time.perf_counter() - started:.0f} s")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def measure(bench: str, slug: str, repeat: int) -> None:
    """One measurement in this (fresh) process; prints its JSON line."""
    import sqlalchemy as sa

    from consult.analysis import exports
    from consult.extensions import db
    from consult.surveys.models import Answer, Consultation, Response, ResponseStatus

    app = _app()
    with app.app_context():
        consultation = db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))
        count = db.session.scalar(
            sa.select(sa.func.count()).where(
                Response.consultation_id == consultation.id,
                Response.status == ResponseStatus.SUBMITTED,
            )
        )

        def baseline() -> int:
            answers = (
                sa.select(Answer.__table__)
                .join(Response, Response.id == Answer.response_id)
                .where(Response.consultation_id == consultation.id)
            )
            return sum(len(c) for c in exports._copy_chunks(db.session, answers))

        def run() -> int:
            if bench == "export_csv":
                return sum(len(c) for c in exports.csv_chunks(db.session, consultation))
            if bench == "export_json":
                return sum(len(c) for c in exports.json_chunks(db.session, consultation))
            if bench == "export_xlsx":
                path = exports.xlsx_file(db.session, consultation)
                size = os.path.getsize(path)
                os.unlink(path)
                return size
            return baseline()

        times, size = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            size = run()
            times.append(time.perf_counter() - started)
            db.session.rollback()
        median = statistics.median(times)
        out = {
            "bench": bench,
            "n_responses": count,
            "median_s": round(median, 3),
            "throughput_per_s": round(count / median),
            "peak_rss_mb": _peak_rss_mb(),
            "bytes": size,
            "runs": repeat,
        }
        if bench != "baseline_copy_answers":
            base_times = []
            for _ in range(repeat):
                started = time.perf_counter()
                baseline()
                base_times.append(time.perf_counter() - started)
                db.session.rollback()
            base = statistics.median(base_times)
            out["baseline_copy_answers_s"] = round(base, 3)
            out["ratio_to_baseline"] = round(median / base, 2)
        print(json.dumps(out), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--benches", nargs="+", default=["export_csv", "export_json", "export_xlsx"]
    )
    parser.add_argument("--db", help="measure the consultation --slug of this bench database")
    parser.add_argument("--slug", default="bench-30")
    parser.add_argument("--quick", action="store_true", help="one run of each export")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure(args.one[0], args.one[1], args.repeat)
        return
    if args.db:
        os.environ["BENCH_DATABASE_URL"] = args.db  # the measuring processes inherit it
        slugs = [args.slug]
    else:
        prepare(args.sizes)
        slugs = [_slug(n) for n in args.sizes]
    for slug in slugs:
        for bench in args.benches:
            repeat = 1 if bench == "export_xlsx" or args.quick else args.repeat
            subprocess.run(
                [sys.executable, __file__, "--one", bench, slug, "--repeat", str(repeat)],
                check=True,
            )


if __name__ == "__main__":
    main()
