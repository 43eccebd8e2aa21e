"""Bulk writes inside the session's transaction: COPY on PostgreSQL, executemany elsewhere.

For tens of thousands of rows, PostgreSQL's COPY is an order of magnitude faster than any
INSERT form; SQLite runs in-process, where executemany is already fast.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa

from consult.extensions import db

BATCH = 5000
ProgressFn = Callable[[int], None]


def _batches(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _plain(value):
    """Enum members as their stored value (psycopg would write an Enum's name)."""
    return value.value if isinstance(value, enum.Enum) else value


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


@contextmanager
def _integrity_errors() -> Iterator[None]:
    """The driver's constraint violations, raised as SQLAlchemy's (as the ORM path raises them)."""
    import psycopg

    try:
        yield
    except psycopg.errors.IntegrityError as error:
        raise sa.exc.IntegrityError("COPY", None, error) from error


def _copy(cursor, table_name: str, columns: Sequence[str], rows: Sequence[dict], progress):
    statement = f"COPY {table_name} ({', '.join(columns)}) FROM STDIN"
    for batch in _batches(rows):
        with cursor.copy(statement) as copy:
            for row in batch:
                copy.write_row([_plain(row[c]) for c in columns])
        if progress:
            progress(len(batch))


def insert_rows(table: sa.Table, rows: Sequence[dict], progress: ProgressFn | None = None) -> None:
    """Insert `rows` (dicts with the same keys, every value given) into `table`."""
    if not rows:
        return
    if not _is_postgresql():
        for batch in _batches(rows):
            db.session.execute(sa.insert(table), list(batch))
            if progress:
                progress(len(batch))
        return
    raw = db.session.connection().connection.driver_connection
    with _integrity_errors(), raw.cursor() as cursor:
        _copy(cursor, table.name, list(rows[0]), rows, progress)


def update_rows(
    table: sa.Table,
    rows: Sequence[dict],
    *,
    key: str = "id",
    progress: ProgressFn | None = None,
) -> None:
    """Update rows of `table` found by their `key` column; every dict has the same keys."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    if not _is_postgresql():
        statement = sa.update(table).where(table.c[key] == sa.bindparam("_key"))
        for batch in _batches(rows):
            params = [{"_key": row[key], **{c: row[c] for c in columns}} for row in batch]
            db.session.execute(statement, params)
            if progress:
                progress(len(batch))
        return
    # COPY into a temporary table shaped like the target, then one UPDATE … FROM. Table and
    # column names come from the code, never from input.
    staging = f"_bulk_{table.name}"
    names = [key, *columns]
    assignments = ", ".join(f"{c} = {staging}.{c}" for c in columns)
    create = f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS SELECT {', '.join(names)} FROM {table.name} WITH NO DATA"  # noqa: E501, S608
    update = f"UPDATE {table.name} SET {assignments} FROM {staging} WHERE {table.name}.{key} = {staging}.{key}"  # noqa: E501, S608
    raw = db.session.connection().connection.driver_connection
    with _integrity_errors(), raw.cursor() as cursor:
        cursor.execute(create)
        _copy(cursor, staging, names, rows, progress)
        cursor.execute(update)
        cursor.execute(f"DROP TABLE {staging}")
