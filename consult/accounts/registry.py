"""The authority registry: load local and regional authorities from a CSV file.

Two layouts are read, recognised by their header:
- ours: country, lau_code, name, nuts3, population, degurba, level (README: "Authority registry");
- Eurostat's LAU file (e.g. lau2019.csv): country, lau_code, lau_name_national/lau_name_latin,
  nuts3_2016 (mapped to NUTS 2021 with territory.nuts2021_for_lau2019), population, degurba.

An import is two steps: `check_file` reads and validates every line without writing anything,
then `save` writes the whole file in one transaction, only when no line has a problem. Existing
authorities are matched on (country, lau_code) and updated; writes are bulk statements over a
single pre-load of the registry, never one query per line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit, bulk, jobs, permissions
from consult.accounts import territory
from consult.accounts.models import (
    AuthorityLevel,
    Organisation,
    OrgKind,
    Urbanisation,
    User,
    size_class_for,
)
from consult.accounts.organisations import (
    LAU_CODE_RE,
    MAX_POPULATION,
    NotAllowed,
    authority_slug,
    unique_slug,
)
from consult.accounts.registry_report import ImportReport
from consult.db import utcnow
from consult.extensions import db

JOB_KIND = "registry_import"
OUR_COLUMNS = ("country", "lau_code", "name", "nuts3", "population", "degurba", "level")
EUROSTAT_COLUMNS = ("country", "lau_code", "nuts3_2016", "population", "degurba")
EUROSTAT_NAME_COLUMNS = ("lau_name_national", "lau_name_latin")
MAX_NAME = 200
BATCH = 5000

DEGURBA = {
    "1": Urbanisation.CITY,
    "2": Urbanisation.TOWN,
    "3": Urbanisation.RURAL,
    "9": None,
    "": None,
    **{u.value: u for u in Urbanisation},
}
LEVELS = {level.value: level for level in AuthorityLevel}
ProgressFn = Callable[[int, int], None]


class Existing(NamedTuple):
    id: int
    kind: OrgKind
    name: str
    values: tuple  # (nuts_code, population, urbanisation, level, size_class)


@dataclass
class CheckedFile:
    """The outcome of check_file: the report, and the valid rows to save."""

    report: ImportReport
    rows: list[tuple] = field(default_factory=list)
    existing: dict[tuple[str, str], Existing] = field(default_factory=dict)


def _shorten(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _decode(data: bytes, report: ImportReport) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        report.add(line, None, "not_utf8", byte=f"0x{data[error.start]:02X}")
        return None
    if not text.strip():
        report.add(1, None, "empty")
        return None
    return text


def _layout(header: list[str], report: ImportReport) -> str | None:
    columns = set(header)
    for name in sorted({c for c in header if header.count(c) > 1 and c}):
        report.add(1, name, "duplicate_column", column=name)
    ours_missing = [c for c in OUR_COLUMNS if c not in columns]
    eurostat_missing = [c for c in EUROSTAT_COLUMNS if c not in columns]
    if not columns & set(EUROSTAT_NAME_COLUMNS):
        eurostat_missing.append("lau_name_national")
    if not report.ok:
        return None
    if not ours_missing:
        return "consult"
    if not eurostat_missing:
        return "eurostat"
    missing = ours_missing if len(ours_missing) <= len(eurostat_missing) else eurostat_missing
    report.add(1, None, "bad_header", missing=", ".join(missing), ours=", ".join(OUR_COLUMNS))
    return None


def _load_existing() -> dict[tuple[str, str], Existing]:
    """Every organisation with a LAU code, in one query (plain rows, no ORM objects)."""
    o = Organisation
    rows = db.session.execute(
        sa.select(
            o.id, o.kind, o.country, o.lau_code, o.name, o.nuts_code, o.population,
            o.urbanisation, o.level, o.size_class,
        ).where(o.lau_code.is_not(None), o.country.is_not(None))
    )  # fmt: skip
    return {
        (country, lau): Existing(id_, kind, name, tuple(values))
        for id_, kind, country, lau, name, *values in rows
    }


class _RowChecker:
    """Turns one CSV line into (line, country, lau_code, name, nuts, population, urbanisation,
    level), adding a problem for every bad value."""

    def __init__(self, header: list[str], layout: str, report: ImportReport, existing: dict):
        self.index = {name: i for i, name in enumerate(header)}
        self.layout = layout
        self.report = report
        self.existing = existing
        self.seen: dict[tuple[str, str], int] = {}
        self.nuts_column = "nuts3" if layout == "consult" else "nuts3_2016"
        self.name_columns = (
            ("name",) if layout == "consult" else tuple(
                c for c in EUROSTAT_NAME_COLUMNS if c in self.index
            )
        )  # fmt: skip

    def _value(self, row: list[str], column: str) -> str:
        return row[self.index[column]].strip()

    def check(self, row: list[str], line: int) -> tuple | None:
        add = self.report.add
        before = self.report.problem_count
        country_raw = self._value(row, "country")
        country = territory.normalise_country(country_raw)
        if not country_raw:
            add(line, "country", "required")
        elif country is None:
            add(line, "country", "unknown_country", value=_shorten(country_raw))

        lau = self._value(row, "lau_code")
        if not lau:
            add(line, "lau_code", "required")
        elif len(lau) > 20:
            add(line, "lau_code", "too_long", length=len(lau), max=20)
        elif not LAU_CODE_RE.match(lau):
            add(line, "lau_code", "bad_lau", value=_shorten(lau))

        name_column, name = "", ""
        for column in self.name_columns:
            name_column, name = column, self._value(row, column)
            if name:
                break
        if not name:
            add(line, self.name_columns[0], "required")
        elif len(name) > MAX_NAME:
            add(line, name_column, "too_long", length=len(name), max=MAX_NAME)
        elif CONTROL_CHARS.search(name):
            add(line, name_column, "control_chars")

        nuts = territory.normalise_nuts(self._value(row, self.nuts_column))
        if self.layout == "eurostat":
            nuts = territory.nuts2021_for_lau2019(nuts)
        if not nuts:
            add(line, self.nuts_column, "required")
        elif not territory.nuts_shape_ok(nuts):
            add(line, self.nuts_column, "bad_nuts", value=_shorten(nuts))
        elif country and not territory.nuts_in_country(nuts, country):
            add(line, self.nuts_column, "nuts_country", value=nuts, country=country)

        population_raw = self._value(row, "population")
        population = None
        if population_raw:
            if not (population_raw.isascii() and population_raw.isdigit()):
                add(line, "population", "bad_population", value=_shorten(population_raw))
            elif int(population_raw) > MAX_POPULATION:
                add(line, "population", "population_too_large", value=_shorten(population_raw))
            else:
                population = int(population_raw)

        degurba_raw = self._value(row, "degurba")
        urbanisation = DEGURBA.get(degurba_raw.lower(), False)
        if urbanisation is False:
            add(line, "degurba", "bad_degurba", value=_shorten(degurba_raw))

        level = AuthorityLevel.MUNICIPALITY
        if self.layout == "consult":
            level_raw = self._value(row, "level")
            level = LEVELS.get(level_raw.lower())
            if not level_raw:
                add(line, "level", "required")
            elif level is None:
                add(line, "level", "bad_level", value=_shorten(level_raw))

        if country and lau:
            key = (country, lau)
            if key in self.seen:
                add(line, "lau_code", "duplicate_row", country=country, lau_code=lau,
                    first=self.seen[key])  # fmt: skip
            else:
                self.seen[key] = line
            found = self.existing.get(key)
            if found is not None and found.kind != OrgKind.AUTHORITY:
                add(line, "lau_code", "not_authority", country=country, lau_code=lau,
                    name=_shorten(found.name))  # fmt: skip
        if self.report.problem_count != before:
            return None
        return (line, country, lau, name, nuts, population, urbanisation, level)


def check_file(data: bytes, *, progress: ProgressFn | None = None) -> CheckedFile:
    """Read and validate every line of `data`; writes nothing. `progress(done, total)` is called
    every few thousand lines (total is an estimate: the number of lines)."""
    report = ImportReport()
    checked = CheckedFile(report)
    text = _decode(data, report)
    if text is None:
        return checked
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except csv.Error as error:
        report.add(1, None, "unreadable", error=str(error))
        return checked
    report.layout = _layout(header, report)
    if report.layout is None:
        return checked
    checked.existing = _load_existing()
    checker = _RowChecker(header, report.layout, report, checked.existing)
    total = max(text.count("\n"), 1)
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            report.add(reader.line_num, None, "unreadable", error=str(error))
            break
        if not any(value.strip() for value in row):
            continue
        report.rows += 1
        if progress and report.rows % BATCH == 0:
            progress(min(report.rows, total), total)
        # Trailing empty fields (as spreadsheets write them) are harmless.
        if len(row) < width or any(value.strip() for value in row[width:]):
            report.add(reader.line_num, None, "field_count", found=len(row), expected=width)
            continue
        values = checker.check(row, reader.line_num)
        if values is not None:
            checked.rows.append(values)
    if report.rows == 0 and report.ok:
        report.add(1, None, "no_rows")
    if progress:
        progress(total, total)
    return checked


def save(
    checked: CheckedFile,
    *,
    actor: User | None,
    filename: str | None = None,
    source: str = "cli",
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Write a checked file in one transaction (nothing when it has any problem): insert new
    authorities, update changed ones, count the unchanged; audit the counts."""
    report = checked.report
    if not report.ok:
        return report
    now = utcnow()
    taken = set(db.session.scalars(sa.select(Organisation.slug)))
    inserts, updates = [], []
    for _line, country, lau, name, nuts, population, urbanisation, level in checked.rows:
        size_class = size_class_for(population)
        found = checked.existing.get((country, lau))
        if found is None:
            inserts.append(
                {
                    "kind": OrgKind.AUTHORITY,
                    "slug": unique_slug(authority_slug(country, lau), taken),
                    "name": name,
                    "country": country,
                    "lau_code": lau,
                    "nuts_code": nuts,
                    "population": population,
                    "urbanisation": urbanisation,
                    "level": level,
                    "size_class": size_class,
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        elif (found.name, found.values) != (name, (nuts, population, urbanisation, level,
                                                   size_class)):  # fmt: skip
            updates.append(
                {
                    "id": found.id,
                    "name": name,
                    "nuts_code": nuts,
                    "population": population,
                    "urbanisation": urbanisation,
                    "level": level,
                    "size_class": size_class,
                    "updated_at": now,
                }
            )
    total, done = len(inserts) + len(updates), 0

    def advance(step: int) -> None:
        nonlocal done
        done += step
        if progress:
            progress(done, total)

    try:
        bulk.insert_rows(Organisation.__table__, inserts, progress=advance)
        bulk.update_rows(Organisation.__table__, updates, progress=advance)
        report.created, report.updated = len(inserts), len(updates)
        report.unchanged = len(checked.rows) - total
        audit.record(
            "registry.imported",
            actor=actor,
            layout=report.layout,
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            filename=filename,
            source=source,
        )
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        report.created = report.updated = report.unchanged = 0
        report.add(0, None, "conflict")
        return report
    report.saved = True
    return report


def import_authorities(
    data: bytes,
    *,
    actor: User | None,
    filename: str | None = None,
    source: str = "cli",
) -> ImportReport:
    """Check `data` and, when every line is valid, save it (see check_file and save)."""
    return save(check_file(data), actor=actor, filename=filename, source=source)


def start_import(*, actor: User, data: bytes, filename: str) -> jobs.Job:
    """Run an uploaded file's import as a background job; its row shows progress and report."""
    if not permissions.can_import_authorities(actor):
        raise NotAllowed(_l("Only administrators can do this."))
    return jobs.enqueue(JOB_KIND, run_import_job, data, filename, actor.id, created_by_id=actor.id)


def run_import_job(progress: jobs.Progress, data: bytes, filename: str, actor_id: int) -> dict:
    """The background job: check (with progress on the job row), then save."""
    started = False

    def on_check(done: int, total: int) -> None:
        nonlocal started
        if not started:
            progress.start(total)
            started = True
        # Only the job row is pending while checking, so committing here writes nothing else.
        progress.job.done = done
        db.session.commit()

    progress.job.result = {"filename": filename}
    db.session.commit()
    checked = check_file(data, progress=on_check)
    if checked.report.ok:
        progress.job.message = "saving"
        db.session.commit()
    report = save(checked, actor=db.session.get(User, actor_id), filename=filename, source="web")
    return {**report.as_dict(), "filename": filename}
