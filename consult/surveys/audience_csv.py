"""Explicit audience lists from CSV files of LAU codes: all or nothing, every problem reported
with its line number."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from consult import audit
from consult.accounts.models import Organisation, OrgKind, User
from consult.extensions import db
from consult.surveys import audience
from consult.surveys.consultation_errors import AudienceError
from consult.surveys.models import AudienceMode, Consultation

MAX_CSV_LINES = 20_000


@dataclass
class CsvLine:
    number: int
    country: str
    lau_code: str


def _parse_csv(data: bytes) -> tuple[list[CsvLine], list[tuple[int, str]]]:
    """The (country, LAU code) lines of a CSV file and the problems found, by line number.

    Columns are found by a header (`country` and `lau_code` or `lau`, any order, any other
    columns ignored) or, without a header, taken as country then LAU code. Separators `,`,
    `;` and tab are recognised; blank lines are skipped.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    delimiter = max(",;\t", key=sample.count) if any(d in sample for d in ",;\t") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    lines, problems = [], []
    country_col, lau_col, start = 0, 1, 0
    if rows:
        header = [cell.strip().lower().replace(" ", "_") for cell in rows[0]]
        lau_names = [h for h in header if h in {"lau_code", "lau", "lau_id", "lau code"}]
        if lau_names:
            lau_col = header.index(lau_names[0])
            country_col = next(
                (header.index(h) for h in ("country", "country_code", "cntr_code") if h in header),
                -1,
            )
            start = 1
            if country_col < 0:
                problems.append((1, str(_l("Line 1: the header has no “country” column."))))
                return [], problems
    if len(rows) - start > MAX_CSV_LINES:
        problems.append((0, str(_l("The file has more than %(max)d lines.", max=MAX_CSV_LINES))))
        return [], problems
    for number, row in enumerate(rows[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(country_col, lau_col):
            problems.append(
                (number, str(_l("Line %(n)d: expected a country code and a LAU code.", n=number)))
            )
            continue
        country, lau = row[country_col].strip().upper(), row[lau_col].strip()
        if len(country) != 2 or not country.isalpha():
            message = _l(
                "Line %(n)d: “%(value)s” is not a two-letter country code.",
                n=number,
                value=country[:20],
            )
            problems.append((number, str(message)))
            continue
        if not lau or len(lau) > 20:
            message = _l("Line %(n)d: the LAU code is missing or too long.", n=number)
            problems.append((number, str(message)))
            continue
        lines.append(CsvLine(number, country, lau))
    if not lines and not problems:
        problems.append((0, str(_l("The file has no LAU codes."))))
    return lines, problems


def import_lau_csv(consultation: Consultation, data: bytes, *, actor: User | None) -> int:
    """Add the authorities listed by LAU code in a CSV file to the explicit list (and use the
    list). All or nothing: when any line is malformed or names no active authority, nothing
    is added and AudienceError.lines lists every problem with its line number.
    Returns how many authorities were added (those already on the list are not counted)."""
    audience.ensure_changeable(consultation)
    lines, problems = _parse_csv(data)
    found: dict[tuple[str, str], tuple[int, bool]] = {}
    pairs = sorted({(line.country, line.lau_code) for line in lines})
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        rows = db.session.execute(
            sa.select(
                Organisation.country, Organisation.lau_code, Organisation.id, Organisation.active
            ).where(
                Organisation.kind == OrgKind.AUTHORITY,
                sa.tuple_(Organisation.country, Organisation.lau_code).in_(chunk),
            )
        )
        found.update({(r.country, r.lau_code): (r.id, r.active) for r in rows})
    for line in lines:
        match = found.get((line.country, line.lau_code))
        if match is None:
            message = _l(
                "Line %(n)d: no authority has LAU code %(code)s in %(country)s.",
                n=line.number,
                code=line.lau_code,
                country=line.country,
            )
            problems.append((line.number, str(message)))
        elif not match[1]:
            message = _l(
                "Line %(n)d: the authority with LAU code %(code)s in %(country)s is inactive.",
                n=line.number,
                code=line.lau_code,
                country=line.country,
            )
            problems.append((line.number, str(message)))
    if problems:
        problems.sort(key=lambda problem: problem[0])
        raise AudienceError(
            lazy_ngettext(
                "Nothing was added: %(num)d problem in the file. Correct it and upload the file "
                "again.",
                "Nothing was added: %(num)d problems in the file. Correct them and upload it "
                "again.",
                len(problems),
            ),
            field="file",
            lines=[message for _number, message in problems],
        )
    added = audience.put_on_list(
        consultation, {found[(line.country, line.lau_code)][0] for line in lines}
    )
    consultation.audience_mode = AudienceMode.LIST
    audit.record(
        "consultation.audience_imported",
        actor=actor,
        obj=consultation,
        organisation_id=consultation.association_id,
        lines=len(lines),
        added=added,
    )
    db.session.commit()
    return added
