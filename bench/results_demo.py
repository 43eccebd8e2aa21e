"""Time building every result and every chart of the demo consultation (prints JSON lines).

    .venv/bin/python bench/results_demo.py [DATABASE_URL]

Seeds the demo data (`seed-demo`: 400 authorities, 240 submitted responses) into a throwaway
SQLite file (or the empty PostgreSQL database given), then times, with an empty chart cache:
the overview page's content (participation, every question's result, every SVG chart and alt
text), the same again from a warm cache, a breakdown by country, and every chart as PNG and PDF.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time


def main() -> None:
    tmp = tempfile.mkdtemp()
    uri = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tmp}/bench.sqlite3"
    uri = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    from consult import create_app
    from consult.analysis.cache import MemoryCache
    from consult.analysis.spec import ResultSpec
    from consult.demo import DEMO_CONSULTATION_SLUG, seed
    from consult.extensions import db
    from consult.results import services

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": uri,
            "INSTANCE_PATH": tmp,
            "SECRET_KEY": "bench-" * 8,
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_COST": 8192,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed()
        consultation = services.get_consultation(db.session, DEMO_CONSULTATION_SLUG)
        submitted = services.submitted_count(db.session, consultation.id)
        database = db.engine.dialect.name

        def measure(name: str, run) -> None:
            db.session.expire_all()
            start, cpu = time.perf_counter(), time.process_time()
            out = run()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            print(
                json.dumps(
                    {
                        "bench": name,
                        "database": database,
                        "responses": submitted,
                        "seconds": round(seconds, 3),
                        "cpu_seconds": round(cpu, 3),  # wall time inflates on a busy machine
                        **out,
                    }
                )
            )

        cache = MemoryCache()

        def overview(spec=None):
            spec = spec or ResultSpec()

            def run():
                data = services.overview(
                    db.session, cache, consultation, spec, language="en", unsuppressed=False
                )
                return {
                    "questions": len(data.questions),
                    "charts": 1 + sum(1 for q in data.questions if q.svg),
                }

            return run

        measure("overview_cold_cache", overview())
        measure("overview_warm_cache", overview())
        measure("overview_by_country_cold", overview(ResultSpec("country")))

        def every_download():
            count = 0
            for question in services.questions_of(db.session, consultation):
                for fmt in ("png", "pdf"):
                    data = services.question_chart(
                        db.session,
                        cache,
                        question,
                        ResultSpec(),
                        language="en",
                        fmt=fmt,
                        unsuppressed=False,
                    )
                    count += data is not None
            return {"charts": count}

        measure("every_chart_png_and_pdf_cold", every_download)


if __name__ == "__main__":
    main()
