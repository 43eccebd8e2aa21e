"""Benchmark: submission load on the app under gunicorn (production configuration).

    .venv/bin/python bench/bench_submit.py --db postgresql://postgres@127.0.0.1/consult_bench_load \
        [--respondents 200] [--concurrency 50] [--workers 2] [--threads 4]

Creates (fresh) a 12-question consultation in 2 sections on the bench database, `--respondents`
authorities with one signed-in official each (signed in before the clock starts: argon2 is
deliberately slow), starts gunicorn with CONSULT_ENV=production, then `--concurrency` asyncio
clients (httpx) each take the next official and load section 1, save it, load section 2, save it,
load the review page and submit. Prints JSON lines:

- `submit_load`: saves and submissions per second, p50/p95/p99 of every request, errors, the
  gunicorn workers' RSS afterwards, and the database check (one submitted response per official,
  one version each: 0 lost, 0 duplicated);
- `submit_baseline_psycopg`: the same responses and answer rows inserted straight through
  psycopg (one transaction per response, as many connections as clients), for the ratio.

Sign-in is limited per address in production; the benchmark raises LOGIN_LIMIT_PER_IP for its own
server (one address signs everyone in). Production cookies are `Secure`; the client (plain HTTP
on 127.0.0.1) keeps them itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    bench_app,
    drop_database,
    ensure_database,
    percentile,
    sqlalchemy_url,
)

SLUG = "bench-load"
PASSWORD = "bench-load-password-4711"  # noqa: S105 (synthetic accounts of a throwaway database)
TOKEN = re.compile(r'name="(csrf_token|version)"[^>]*value="([^"]*)"')


def prepare(url: str, respondents: int, seed: int = 11) -> dict:
    """A fresh consultation and `respondents` officials; returns what the clients need."""
    import sqlalchemy as sa

    from bench import datagen
    from consult.accounts.models import Organisation, OrgKind, Role, User
    from consult.accounts.passwords import hash_password
    from consult.extensions import db

    app = bench_app(url, tempfile.mkdtemp())
    with app.app_context():
        association = datagen.bench_association()
        db.session.execute(
            sa.text("DELETE FROM consultations WHERE slug IN (:a, :b)"),
            {"a": SLUG, "b": SLUG + "-baseline"},
        )
        db.session.execute(sa.text("DELETE FROM users WHERE email LIKE 'load-%@bench.example'"))
        db.session.commit()
        consultation = datagen.create_consultation(
            association, slug=SLUG, n_questions=12, n_sections=2
        )
        twin = datagen.create_consultation(
            association, slug=SLUG + "-baseline", n_questions=12, n_sections=2
        )
        stamp = time.time_ns()
        authorities = [
            Organisation(
                kind=OrgKind.AUTHORITY,
                slug=f"load-{stamp}-{i}",
                name=f"Load authority {i}",
                country=random.Random(i).choice(["FR", "DE", "IT", "ES", "PL", "EL"]),
            )
            for i in range(respondents)
        ]
        db.session.add_all(authorities)
        db.session.flush()
        password_hash = hash_password(PASSWORD)
        emails = []
        for authority in authorities:
            email = f"load-{authority.id}@bench.example"
            db.session.add(
                User(
                    email=email,
                    name=f"Official {authority.id}",
                    organisation_id=authority.id,
                    role=Role.RESPONDENT,
                    password_hash=password_hash,
                    is_signatory=True,
                )
            )
            emails.append(email)
        db.session.commit()
        rng = random.Random(seed)
        sections = []
        for section in consultation.sections:
            sections.append([q.code for q in section.questions])
        questions = list(consultation.questions)
        plans = []
        for _ in emails:
            answers, other = datagen.fake_answers(rng, questions)
            plans.append((answers, other))
        kinds = {q.code: q.type.value for q in questions}
        rows = {q.code: [o.code for o in q.options if o.role.value == "row"] for q in questions}
        return {
            "consultation_id": consultation.id,
            "emails": emails,
            "sections": sections,
            "plans": plans,
            "kinds": kinds,
            "rows": rows,
            "baseline_id": twin.id,
        }


def form_fields(codes, answers, other, kinds, rows) -> list[tuple[str, str]]:
    """The answer page's fields for `answers` (see consult.surveys.respond_forms.read)."""
    fields = []
    for code in codes:
        if code not in answers:
            continue
        value, kind = answers[code], kinds[code]
        if kind in ("multiple_choice", "ranking"):
            fields += [(code, str(v)) for v in value]
        elif kind == "matrix":
            fields += [(f"{code}.{row}", str(v)) for row, v in value.items()]
        else:
            fields.append((code, str(value)))
        if code in other:
            fields.append((f"{code}.other", other[code]))
    return fields


