"""Data exports of a consultation: CSV, codebook, XLSX and JSON, streamed (no Flask here).

One row per submitted response; the columns and their coding are in `export_columns`. The whole
row is computed by one SQL statement: answers are pivoted with filtered aggregates
(``max(…) FILTER (WHERE …)`` grouped by response), values formatted as text, formulas
neutralised and consent applied, all in SQL. On PostgreSQL the CSV is PostgreSQL's own
``COPY (…) TO STDOUT`` relayed in chunks; elsewhere (and for XLSX and JSON) rows come through a
server-side cursor (`yield_per`). Either way memory stays flat whatever the number of responses.

What respondents allowed (`Response.consent`) decides what analysts get:

- ``public_named``: everything, with the authority's name, LAU and NUTS codes;
- ``public_anonymous``: no name or codes of the authority; its attributes (country, NUTS 2,
  level, size class, urbanisation) generalised so that every combination shown is shared by at
  least k such responses (k: the consultation's threshold). Combinations seen fewer than k times
  lose NUTS 2, then size class and urbanisation, then level, then country, counting at each step
  only the responses not yet released, so every released combination covers k responses;
- ``not_published``: as anonymous, and no free text at all (texts and "other" texts empty):
  analysts get the closed answers, which only ever leave the platform as aggregates.
  A response without a recorded consent is treated as not for publication.

Cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a leading ``'``
in every text column (codebook included); numeric columns hold numbers we formatted.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from consult.accounts.models import Organisation
from consult.analysis.base import nuts_prefix
from consult.analysis.export_columns import (
    ATTRIBUTE_COLUMNS,
    CODEBOOK_HEADER,
    DECIMAL,
    FLAG,
    INTEGER,
    Column,
    codebook_rows,
    columns_for,
)
from consult.surveys.models import (
    Answer,
    Consent,
    Consultation,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
)

__all__ = ["ATTRIBUTE_COLUMNS"]
FORMATS = ("csv", "xlsx", "json")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 64 * 1024
responses = Response.__table__
answers = Answer.__table__
organisations = Organisation.__table__
PUBLIC = (Consent.PUBLIC_NAMED.value, Consent.PUBLIC_ANONYMOUS.value)


def neutralise(value):
    """A text that a spreadsheet will not run as a formula (other values unchanged)."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


# -- the plan ---------------------------------------------------------------------------------


def export_questions(session: Session, consultation: Consultation) -> list[Question]:
    """The consultation's questions in questionnaire order (notes included; they get no column)."""
    found = session.scalars(
        sa.select(Question)
        .where(Question.consultation_id == consultation.id)
        .options(selectinload(Question.options), selectinload(Question.section))
    ).all()
    return sorted(found, key=lambda q: (q.section.position, q.section_id, q.position, q.id))


def export_columns(
    session: Session, consultation: Consultation, language: str | None = None
) -> tuple[Column, ...]:
    language = language or consultation.default_language
    questions = export_questions(session, consultation)
    return columns_for(questions, language, consultation.default_language)


# -- SQL ----------------------------------------------------------------------------------------


class _Sql:
    """Dialect-specific formatting of values as text (the same text on SQLite and PostgreSQL)."""

    def __init__(self, dialect: str):
        self.pg = dialect == "postgresql"

    def integer(self, value):
        return sa.cast(sa.cast(value, sa.BigInteger), sa.Text)

    def decimal(self, value):
        if self.pg:
            return sa.cast(sa.cast(value, sa.Numeric), sa.Text)
        return sa.func.printf("%.15g", value)

    def date(self, value):
        if self.pg:
            return sa.func.to_char(value, "YYYY-MM-DD")
        return sa.func.strftime("%Y-%m-%d", value)

    def timestamp(self, value):
        if self.pg:
            utc = sa.func.timezone("UTC", value)
            return sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        return sa.func.strftime("%Y-%m-%dT%H:%M:%SZ", value)

    @staticmethod
    def neutral(value):
        return sa.case(
            (sa.func.substr(value, 1, 1).in_(DANGEROUS), sa.literal("'") + value),
            else_=value,
        )


