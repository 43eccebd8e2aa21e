"""Time computing every result of a 30-question consultation (prints JSON).

    .venv/bin/python bench/analysis_results.py [responses] [DATABASE_URL]

Creates a throwaway database content (SQLite file by default), 3 × 10 questions of every type,
`responses` demo-like authorities answering through `fill_demo_responses`, then times
`consultation_results` for several views (suppression on), `participation`, and one chart.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

import sqlalchemy as sa


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    tmp = tempfile.mkdtemp()
    uri = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{tmp}/bench.sqlite3"
    uri = uri.replace("postgresql://", "postgresql+psycopg://", 1)
    from consult import create_app
    from consult.accounts.demo_registry import demo_authorities
    from consult.accounts.models import Organisation, OrgKind, size_class_for
    from consult.analysis.charts import chart
    from consult.analysis.demo_responses import fill_demo_responses
    from consult.analysis.participation import participation
    from consult.analysis.questions import consultation_results
    from consult.analysis.spec import AnswerFilter, Filters, ResultSpec
    from consult.extensions import db
    from consult.surveys.models import Consultation, Option, OptionRole, Question, Section

    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": uri,
            "INSTANCE_PATH": tmp,
            "SECRET_KEY": "bench-" * 8,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        association = Organisation(kind=OrgKind.ASSOCIATION, slug="bench-assoc", name="Bench")
        db.session.add(association)
        db.session.flush()
        rows = []
        for index, row in enumerate(demo_authorities(count, seed=7)):
            rows.append(
                {
                    **row,
                    "kind": OrgKind.AUTHORITY.value,
                    "slug": f"demo-b{index}",
                    "level": row["level"].value,
                    "urbanisation": row["urbanisation"].value if row["urbanisation"] else None,
                    "size_class": size_class_for(row["population"]).value,
                    "active": True,
                }
            )
        db.session.execute(sa.insert(Organisation.__table__), rows)
        consultation = Consultation(
            slug="bench",
            association=association,
            title={"en": "Bench"},
            audience_criteria={"members_only": False},
        )
        section = Section(consultation=consultation)
        kinds = [
            "single_choice",
            "multiple_choice",
            "yes_no",
            "scale",
            "matrix",
            "ranking",
            "number",
            "long_text",
            "date",
            "single_choice",
        ]
        for index in range(30):
            kind = kinds[index % len(kinds)]
            settings = {"points": 5, "dont_know": True} if kind in ("scale", "matrix") else {}
            question = Question(
                consultation=consultation,
                section=section,
                position=index,
                code=f"q{index}",
                type=kind,
                label={"en": f"Question {index}"},
                settings=settings,
            )
            for o in range(5 if kind in ("single_choice", "multiple_choice", "ranking") else 0):
                question.options.append(
                    Option(position=o, code=f"o{o}", label={"en": f"O{o}"}, is_other=o == 4)
                )
            for r in range(4 if kind == "matrix" else 0):
                question.options.append(
                    Option(position=r, code=f"r{r}", label={"en": f"R{r}"}, role=OptionRole.ROW)
                )
            db.session.add(question)
        db.session.commit()
        started = time.perf_counter()
        fill_demo_responses(db.session, consultation, count)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("ANALYZE"))  # as autovacuum would after a bulk load
        timings = {"fill_seconds": round(time.perf_counter() - started, 3)}
        specs = {
            "overall": ResultSpec(),
            "by_country": ResultSpec("country"),
            "by_nuts2": ResultSpec("nuts2"),
            "by_association": ResultSpec("association"),
            "filtered": ResultSpec("level", Filters(answers=(AnswerFilter("q2", ("yes",)),))),
        }
        for name, spec in specs.items():
            started = time.perf_counter()
            results = consultation_results(db.session, consultation, spec)
            timings[name] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        participation(db.session, consultation)
        timings["participation"] = round(time.perf_counter() - started, 3)
        started = time.perf_counter()
        chart(results[3], "en", "svg")
        timings["one_scale_chart_svg"] = round(time.perf_counter() - started, 3)
        print(
            json.dumps(
                {
                    "dialect": db.engine.dialect.name,
                    "responses": count,
                    "questions": 30,
                    "seconds": timings,
                }
            ),
            flush=True,
        )
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