class Client:
    """One official's browser: cookies kept by hand (production cookies are Secure)."""

    def __init__(self, http, base: str):
        self.http, self.base, self.cookies = http, base, {}

    def _keep(self, response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def request(self, method: str, path: str, timings=None, kind=None, **kwargs):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        started = time.perf_counter()
        response = await self.http.request(method, self.base + path, headers=headers, **kwargs)
        if timings is not None:
            timings.append((kind, time.perf_counter() - started, response.status_code))
        self._keep(response)
        return response

    @staticmethod
    def tokens(html: str) -> dict:
        return dict(TOKEN.findall(html))


async def sign_in(client: Client, email: str) -> None:
    page = await client.request("GET", "/sign-in")
    tokens = client.tokens(page.text)
    response = await client.request(
        "POST",
        "/sign-in",
        data={"csrf_token": tokens["csrf_token"], "email": email, "password": PASSWORD},
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in of {email} answered {response.status_code}")


async def respond(client: Client, setup: dict, index: int, timings: list) -> bool:
    """Load the form, save two sections, submit; True when the receipt page is reached."""
    base = f"/respond/{SLUG}"
    answers, other = setup["plans"][index]
    await client.request("POST", f"{base}/start", timings, "start", data=await _csrf(client, base))
    ok = True
    for number, codes in enumerate(setup["sections"], start=1):
        page = await client.request("GET", f"{base}/sections/{number}", timings, "load_section")
        tokens = client.tokens(page.text)
        fields = form_fields(codes, answers, other, setup["kinds"], setup["rows"])
        fields += [("csrf_token", tokens["csrf_token"]), ("version", tokens["version"])]
        fields.append(("action", "save"))
        data: dict[str, list[str]] = {}
        for name, value in fields:
            data.setdefault(name, []).append(value)
        saved = await client.request(
            "POST", f"{base}/sections/{number}", timings, "save_section", data=data
        )
        ok = ok and saved.status_code == 200
    review = await client.request("GET", f"{base}/review", timings, "load_review")
    tokens = client.tokens(review.text)
    submitted = await client.request(
        "POST",
        f"{base}/submit",
        timings,
        "submit",
        data={
            "csrf_token": tokens.get("csrf_token", ""),
            "version": tokens.get("version", ""),
            "consent": "public_anonymous",
            "submitter_name": "Load official",
            "submitter_function": "Integration officer",
        },
    )
    return ok and submitted.status_code == 302 and "receipt" in submitted.headers["location"]


async def _csrf(client: Client, base: str) -> dict:
    page = await client.request("GET", base)
    return {"csrf_token": client.tokens(page.text).get("csrf_token", "")}


async def load(base_url: str, setup: dict, concurrency: int) -> dict:
    import httpx

    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        clients = [Client(http, base_url) for _ in setup["emails"]]
        semaphore = asyncio.Semaphore(concurrency)

        async def signed_in(i):
            async with semaphore:
                await sign_in(clients[i], setup["emails"][i])

        await asyncio.gather(*(signed_in(i) for i in range(len(clients))))
        timings: list = []
        queue = list(range(len(clients)))
        outcomes = []

        async def worker():
            while queue:
                i = queue.pop()
                try:
                    outcomes.append(await respond(clients[i], setup, i, timings))
                except Exception as error:
                    outcomes.append(False)
                    timings.append(("exception", 0.0, repr(error)[:80]))

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"timings": timings, "outcomes": outcomes, "elapsed": elapsed}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def worker_rss_mb(master_pid: int) -> list[float]:
    out = subprocess.run(
        ["ps", "-o", "pid=,rss=", "--ppid", str(master_pid)], capture_output=True, text=True
    ).stdout
    return [round(int(line.split()[1]) / 1024, 1) for line in out.splitlines() if line.strip()]


def start_server(url: str, port: int, workers: int, threads: int, instance: str):
    env = {
        **os.environ,
        "CONSULT_ENV": "production",
        "SECRET_KEY": "bench-secret-" * 4,
        "DATABASE_URL": url,
        "CONSULT_INSTANCE_PATH": instance,
        "LOGIN_LIMIT_PER_IP": "100000 per minute",
        "LOGIN_LIMIT_PER_ACCOUNT": "1000 per minute",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        # Always given: gunicorn.conf.py (read too; its keep-alive of 75 s spares clients the
        # ReadError of reusing a connection gunicorn's 2 s default had closed) sets 4 threads.
        "--threads",
        str(threads),
    ]
    server = subprocess.Popen([*command, "wsgi:app"], cwd=ROOT, env=env)
    import httpx

    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/sign-in", timeout=1)
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def check_database(url: str, setup: dict, completed: int) -> dict:
    """Responses in the database against what the clients saw: `lost` counts submissions a
    client saw accepted (receipt) that are not submitted in the database; `duplicated` extra
    responses or versions. Flows that failed before submitting are errors, not losses."""
    import sqlalchemy as sa

    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.connect() as conn:
        row = conn.execute(
            sa.text(
                "SELECT count(*), count(DISTINCT authority_id), "
                "sum(CASE WHEN status = 'submitted' THEN 1 ELSE 0 END), "
                "sum(submission_count), "
                "(SELECT count(*) FROM response_versions v JOIN responses r2 "
                "ON r2.id = v.response_id WHERE r2.consultation_id = :c) "
                "FROM responses WHERE consultation_id = :c"
            ),
            {"c": setup["consultation_id"]},
        ).one()
    engine.dispose()
    responses, authorities, submitted, submissions, versions = row
    return {
        "responses": responses,
        "submitted": submitted,
        "lost": max(0, completed - (submitted or 0)),
        "duplicated": (responses - authorities) + ((versions or 0) - (submitted or 0)),
        "submission_count_total": submissions,
    }


def baseline(url: str, setup: dict, concurrency: int) -> float:
    """Seconds to insert the same responses and answer rows straight through psycopg."""
    import psycopg
    import sqlalchemy as sa

    from bench.datagen import ANSWER_COLUMNS
    from consult.surveys.answers import AnswerEncoder

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    cid = setup["baseline_id"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        authority_ids = [
            r[0]
            for r in conn.execute(
                "SELECT organisation_id FROM users WHERE email = ANY(%s) ORDER BY id",
                (setup["emails"],),
            )
        ]
    app = bench_app(url, tempfile.mkdtemp())
    with app.app_context():
        from consult.extensions import db
        from consult.surveys.models import Question

        questions = db.session.scalars(
            sa.select(Question).where(Question.consultation_id == cid)
        ).all()
        encoder = AnswerEncoder(questions)
        rows = [encoder.rows(*plan) for plan in setup["plans"]]
    placeholders = ", ".join(["%s"] * len(ANSWER_COLUMNS))
    insert_answer = f"INSERT INTO answers ({', '.join(ANSWER_COLUMNS)}) VALUES ({placeholders})"

    def one(conn, index, authority_id):
        with conn.transaction():
            response_id = conn.execute(
                "INSERT INTO responses (consultation_id, authority_id, seq, status, version, "
                "language, draft, consent, created_at, updated_at, submitted_at, "
                "submission_count, amending) VALUES (%s, %s, %s, 'submitted', 2, 'en', %s, "
                "'public_anonymous', now(), now(), now(), 1, false) RETURNING id",
                (cid, authority_id, index + 1, json.dumps({"answers": setup["plans"][index][0]})),
            ).fetchone()[0]
            with conn.cursor() as cursor:
                cursor.executemany(
                    insert_answer,
                    [
                        (
                            response_id,
                            r["question_id"],
                            r["option_id"],
                            r["row_id"],
                            r["value_num"],
                            r["value_text"],
                            r["value_date"],
                            r["dont_know"],
                        )
                        for r in rows[index]
                    ],
                )

    import threading

    todo = list(enumerate(authority_ids))
    lock = threading.Lock()

    def run():
        with psycopg.connect(dsn) as conn:
            while True:
                with lock:
                    if not todo:
                        return
                    index, authority_id = todo.pop()
                one(conn, index, authority_id)

    started = time.perf_counter()
    threads = [threading.Thread(target=run) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--respondents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--drop", action="store_true", help="drop the database afterwards")
    args = parser.parse_args()
    ensure_database(args.db)
    setup = prepare(args.db, args.respondents)
    port = free_port()
    instance = tempfile.mkdtemp()
    server = start_server(args.db, port, args.workers, args.threads, instance)
    try:
        result = asyncio.run(load(f"http://127.0.0.1:{port}", setup, args.concurrency))
        rss = worker_rss_mb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # workers still holding keep-alive connections
            server.kill()
            server.wait()
    timings = result["timings"]
    writes = [t for kind, t, status in timings if kind in ("save_section", "submit")]
    every = [t for kind, t, _ in timings if kind != "exception"]
    errors = [
        (kind, status)
        for kind, _, status in timings
        if kind == "exception" or not (isinstance(status, int) and status < 400)
    ]
    checked = check_database(args.db, setup, sum(result["outcomes"]))
    if not writes:
        raise SystemExit(f"no write went through: {timings[:5]}")
    by_kind = {}
    for kind in ("load_section", "save_section", "load_review", "submit"):
        values = [t for k, t, _ in timings if k == kind]
        if values:
            by_kind[kind] = {
                "p50_s": round(percentile(values, 0.5), 4),
                "p95_s": round(percentile(values, 0.95), 4),
                "p99_s": round(percentile(values, 0.99), 4),
            }
    base = baseline(args.db, setup, args.concurrency)
    app_rate = len(setup["emails"]) / result["elapsed"]
    base_rate = len(setup["emails"]) / base
    record = {
        "bench": "submit_load",
        "n_responses": len(setup["emails"]),
        "concurrency": args.concurrency,
        "server": f"gunicorn {args.workers} workers × {args.threads} threads, production config",
        "requests": len(every),
        "median_s": round(percentile(every, 0.5), 4),
        "p95_s": round(percentile(every, 0.95), 4),
        "p99_s": round(percentile(every, 0.99), 4),
        "writes_p99_s": round(percentile(writes, 0.99), 4),
        "throughput_per_s": round(len(writes) / result["elapsed"], 1),
        "throughput_unit": "section saves + submissions per second",
        "requests_per_s": round(len(every) / result["elapsed"], 1),
        "responses_per_s": round(app_rate, 1),
        "errors": len(errors),
        "error_samples": errors[:5],
        "completed": sum(result["outcomes"]),
        "by_request": by_kind,
        "worker_rss_mb": rss,
        **checked,
        "baseline_responses_per_s": round(base_rate, 1),
        "ratio_to_baseline": round(app_rate / base_rate, 3),
    }
    print(json.dumps(record), flush=True)
    print(
        json.dumps(
            {
                "bench": "submit_baseline_psycopg",
                "n_responses": len(setup["emails"]),
                "median_s": round(base / len(setup["emails"]), 5),
                "throughput_per_s": round(base_rate, 1),
                "concurrency": args.concurrency,
            }
        ),
        flush=True,
    )
    if args.drop:
        drop_database(args.db)


if __name__ == "__main__":
    main()
