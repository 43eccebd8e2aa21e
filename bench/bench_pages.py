"""Benchmark: server time of the answer page and of the questionnaire builder page for a
40-question consultation in 6 languages.

    .venv/bin/python bench/bench_pages.py --db postgresql://postgres@127.0.0.1/consult_bench_load

In-process (Flask's test client: the time spent in the app, without a network or a proxy) with
the production configuration's settings that matter (CSRF on, secure cookies off for the client).
A signed-in official of an authority loads every answer page of a filled-in draft; a signed-in
author of the association loads the builder page. `--runs` requests each; prints JSON lines
`page_answer` and `page_builder` (median, p95, p99). `--profile` writes a pyinstrument report of
each page to bench/profiles/.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_app, emit, ensure_database, percentile  # noqa: E402

SLUG = "bench-pages-40"
LANGUAGES = ("en", "fr", "de", "it", "es", "pl")
PASSWORD = "bench-pages-password-4711"  # noqa: S105 (synthetic accounts of a bench database)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]*)"')


def prepare(app):
    import sqlalchemy as sa

    from bench import datagen
    from consult.accounts.models import Organisation, OrgKind, Role, User
    from consult.accounts.passwords import hash_password
    from consult.extensions import db
    from consult.surveys import responding

    with app.app_context():
        db.session.execute(sa.text("DELETE FROM consultations WHERE slug = :s"), {"s": SLUG})
        db.session.execute(sa.text("DELETE FROM users WHERE email LIKE 'pages-%@bench.example'"))
        db.session.commit()
        association = datagen.bench_association()
        consultation = datagen.create_consultation(
            association, slug=SLUG, n_questions=40, languages=LANGUAGES
        )
        authority = Organisation(
            kind=OrgKind.AUTHORITY, slug=f"pages-{time.time_ns()}", name="Pages", country="FR"
        )
        db.session.add(authority)
        db.session.flush()
        password_hash = hash_password(PASSWORD)
        official = User(
            email="pages-official@bench.example",
            name="Official",
            organisation_id=authority.id,
            role=Role.RESPONDENT,
            password_hash=password_hash,
            is_signatory=True,
        )
        author = User(
            email="pages-author@bench.example",
            name="Author",
            organisation_id=association.id,
            role=Role.AUTHOR,
            password_hash=password_hash,
        )
        db.session.add_all([official, author])
        db.session.commit()
        response = responding.start_response(consultation, authority, actor=official)
        answers, other = datagen.fake_answers(random.Random(3), consultation.questions)
        responding.save_draft(
            response, version=response.version, answers=answers, other=other, actor=official
        )
        return len(consultation.sections)


def signed_in(app, email: str):
    client = app.test_client()
    page = client.get("/sign-in")
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    response = client.post(
        "/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    if response.status_code != 302:
        raise SystemExit(f"sign-in of {email} answered {response.status_code}")
    return client


def measure(client, paths: list[str], runs: int) -> list[float]:
    for path in paths:  # one warm-up each: templates compiled, caches filled
        assert client.get(path).status_code == 200, path
    seconds, cpu = [], []
    for index in range(runs):
        path = paths[index % len(paths)]
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (path, response.status_code)
    return seconds, cpu


def cpu_fields(cpu: list[float]) -> dict:
    """The app process's own CPU time per request: what the page costs on a machine whose
    cores are shared (wall time then includes waiting for a core)."""
    return {
        "cpu_median_s": round(percentile(cpu, 0.5), 4),
        "cpu_p95_s": round(percentile(cpu, 0.95), 4),
    }


def profile(client, path: str, name: str) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(20):
        client.get(path)
    profiler.stop()
    out = ROOT / "bench" / "profiles"
    out.mkdir(exist_ok=True)
    (out / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    ensure_database(args.db)
    app = bench_app(
        args.db,
        tempfile.mkdtemp(),
        RATELIMIT_ENABLED=False,
        SERVER_NAME=None,
    )
    sections = prepare(app)
    official = signed_in(app, "pages-official@bench.example")
    answer_paths = [f"/respond/{SLUG}/sections/{n}" for n in range(1, sections + 1)]
    seconds, cpu = measure(official, answer_paths, args.runs)
    emit(
        "page_answer",
        None,
        seconds,
        **cpu_fields(cpu),
        questions=40,
        languages=len(LANGUAGES),
        sections=sections,
        target_p95_s=0.05,
    )
    author = signed_in(app, "pages-author@bench.example")
    builder = f"/consultations/{SLUG}/questionnaire"
    seconds, cpu = measure(author, [builder], args.runs)
    emit(
        "page_builder",
        None,
        seconds,
        **cpu_fields(cpu),
        questions=40,
        languages=len(LANGUAGES),
        target_p95_s=0.2,
    )
    if args.profile:
        profile(official, answer_paths[0], "page_answer")
        profile(author, builder, "page_builder")


if __name__ == "__main__":
    main()