def _released(consultation: Consultation):
    """Per submitted response: its attributes and how far they are generalised (`lvl` 0–4)."""
    k = consultation.k_threshold
    named = sa.case((responses.c.consent == Consent.PUBLIC_NAMED.value, 1), else_=0)
    keys = {
        "country": responses.c.country,
        "nuts2": nuts_prefix(responses.c.nuts_code, 4),
        "level": responses.c.level,
        "size_class": responses.c.size_class,
        "urbanisation": responses.c.urbanisation,
    }
    g0 = (
        sa.select(
            responses.c.id.label("rid"),
            named.label("named"),
            *(v.label(name) for name, v in keys.items()),
        )
        .where(
            responses.c.consultation_id == consultation.id,
            responses.c.status == ResponseStatus.SUBMITTED.value,
        )
        .subquery("g0")
    )
    steps = (
        ("country", "nuts2", "level", "size_class", "urbanisation"),
        ("country", "level", "size_class", "urbanisation"),
        ("country", "level"),
        ("country",),
    )
    current = g0
    for index, partition in enumerate(steps):
        left = sa.and_(sa.true(), *(current.c[f"c{i}"] < k for i in range(index)))
        count = sa.func.sum(sa.case((left, 1), else_=0)).over(
            partition_by=[current.c.named, *(current.c[name] for name in partition)]
        )
        current = sa.select(*current.c, count.label(f"c{index}")).subquery(f"g{index + 1}")
    level = sa.case(
        (current.c.named == 1, 0),
        *((current.c[f"c{i}"] >= k, i) for i in range(len(steps))),
        else_=len(steps),
    )
    return sa.select(*current.c, level.label("lvl")).subquery("released")


def _aggregates(columns) -> dict:
    """The pivot: one aggregate per needed value, keyed for the outer select."""
    aggs: dict[str, object] = {}
    q = answers.c.question_id
    not_dk = answers.c.dont_know.is_(False)
    for column in columns:
        source = column.source
        if source[0] == "attr":
            continue
        kind, question_id = source[0], source[1]
        key = "_".join(str(p) for p in source)
        if kind == "value":
            if column.question_type == QuestionType.SINGLE_CHOICE:
                continue  # handled with its options below
            if column.question_type in (QuestionType.YES_NO, QuestionType.NUMBER):
                aggs[key] = sa.func.max(answers.c.value_num).filter(q == question_id)
            elif column.question_type == QuestionType.DATE:
                aggs[key] = sa.func.max(answers.c.value_date).filter(q == question_id)
            else:
                aggs[key] = sa.func.max(answers.c.value_text).filter(q == question_id)
        elif kind == "other":
            aggs[key] = sa.func.max(answers.c.value_text).filter(q == question_id)
        elif kind == "flag":
            aggs[key] = sa.func.count().filter(answers.c.option_id == source[2])
            aggs[f"answered_{question_id}"] = sa.func.count().filter(q == question_id)
        elif kind == "rank":
            aggs[key] = sa.func.max(answers.c.value_num).filter(answers.c.option_id == source[2])
        elif kind in ("point", "dk"):
            row_id = source[2]
            item = q == question_id if row_id is None else answers.c.row_id == row_id
            aggs[f"point_{question_id}_{row_id}"] = sa.func.max(answers.c.value_num).filter(
                item, not_dk
            )
            aggs[f"dk_{question_id}_{row_id}"] = sa.func.count().filter(
                item, answers.c.dont_know.is_(True)
            )
    return aggs


