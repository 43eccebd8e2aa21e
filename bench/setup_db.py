"""Create (or top up) a benchmark database: the LAU registry and N submitted responses.

    .venv/bin/python bench/setup_db.py --db postgresql://postgres@127.0.0.1/consult_bench_1m \
        --responses 1000000

Idempotent: creates the database when missing, the schema (Alembic upgrade) when empty, loads the
registry once, creates the 30-question consultation `bench-30` once and adds responses until it
has `--responses` submitted ones. Never point it at a database the tests use. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app, ensure_database, peak_rss_mb  # noqa: E402

SLUG = "bench-30"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="postgresql://… of a consult_bench* database")
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--slug", default=SLUG)
    args = parser.parse_args()
    import sqlalchemy as sa

    from bench import datagen
    from consult.extensions import db
    from consult.surveys.models import Consultation, Response

    ensure_database(args.db)
    app = bench_app(args.db, tempfile.mkdtemp())
    with app.app_context():
        timings = {}
        started = time.perf_counter()
        if datagen.authority_count() == 0:
            datagen.load_registry()
        timings["registry_s"] = round(time.perf_counter() - started, 2)
        consultation = db.session.scalar(sa.select(Consultation).filter_by(slug=args.slug))
        if consultation is None:
            consultation = datagen.create_consultation(datagen.bench_association(), slug=args.slug)
        have = db.session.scalar(
            sa.select(sa.func.count()).where(Response.consultation_id == consultation.id)
        )
        started = time.perf_counter()
        answers = 0
        if args.responses > have:
            answers = datagen.load_responses(consultation, args.responses - have)
        timings["responses_s"] = round(time.perf_counter() - started, 2)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        print(
            json.dumps(
                {
                    "bench": "setup_db",
                    "n_responses": max(have, args.responses),
                    "added_responses": max(0, args.responses - have),
                    "added_answers": answers,
                    **timings,
                    "peak_rss_mb": peak_rss_mb(),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
