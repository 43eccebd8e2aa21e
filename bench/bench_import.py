"""Benchmark: import Eurostat's full LAU 2019 file (99,140 authorities) into a fresh database.

    .venv/bin/python bench/bench_import.py [--file ../shared/data/lau2019.csv]
    DATABASE_URL=postgresql://postgres@127.0.0.1/bench .venv/bin/python bench/bench_import.py

Runs on a fresh SQLite file, and on a fresh PostgreSQL database (created next to the one
DATABASE_URL names, dropped afterwards) when DATABASE_URL is set. Each database runs in its own
process so that peak RSS belongs to it. Prints one JSON line per measurement:
registry_import (empty registry: every line created), registry_reimport (the same file again:
every line unchanged) and registry_update (every stored name altered first, so every line is
updated). Peak RSS is the process's peak so far.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_FILE = next(
    (
        p
        for p in (
            ROOT.parent / "shared" / "data" / "lau2019.csv",
            Path("/work/shared/data/lau2019.csv"),
        )
        if p.exists()
    ),
    ROOT.parent / "shared" / "data" / "lau2019.csv",
)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _postgres_database(url: str):
    """A fresh database beside the one `url` names; returns (uri, drop)."""
    import sqlalchemy as sa

    base = sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{base.database}_bench_{os.getpid()}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def run_one(kind: str, path: Path) -> None:
    """Import `path` into a fresh database of `kind` and print the measurements."""
    import sqlalchemy as sa

    from consult import create_app
    from consult.accounts import registry
    from consult.extensions import db

    with tempfile.TemporaryDirectory() as instance:
        drop = None
        if kind == "sqlite":
            uri = f"sqlite:///{Path(instance) / 'bench.sqlite3'}"
        else:
            uri, drop = _postgres_database(os.environ["DATABASE_URL"])
        try:
            app = create_app(
                {"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "b" * 40}
            )
            with app.app_context():
                db.create_all()
                data = path.read_bytes()
                for bench in ("registry_import", "registry_reimport", "registry_update"):
                    if bench == "registry_update":
                        db.session.execute(sa.text("UPDATE organisations SET name = name || '*'"))
                        db.session.commit()
                    started = time.perf_counter()
                    report = registry.import_authorities(data, actor=None, filename=path.name)
                    seconds = time.perf_counter() - started
                    if not report.saved:
                        raise SystemExit(f"import refused: {report.as_dict(5)}")
                    print(
                        json.dumps(
                            {
                                "bench": bench,
                                "db": kind,
                                "rows": report.rows,
                                "created": report.created,
                                "updated": report.updated,
                                "unchanged": report.unchanged,
                                "seconds": round(seconds, 2),
                                "rows_per_s": round(report.rows / seconds),
                                "peak_rss_mb": _peak_rss_mb(),
                            }
                        ),
                        flush=True,
                    )
                db.session.remove()
                db.engine.dispose()
        finally:
            if drop:
                drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="Eurostat LAU CSV file")
    parser.add_argument("--one", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.file.exists():
        raise SystemExit(f"{args.file} not found (see ../shared/data/SOURCES.md)")
    if args.one:
        run_one(args.one, args.file)
        return
    kinds = ["sqlite"] + (["postgresql"] if os.environ.get("DATABASE_URL") else [])
    for kind in kinds:
        subprocess.run(
            [sys.executable, __file__, "--one", kind, "--file", str(args.file)], check=True
        )


if __name__ == "__main__":
    main()
