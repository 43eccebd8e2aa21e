"""Fuzz the API with schemathesis against a live gunicorn on PostgreSQL, as each role.

    python -m tests.fuzz.fuzz_api [--max-examples 10] [--database-url postgresql://…]

Builds an empty database (`flask db upgrade`), loads the demo data with 30 submitted responses,
creates a token per demo role, serves the app with gunicorn and runs schemathesis over every
operation of /api/v1/openapi.json with the checks `not_a_server_error` and
`response_schema_conformance` (the coverage phase is left out: thousands of cases, minutes
too long for CI) — as the respondent, the analyst, the admin and the author (the
author last: its writes close and change consultations). Prints one JSON line of figures;
exits non-zero on any failure. Not collected by pytest (the Makefile's `fuzz` target runs it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ROLES = ("respondent", "analyst", "admin", "author")
CHECKS = "not_a_server_error,response_schema_conformance"
DRAFT_SLUG = "fuzzed-draft"
# The consultation each role's operations address (random slugs would only meet 404s): the
# open demo consultation, and for the author a draft of its own (questionnaire, settings).
SLUGS = {
    "respondent": "local-integration-2026",
    "analyst": "local-integration-2026",
    "admin": "local-integration-2026",
    "author": DRAFT_SLUG,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_database(url: str) -> None:
    base = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{base.database}"'))
    admin.dispose()


def _seed(env: dict) -> dict[str, str]:
    """Demo data, 30 submitted responses, one token per role."""
    os.environ.update(env)
    from consult import create_app, demo
    from consult.analysis.demo_responses import fill_demo_responses
    from consult.api import tokens
    from consult.extensions import db
    from consult.surveys.consultations import (
        ConsultationSettings,
        create_consultation,
        get_by_slug,
    )

    app = create_app()
    with app.app_context():
        demo.seed()
        consultation = get_by_slug(demo.DEMO_CONSULTATION_SLUG)
        fill_demo_responses(db.session, consultation, 30)
        db.session.commit()
        secrets = {}
        for role in ROLES:
            from consult.accounts.services import find_user

            user = find_user(demo.demo_email(role))
            secrets[role] = tokens.create_token(user, name=f"fuzz {role}")[1]
        author = find_user(demo.demo_email("author"))
        draft = ConsultationSettings(slug=DRAFT_SLUG, title={"en": "Fuzzed draft"})
        create_consultation(author.organisation, draft, actor=author)
        db.engine.dispose()
    return secrets


def _wait(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (local server)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer {url}")


def _figures(output: str) -> dict:
    found = {}
    for name, pattern in (
        ("operations", r"Selected:\s*(\d+)/\d+"),
        ("cases", r"Test cases:\s+(\d+) generated"),
        ("failures", r"found (\d+) unique failures?"),
    ):
        match = re.search(pattern, output)
        found[name] = int(match.group(1)) if match else None
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FUZZ_DATABASE_URL", "postgresql://postgres@127.0.0.1/consult_fuzz"),
    )
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    instance = tempfile.mkdtemp(prefix="consult-fuzz-")
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "CONSULT_INSTANCE_PATH": instance,
        "SECRET_KEY": "fuzz-secret-key-0123456789-0123456789-abcdef",
        "API_RATE_LIMIT": "100000 per minute",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8192",
        "MAIL_SERVER": "",
    }
    env.pop("REDIS_URL", None)  # limits in memory, jobs inline: the fuzz tests the API
    _fresh_database(args.database_url)
    subprocess.run(
        [str(BIN / "flask"), "--app", "consult", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    secrets = _seed(env)
    port = _free_port()
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "300",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(instance) / "gunicorn.log", "wb"),  # noqa: SIM115 (closed with the server)
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    report = {"max_examples": args.max_examples, "roles": {}}
    failed = False
    started = time.monotonic()
    try:
        _wait(f"{base}/openapi.json")
        for role in ROLES:
            config = Path(instance) / f"schemathesis-{role}.toml"
            config.write_text(f'[parameters]\n"path.slug" = "{SLUGS[role]}"\n')
            run = subprocess.run(
                [
                    str(BIN / "schemathesis"),
                    "--config-file",
                    str(config),
                    "run",
                    f"{base}/openapi.json",
                    "--header",
                    f"Authorization: Bearer {secrets[role]}",
                    "--checks",
                    CHECKS,
                    "--max-examples",
                    str(args.max_examples),
                    "--seed",
                    str(args.seed),
                    "--workers",
                    "2",
                    "--phases",
                    "examples,fuzzing",
                    "--suppress-health-check",
                    "all",
                    "--request-timeout",
                    "120",
                    "--wait-for-schema",
                    "60",
                    "--no-color",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            figures = _figures(run.stdout)
            figures["exit_code"] = run.returncode
            report["roles"][role] = figures
            if run.returncode != 0:
                failed = True
                sys.stderr.write(f"--- schemathesis as {role} ---\n{run.stdout[-20000:]}\n")
    except RuntimeError:
        sys.stderr.write((Path(instance) / "gunicorn.log").read_text()[-5000:])
        raise
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    report["seconds"] = round(time.monotonic() - started, 1)
    report["passed"] = not failed
    print(json.dumps(report))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
