"""Synthetic data at consultation scale, for the benchmarks (never for the tests' databases).

- The authority registry is Eurostat's real LAU 2019 list (`../shared/data/lau2019.csv`, about
  99,000 municipalities, loaded through the product's own import, NUTS 2016 codes mapped to 2021)
  plus the NUTS 2 regions of `nuts2021.csv` as regional authorities. A consultation takes one
  response per authority, so for more responses than authorities the generator adds synthetic
  authorities that copy a real one's attributes (LAU code `<code>~<n>`, name `<name> (<n>)`).
- `bench_questionnaire()` is a 30-question consultation that uses every question type and some
  conditions.
- `load_responses()` writes N submitted responses with realistic distributions (skewed choices,
  some "don't know", free texts of varied length, every publication choice) through COPY on
  PostgreSQL and executemany on SQLite, in batches, with the product's own answer encoding
  (`consult.surveys.answers.answer_rows`).
"""

from __future__ import annotations

import bisect
import csv
import itertools
import json
import random
import string
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from consult.accounts.models import (
    AuthorityLevel,
    Organisation,
    OrgKind,
    association_members,
    size_class_for,
)
from consult.db import utcnow
from consult.extensions import db
from consult.surveys import tallies
from consult.surveys.answers import AnswerEncoder
from consult.surveys.models import (
    Answer,
    AudienceMode,
    Consent,
    Consultation,
    ConsultationStatus,
    Response,
    ResponseStatus,
)

ROOT = Path(__file__).resolve().parent.parent
SHARED = next(
    (p for p in (ROOT.parent / "shared" / "data", Path("/work/shared/data")) if p.is_dir()),
    ROOT.parent / "shared" / "data",
)
BATCH = 5_000
POOL = 20_000
WORDS = [
    "housing",
    "language",
    "courses",
    "labour",
    "market",
    "funding",
    "reception",
    "schools",
    "health",
    "volunteers",
    "mentoring",
    "sports",
    "clubs",
    "integration",
    "plan",
    "national",
    "regional",
    "cooperation",
    "capacity",
    "staff",
    "interpreters",
    "childcare",
    "recognition",
    "qualifications",
    "employers",
    "civil",
    "society",
    "migrants",
    "refugees",
    "community",
    "centre",
    "library",
    "transport",
    "rural",
    "town",
    "city",
    "budget",
    "waiting",
    "lists",
]


# --- the registry ----------------------------------------------------------------------------


def load_registry(lau_csv: Path | None = None) -> int:
    """Import the LAU file with the product's importer, add the NUTS 2 regions; returns the
    number of authorities."""
    from consult.accounts import registry

    lau_csv = lau_csv or SHARED / "lau2019.csv"
    report = registry.import_authorities(lau_csv.read_bytes(), actor=None, source="bench")
    if not report.ok:
        raise RuntimeError(f"registry import failed: {report.problems[:5]}")
    regions = []
    taken = set(db.session.scalars(sa.select(Organisation.slug)))
    with open(SHARED / "nuts2021.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            slug = f"region-{row['nuts_id'].lower()}"
            if row["level"] != "2" or slug in taken:
                continue
            regions.append(
                {
                    "kind": OrgKind.AUTHORITY,
                    "slug": slug,
                    "name": (row["name_latin"] or row["nuts_id"])[:200],
                    "country": row["country_code"],
                    "lau_code": row["nuts_id"],
                    "nuts_code": row["nuts_id"],
                    "level": AuthorityLevel.REGION,
                    "population": None,
                    "urbanisation": None,
                    "size_class": None,
                    "active": True,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
            )
    if regions:
        db.session.execute(sa.insert(Organisation), regions)
    db.session.commit()
    return authority_count()


def authority_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).where(Organisation.kind == OrgKind.AUTHORITY)
    )