def export_select(session: Session, consultation: Consultation, columns) -> sa.Select:
    """One row per submitted response (by sequence), every column as text or NULL."""
    fmt = _Sql(session.get_bind().dialect.name)
    questions = {q.id: q for q in export_questions(session, consultation)}
    aggs = _aggregates(columns)
    for question in questions.values():
        if question.type == QuestionType.SINGLE_CHOICE:
            mapping = {o.id: neutralise(o.code) for o in question.options}
            code = sa.case(mapping, value=answers.c.option_id) if mapping else sa.null()
            aggs[f"value_{question.id}"] = sa.func.max(code).filter(
                answers.c.question_id == question.id
            )
    submitted = sa.select(responses.c.id).where(
        responses.c.consultation_id == consultation.id,
        responses.c.status == ResponseStatus.SUBMITTED.value,
    )
    agg = None
    if aggs:
        agg = (
            sa.select(
                answers.c.response_id.label("rid"),
                *(expr.label(key) for key, expr in aggs.items()),
            )
            .where(
                answers.c.question_id.in_(list(questions) or [0]),
                answers.c.response_id.in_(submitted),
            )
            .group_by(answers.c.response_id)
            .subquery("agg")
        )
    rel = _released(consultation)
    consent = responses.c.consent
    is_named = consent == Consent.PUBLIC_NAMED.value
    is_public = consent.in_(PUBLIC)

    def when(condition, value):
        return sa.case((condition, value), else_=sa.null())

    attrs = {
        "reference": fmt.neutral(responses.c.reference),
        "submitted_at": fmt.timestamp(responses.c.submitted_at),
        "language": responses.c.language,
        "consent": sa.cast(consent, sa.Text),
        "authority_name": when(is_named, fmt.neutral(organisations.c.name)),
        "lau_code": when(is_named, fmt.neutral(organisations.c.lau_code)),
        "nuts_code": when(is_named, responses.c.nuts_code),
        "country": when(rel.c.lvl <= 3, rel.c.country),
        "nuts2": when(rel.c.lvl == 0, rel.c.nuts2),
        "level": when(rel.c.lvl <= 2, sa.cast(rel.c.level, sa.Text)),
        "size_class": when(rel.c.lvl <= 1, sa.cast(rel.c.size_class, sa.Text)),
        "urbanisation": when(rel.c.lvl <= 1, sa.cast(rel.c.urbanisation, sa.Text)),
    }
    out = []
    for column in columns:
        source = column.source
        if source[0] == "attr":
            out.append(attrs[source[1]].label(column.name))
            continue
        out.append(_value(column, agg, fmt, is_public).label(column.name))
    source = responses.join(organisations, organisations.c.id == responses.c.authority_id).join(
        rel, rel.c.rid == responses.c.id
    )
    if agg is not None:
        source = source.outerjoin(agg, agg.c.rid == responses.c.id)
    return (
        sa.select(*out)
        .select_from(source)
        .where(
            responses.c.consultation_id == consultation.id,
            responses.c.status == ResponseStatus.SUBMITTED.value,
        )
        .order_by(responses.c.seq, responses.c.id)
    )


def _value(column: Column, agg, fmt: _Sql, is_public):
    kind, question_id = column.source[0], column.source[1]
    key = "_".join(str(p) for p in column.source)
    qtype = column.question_type
    if kind == "value" and qtype == QuestionType.SINGLE_CHOICE:
        return agg.c[f"value_{question_id}"]
    if kind == "value" and qtype == QuestionType.YES_NO:
        return fmt.integer(agg.c[key])
    if kind == "value" and qtype == QuestionType.NUMBER:
        value = agg.c[key]
        return fmt.integer(value) if column.kind == INTEGER else fmt.decimal(value)
    if kind == "value" and qtype == QuestionType.DATE:
        return fmt.date(agg.c[key])
    if kind in ("value", "other"):  # free texts
        return sa.case((is_public, fmt.neutral(sa.func.nullif(agg.c[key], ""))), else_=sa.null())
    if kind == "flag":
        selected = sa.case((agg.c[key] > 0, "1"), else_="0")
        return sa.case((agg.c[f"answered_{question_id}"] > 0, selected), else_=sa.null())
    if kind == "rank":
        return fmt.integer(agg.c[key])
    point = agg.c[f"point_{question_id}_{column.source[2]}"]
    if kind == "point":
        return fmt.integer(point)
    dont_know = agg.c[f"dk_{question_id}_{column.source[2]}"]
    return sa.case((point.is_not(None), "0"), (dont_know > 0, "1"), else_=sa.null())


# -- writers ------------------------------------------------------------------------------------


def _csv_line(values) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _rows(session: Session, stmt, batch: int = 2000) -> Iterator[tuple]:
    """The statement's rows through a server-side cursor, `batch` at a time."""
    result = session.execute(stmt, execution_options={"yield_per": batch})
    for partition in result.partitions():
        yield from partition


def csv_chunks(
    session: Session, consultation: Consultation, *, language: str | None = None
) -> Iterator[bytes]:
    """The data CSV (UTF-8, comma, header line) as chunks of about 64 KiB."""
    columns = export_columns(session, consultation, language)
    stmt = export_select(session, consultation, columns)
    yield _csv_line([c.name for c in columns]).encode()
    if session.get_bind().dialect.name == "postgresql":
        yield from _copy_chunks(session, stmt)
    else:
        yield from _writer_chunks(session, stmt)