def ensure_authorities(n: int, seed: int = 7) -> list[int]:
    """Ids of `n` authorities: real ones first, then synthetic copies of real ones."""
    rows = db.session.execute(
        sa.select(
            Organisation.id,
            Organisation.name,
            Organisation.country,
            Organisation.lau_code,
            Organisation.nuts_code,
            Organisation.level,
            Organisation.population,
            Organisation.urbanisation,
        )
        .where(Organisation.kind == OrgKind.AUTHORITY, ~Organisation.lau_code.contains("~"))
        .order_by(Organisation.id)
    ).all()
    copies = db.session.scalars(
        sa.select(Organisation.id)
        .where(Organisation.kind == OrgKind.AUTHORITY, Organisation.lau_code.contains("~"))
        .order_by(Organisation.id)
    ).all()
    ids = [r.id for r in rows] + list(copies)
    missing = n - len(ids)
    if missing > 0:
        rng = random.Random(seed)
        now = utcnow()
        start = len(copies)
        new = []
        for index in range(start, start + missing):
            real = rows[rng.randrange(len(rows))]
            new.append(
                {
                    "kind": OrgKind.AUTHORITY.value,
                    "slug": f"bench-{index}",
                    "name": f"{real.name[:180]} ({index})",
                    "country": real.country,
                    "lau_code": f"{real.lau_code[:10]}~{index}",
                    "nuts_code": real.nuts_code,
                    "level": real.level.value if real.level else None,
                    "population": real.population,
                    "urbanisation": real.urbanisation.value if real.urbanisation else None,
                    "size_class": (
                        size_class_for(real.population).value
                        if real.population is not None
                        else None
                    ),
                    "active": True,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        copy_rows("organisations", list(new[0]), (tuple(r.values()) for r in new))
        db.session.commit()
        ids = [r.id for r in rows] + list(
            db.session.scalars(
                sa.select(Organisation.id)
                .where(Organisation.kind == OrgKind.AUTHORITY, Organisation.lau_code.contains("~"))
                .order_by(Organisation.id)
            )
        )
    return ids[:n]


# --- the questionnaire -----------------------------------------------------------------------


def _texts(text: str, languages: Iterable[str]) -> dict:
    return {lang: text if lang == "en" else f"{text} [{lang}]" for lang in languages}


def _options(codes: Iterable[str], languages) -> list[dict]:
    return [
        {"code": c, "label": _texts(c.replace("_", " ").capitalize(), languages)} for c in codes
    ]


def bench_questionnaire(
    n_questions: int = 30, languages: tuple[str, ...] = ("en",), n_sections: int = 5
) -> dict:
    """A questionnaire document with `n_questions` questions (every type, some conditions) in
    `n_sections` sections."""
    L = languages
    scale = {"points": 5, "start": 1, "dont_know": True}
    kinds = [
        ("housing_pressure", "yes_no", {}),
        ("housing_measures", "multiple_choice", {"max_selections": 3}),
        ("language_courses", "single_choice", {}),
        ("course_satisfaction", "scale", scale),
        ("labour_barriers", "matrix", scale),
        ("priorities", "ranking", {"max_ranked": 3}),
        ("budget_eur", "number", {"min": 0, "integer": True}),
        ("staff_fte", "number", {"min": 0, "max": 500}),
        ("plan_adopted", "date", {"min": "2000-01-01", "max": "2026-12-31"}),
        ("good_practice", "long_text", {"max_length": 2000}),
        ("contact_unit", "short_text", {"max_length": 200}),
        ("national_cooperation", "scale", scale),
    ]
    questions = []
    for index in range(n_questions):
        code, kind, settings = kinds[index % len(kinds)]
        code = f"{code}_{index + 1}"
        question = {
            "code": code,
            "type": kind,
            "label": _texts(f"Question {index + 1}: {code.replace('_', ' ')}?", L),
            "help": _texts("Answer for your whole authority.", L),
            "required": kind in ("yes_no", "single_choice"),
            "settings": dict(settings),
        }
        if kind in ("single_choice", "multiple_choice", "ranking"):
            codes = (
                ["none", "some", "many", "most", "all"]
                if kind == "single_choice"
                else [
                    "social_housing",
                    "rent_support",
                    "reception_centres",
                    "private_landlords",
                    "other",
                ]
            )
            question["options"] = _options(codes, L)
            if kind == "multiple_choice":
                question["options"][-1]["is_other"] = True
        if kind == "matrix":
            question["rows"] = _options(["employers", "recognition", "childcare", "transport"], L)
        questions.append(question)
    # Conditions: every question after a yes/no depends on it in one block out of three.
    for index, question in enumerate(questions):
        if index and questions[index - 1]["type"] == "yes_no" and index % 3 == 1:
            question["relevant"] = f"${{{questions[index - 1]['code']}}} = 'yes'"
    per_section = max(1, -(-n_questions // n_sections))
    sections = []
    for start in range(0, n_questions, per_section):
        sections.append(
            {
                "title": _texts(f"Part {len(sections) + 1}", L),
                "intro": _texts("About your authority's work on integration.", L),
                "questions": questions[start : start + per_section],
            }
        )
    return {"sections": sections}


def create_consultation(
    association: Organisation,
    *,
    slug: str,
    n_questions: int = 30,
    languages: tuple[str, ...] = ("en",),
    n_sections: int = 5,
) -> Consultation:
    from consult.surveys.documents import replace_questionnaire

    consultation = Consultation(
        slug=slug,
        association=association,
        default_language=languages[0],
        languages=list(languages),
        title=_texts("Benchmark consultation on local integration", languages),
        description=_texts("Synthetic data.", languages),
        reference_prefix="BEN",
        audience_mode=AudienceMode.CRITERIA,
        audience_criteria={"members_only": False},
    )
    db.session.add(consultation)
    db.session.commit()
    replace_questionnaire(consultation, bench_questionnaire(n_questions, languages, n_sections))
    consultation.status = ConsultationStatus.OPEN
    consultation.opens_at = utcnow() - timedelta(days=30)
    consultation.closes_at = utcnow() + timedelta(days=365)
    db.session.commit()
    return consultation


def bench_association() -> Organisation:
    association = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "bench"))
    if association is None:
        association = Organisation(
            kind=OrgKind.ASSOCIATION, slug="bench", name="Benchmark association"
        )
        db.session.add(association)
        db.session.commit()
    return association


# --- responses -------------------------------------------------------------------------------


_CUMULATIVE: dict[tuple, list[float]] = {}


def _skewed(rng: random.Random, items: list, weights: list[float]):
    key = tuple(weights)
    cumulative = _CUMULATIVE.get(key)
    if cumulative is None:
        cumulative = _CUMULATIVE[key] = list(itertools.accumulate(weights))
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _text(rng: random.Random) -> str:
    length = int(rng.lognormvariate(2.5, 1.0)) + 1
    return " ".join(rng.choice(WORDS) for _ in range(min(length, 300))).capitalize() + "."


def fake_answers(rng: random.Random, questions) -> tuple[dict, dict]:
    """Plausible answers to `questions` (objects with code/type/settings/options)."""
    answers, other = {}, {}
    previous_yes = True
    for question in questions:
        kind = question.type.value
        if question.relevant and not previous_yes:
            continue
        if rng.random() < 0.06 and not question.required:
            continue  # skipped
        options = [o.code for o in question.options if o.role.value == "option"]
        if kind == "yes_no":
            value = _skewed(rng, ["yes", "no"], [0.65, 0.35])
            previous_yes = value == "yes"
        elif kind == "single_choice":
            value = _skewed(rng, options, [0.35, 0.3, 0.18, 0.12, 0.05][: len(options)])
        elif kind == "multiple_choice":
            k = _skewed(rng, [1, 2, 3], [0.5, 0.35, 0.15])
            value = rng.sample(options, k)
            if any(o.is_other and o.code in value for o in question.options):
                other[question.code] = _text(rng)[:200]
        elif kind == "scale":
            value = (
                "dont_know"
                if rng.random() < 0.07
                else _skewed(rng, [1, 2, 3, 4, 5], [0.08, 0.15, 0.27, 0.32, 0.18])
            )
        elif kind == "matrix":
            rows = [o.code for o in question.options if o.role.value == "row"]
            value = {
                r: "dont_know"
                if rng.random() < 0.05
                else _skewed(rng, [1, 2, 3, 4, 5], [0.1, 0.2, 0.3, 0.25, 0.15])
                for r in rows
            }
        elif kind == "ranking":
            value = rng.sample(options, 3)
        elif kind == "number":
            if question.settings.get("integer"):
                value = int(rng.lognormvariate(10, 1.5))
            else:
                value = round(min(rng.lognormvariate(1.5, 1.0), 500), 1)
        elif kind == "date":
            value = (date(2005, 1, 1) + timedelta(days=rng.randrange(7600))).isoformat()
        elif kind in ("short_text", "long_text"):
            value = _text(rng)[: question.settings.get("max_length", 200)]
        else:
            continue
        answers[question.code] = value
    return answers, other


CONSENTS = [Consent.PUBLIC_NAMED, Consent.PUBLIC_ANONYMOUS, Consent.NOT_PUBLISHED]
RESPONSE_COLUMNS = (
    "id",
    "consultation_id",
    "authority_id",
    "seq",
    "reference",
    "status",
    "version",
    "language",
    "draft",
    "consent",
    "created_at",
    "updated_at",
    "submitted_at",
    "submitter_name",
    "submitter_function",
    "submission_count",
    "amending",
    "country",
    "nuts_code",
    "level",
    "size_class",
    "urbanisation",
)
ANSWER_COLUMNS = (
    "response_id",
    "question_id",
    "option_id",
    "row_id",
    "value_num",
    "value_text",
    "value_date",
    "dont_know",
)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def copy_rows(table: str, columns: list[str] | tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Stream `rows` into `table`: COPY on PostgreSQL, executemany batches on SQLite."""
    count = 0
    if _is_postgresql():
        raw = db.session.connection().connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    placeholders = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    cursor = db.session.connection().connection.driver_connection.cursor()
    batch = []
    for row in rows:
        batch.append(tuple(_sqlite_value(v) for v in row))
        if len(batch) >= BATCH:
            cursor.executemany(statement, batch)
            count += len(batch)
            batch = []
    if batch:
        cursor.executemany(statement, batch)
        count += len(batch)
    return count


def _sqlite_value(value):
    """What SQLAlchemy would store in SQLite: timestamps as naive UTC text, dates as ISO."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_responses(consultation: Consultation, n: int, *, seed: int = 2026, progress=None) -> int:
    """Write `n` submitted responses (and their answers) to `consultation`; returns the number
    of answer rows. Authorities already answering this consultation are skipped."""
    rng = random.Random(seed)
    questions = list(consultation.questions)
    encoder = AnswerEncoder(questions)
    authority_ids = ensure_authorities(
        n
        + db.session.scalar(
            sa.select(sa.func.count()).where(Response.consultation_id == consultation.id)
        )
    )
    answered = set(
        db.session.scalars(
            sa.select(Response.authority_id).where(Response.consultation_id == consultation.id)
        )
    )
    todo = [a for a in authority_ids if a not in answered][:n]
    next_id = (db.session.scalar(sa.select(sa.func.max(Response.id))) or 0) + 1
    seq = consultation.response_seq
    start_day = consultation.opens_at or utcnow() - timedelta(days=30)
    answer_count = 0
    # Written around the responding services: the tallies are incomplete until rebuilt.
    tallies.invalidate(db.session, consultation.id)
    if _is_postgresql():
        # The rows are consistent by construction: skip the per-row foreign-key triggers of
        # this bulk load (the standard way to bulk-load; needs a superuser, as in the benchmarks).
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    # A pool of distinct synthetic answer sets, each drawn from the distributions above; every
    # response takes one at random, so a million responses cost a million cheap picks.
    pool = []
    for _ in range(min(len(todo), POOL)):
        values, other = fake_answers(rng, questions)
        rows = [
            (
                r["question_id"],
                r["option_id"],
                r["row_id"],
                r["value_num"],
                r["value_text"],
                r["value_date"],
                r["dont_know"],
            )
            for r in encoder.rows(values, other)
        ]
        pool.append((json.dumps({"answers": values, "other": other}), rows))
    # Large loads: build the answers' secondary indexes once at the end, not row by row.
    rebuild_indexes = _is_postgresql() and len(todo) >= 200_000
    if rebuild_indexes:
        for index in Answer.__table__.indexes:
            db.session.execute(sa.text(f"DROP INDEX IF EXISTS {index.name}"))
    for chunk in _batches(todo, BATCH):
        attributes = {
            row.id: row
            for row in db.session.execute(
                sa.select(
                    Organisation.id,
                    Organisation.country,
                    Organisation.nuts_code,
                    Organisation.level,
                    Organisation.size_class,
                    Organisation.urbanisation,
                ).where(Organisation.id.in_(chunk))
            )
        }
        responses, answers = [], []
        for authority_id in chunk:
            seq += 1
            attrs = attributes[authority_id]
            draft_json, rows = pool[rng.randrange(len(pool))]
            submitted = start_day + timedelta(seconds=rng.randrange(30 * 86400))
            suffix = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
            responses.append(
                (
                    next_id,
                    consultation.id,
                    authority_id,
                    seq,
                    f"BEN-{submitted.year}-{seq:07d}-{suffix}",
                    ResponseStatus.SUBMITTED.value,
                    2,
                    consultation.default_language,
                    draft_json,
                    _skewed(rng, CONSENTS, [0.5, 0.3, 0.2]).value,
                    submitted,
                    submitted,
                    submitted,
                    "Synthetic Official",
                    "Integration officer",
                    1,
                    False,
                    attrs.country,
                    attrs.nuts_code,
                    attrs.level.value if attrs.level else None,
                    attrs.size_class.value if attrs.size_class else None,
                    attrs.urbanisation.value if attrs.urbanisation else None,
                )
            )
            answers.extend((next_id, *row) for row in rows)
            next_id += 1
        copy_rows("responses", RESPONSE_COLUMNS, responses)
        answer_count += copy_rows("answers", ANSWER_COLUMNS, answers)
        if progress:
            progress(len(chunk))
    db.session.execute(
        sa.update(Consultation)
        .where(Consultation.id == consultation.id)
        .values(response_seq=seq, updated_at=Consultation.updated_at)
    )
    if rebuild_indexes:
        db.session.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
        for index in Answer.__table__.indexes:
            index.create(db.session.connection())
    if _is_postgresql():
        db.session.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('responses', 'id'), "
                "(SELECT max(id) FROM responses))"
            )
        )
    db.session.commit()
    return answer_count


def add_members(association: Organisation, authority_ids: list[int]) -> None:
    existing = set(
        db.session.scalars(
            sa.select(association_members.c.authority_id).where(
                association_members.c.association_id == association.id
            )
        )
    )
    rows = ((association.id, a) for a in authority_ids if a not in existing)
    copy_rows("association_members", ("association_id", "authority_id"), rows)
    db.session.commit()