def _writer_chunks(session: Session, stmt) -> Iterator[bytes]:
    """The statement's rows as CSV written by Python, through a server-side cursor."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for partition in session.execute(stmt, execution_options={"yield_per": 2000}).partitions():
        writer.writerows(partition)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _copy_chunks(session: Session, stmt) -> Iterator[bytes]:
    """PostgreSQL writes the CSV itself (``COPY … TO STDOUT``); we relay it in chunks."""
    dialect = session.get_bind().dialect
    sql = str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    raw = session.connection().connection.driver_connection
    pending, size = [], 0
    with raw.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
        for data in copy:
            pending.append(bytes(data))
            size += len(data)
            if size >= CHUNK:
                yield b"".join(pending)
                pending, size = [], 0
    if pending:
        yield b"".join(pending)


def codebook_chunks(
    session: Session, consultation: Consultation, *, language: str | None = None
) -> Iterator[bytes]:
    """The codebook CSV: one line per column, then one per code of that column."""
    columns = export_columns(session, consultation, language)
    yield _csv_line(CODEBOOK_HEADER).encode()
    for row in codebook_rows(columns):
        yield _csv_line([neutralise(v) for v in row]).encode()


def _typed(columns):
    """Converters from the exported text to JSON/XLSX values, per column."""

    def number(text):
        value = float(text)
        return int(value) if value.is_integer() else value

    kinds = {FLAG: int, INTEGER: int, DECIMAL: number}
    return [kinds.get(c.kind) for c in columns]


def typed_rows(session: Session, consultation: Consultation, columns) -> Iterator[list]:
    stmt = export_select(session, consultation, columns)
    converters = _typed(columns)
    for row in _rows(session, stmt):
        yield [
            v if v is None or convert is None else convert(v)
            for v, convert in zip(row, converters, strict=True)
        ]


def json_chunks(
    session: Session, consultation: Consultation, *, language: str | None = None
) -> Iterator[bytes]:
    """``{"consultation": …, "columns": [codebook…], "responses": [{column: value}…]}``."""
    columns = export_columns(session, consultation, language)
    head = {
        "consultation": consultation.slug,
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "k_threshold": consultation.k_threshold,
        "columns": [
            {
                "name": c.name,
                "question": c.question or None,
                "question_type": c.question_type or None,
                "value_type": c.kind,
                "label": neutralise(c.label),
                "codes": {code: neutralise(text) for code, text in c.codes},
                "notes": c.notes or None,
            }
            for c in columns
        ],
    }
    opening = json.dumps(head, ensure_ascii=False)[:-1] + ', "responses": [\n'
    yield opening.encode()
    names = [c.name for c in columns]
    parts, size, first = [], 0, True
    for row in typed_rows(session, consultation, columns):
        line = ("" if first else ",\n") + json.dumps(
            dict(zip(names, row, strict=True)), ensure_ascii=False
        )
        first = False
        parts.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("\n]}\n")
    yield "".join(parts).encode()


def write_xlsx(
    session: Session, consultation: Consultation, path: str, *, language: str | None = None
) -> int:
    """Write the data and codebook sheets to `path` (openpyxl write-only); returns data rows."""
    from openpyxl import Workbook

    columns = export_columns(session, consultation, language)
    book = Workbook(write_only=True)
    data = book.create_sheet("data")
    data.append([c.name for c in columns])
    count = 0
    for row in typed_rows(session, consultation, columns):
        data.append(row)
        count += 1
    codebook = book.create_sheet("codebook")
    codebook.append(list(CODEBOOK_HEADER))
    for row in codebook_rows(columns):
        codebook.append([neutralise(v) or None for v in row])
    book.save(path)
    return count


def xlsx_file(session: Session, consultation: Consultation, *, language: str | None = None) -> str:
    """The XLSX written to a temporary file; the caller deletes it when sent."""
    handle, path = tempfile.mkstemp(prefix="consult-export-", suffix=".xlsx")
    os.close(handle)
    try:
        write_xlsx(session, consultation, path, language=language)
    except BaseException:
        os.unlink(path)
        raise
    return path


def file_chunks(path: str, *, delete: bool = True) -> Iterator[bytes]:
    """A file's bytes in chunks, deleted once read (or abandoned) when `delete`."""
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        if delete and os.path.exists(path):
            os.unlink(path)


def filename(consultation: Consultation, fmt: str, *, codebook: bool = False) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    suffix = "-codebook" if codebook else ""
    return f"{consultation.slug}-{stamp}{suffix}.{fmt}"
