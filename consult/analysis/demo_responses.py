"""Synthetic submitted responses for demos and benchmarks (fictional, reproducible).

`fill_demo_responses(session, consultation, count)` answers the consultation on behalf of up to
`count` demo authorities (slug ``demo-…``) that have no response yet: skewed choices that differ a
little by country, some "don't know"s and skipped questions, free texts and "other" texts, and
every consent choice. A seeded RNG makes it the same every time. Responses and answers are bulk
inserted (executemany); nothing is queried per response. `relevant` conditions are not applied.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from consult.accounts.models import Organisation, OrgKind
from consult.analysis.audience import audience_conditions
from consult.surveys import tallies
from consult.surveys.answers import answer_rows
from consult.surveys.models import (
    Answer,
    Consent,
    Consultation,
    OptionRole,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
)

TEXTS = (
    "Affordable housing for newly arrived families is our main difficulty.",
    "Language courses are oversubscribed; waiting lists reach six months.",
    "Cooperation with the regional employment service works well.",
    "Funding is too short-term to plan beyond one year.",
    "Volunteers carry most of the reception work in our municipality.",
    "Schools need more support staff for pupils who arrive mid-year.",
    "A one-stop shop at the town hall has shortened procedures.",
    "Rural areas lack transport to reach training and jobs.",
    "Recognition of qualifications takes too long.",
    "We would welcome an exchange of practices with other regions.",
)
OTHER_TEXTS = (
    "Sports clubs",
    "Faith communities",
    "Libraries",
    "Local businesses",
    "Youth centres",
)
CONSENT_WEIGHTS = {
    Consent.PUBLIC_NAMED: 5,
    Consent.PUBLIC_ANONYMOUS: 3,
    Consent.NOT_PUBLISHED: 2,
}
CHUNK = 5_000


class _Answerer:
    """Draws answers; the skew of each question (and its tilt per country) is fixed by the seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.weights: dict = {}

    def _weights(self, key, count: int, country: str | None) -> list[float]:
        if key not in self.weights:
            base = [1 / (i + 1) ** 1.3 for i in range(count)]
            self.rng.shuffle(base)
            self.weights[key] = base
        tilt = random.Random(f"{key}-{country}")  # noqa: S311 (demo data)
        return [w * tilt.uniform(0.5, 1.5) for w in self.weights[key]]

    def pick(self, key, items: list, country: str | None):
        return self.rng.choices(items, weights=self._weights(key, len(items), country))[0]

    def answer(self, question: Question, country: str | None):
        rng, kind, settings = self.rng, question.type, question.settings or {}
        options = [o for o in question.options if o.role == OptionRole.OPTION]
        if kind == QuestionType.NOTE or (not question.required and rng.random() < 0.06):
            return None, None
        if kind == QuestionType.SINGLE_CHOICE and options:
            option = self.pick(question.code, options, country)
            other = rng.choice(OTHER_TEXTS) if option.is_other else None
            return option.code, other
        if kind == QuestionType.MULTIPLE_CHOICE and options:
            chosen = {self.pick(question.code, options, country) for _ in range(rng.randint(1, 3))}
            other = rng.choice(OTHER_TEXTS) if any(o.is_other for o in chosen) else None
            return [o.code for o in options if o in chosen], other
        if kind == QuestionType.YES_NO:
            return self.pick(question.code, ["yes", "no"], country), None
        if kind == QuestionType.SCALE:
            return self._point(question.code, settings, country), None
        if kind == QuestionType.MATRIX:
            rows = [o for o in question.options if o.role == OptionRole.ROW]
            return {
                r.code: self._point((question.code, r.code), settings, country) for r in rows
            }, None
        if kind == QuestionType.RANKING and options:
            weights = self._weights(question.code, len(options), country)
            keys = {o.id: rng.random() ** (1 / w) for o, w in zip(options, weights, strict=True)}
            ranked = sorted(options, key=lambda o: -keys[o.id])  # a weighted random order
            return [o.code for o in ranked[: rng.randint(1, len(ranked))]], None
        if kind == QuestionType.NUMBER:
            return self._number(settings), None
        if kind in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            return rng.choice(TEXTS), None
        if kind == QuestionType.DATE:
            return (date(2025, 1, 1) + timedelta(days=rng.randint(0, 540))).isoformat(), None
        return None, None

    def _point(self, key, settings: dict, country: str | None):
        start = int(settings.get("start", 1))
        points = list(range(start, start + int(settings.get("points", 5))))
        if settings.get("dont_know") and self.rng.random() < 0.08:
            return "dont_know"
        return self.pick(key, points, country)

    def _number(self, settings: dict):
        low = settings.get("min", 0)
        high = settings.get("max", 10_000)
        value = min(max(self.rng.lognormvariate(3.5, 1.2), low), high)
        return round(value) if settings.get("integer") else round(value, 1)


def fill_demo_responses(
    session: Session,
    consultation: Consultation,
    count: int,
    *,
    seed: int = 2026,
    within_audience: bool = False,
    exclude: Collection[int] = (),
) -> int:
    """Add up to `count` submitted responses from demo authorities (only those of the
    consultation's audience with `within_audience`, never those in `exclude`); return how many
    were added."""
    rng = random.Random(seed)  # noqa: S311 (fictional demo data)
    scope = []
    if within_audience:
        scope.extend(audience_conditions(consultation))
    if exclude:
        scope.append(Organisation.id.not_in(list(exclude)))
    authorities = (
        session.execute(
            sa.select(Organisation)
            .where(
                Organisation.kind == OrgKind.AUTHORITY,
                Organisation.slug.like("demo-%"),
                Organisation.active.is_(True),
                ~sa.exists().where(
                    Response.consultation_id == consultation.id,
                    Response.authority_id == Organisation.id,
                ),
                *scope,
            )
            .order_by(Organisation.id)
            .limit(count)
        )
        .scalars()
        .all()
    )
    if not authorities:
        return 0
    questions = session.scalars(
        sa.select(Question)
        .where(Question.consultation_id == consultation.id)
        .options(selectinload(Question.options))
        .order_by(Question.section_id, Question.position, Question.id)
    ).all()
    first_seq = session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(Response.seq), 0)).where(
            Response.consultation_id == consultation.id
        )
    )
    start = datetime(2026, 2, 1, 8, 0, tzinfo=UTC)
    answerer = _Answerer(rng)
    consents, weights = list(CONSENT_WEIGHTS), list(CONSENT_WEIGHTS.values())
    response_rows, answers_by_authority = [], {}
    for index, authority in enumerate(authorities):
        when = start + timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        answers, other = {}, {}
        for question in questions:
            value, other_text = answerer.answer(question, authority.country)
            if value is not None:
                answers[question.code] = value
            if other_text:
                other[question.code] = other_text
        answers_by_authority[authority.id] = (answers, other)
        response_rows.append(
            {
                "consultation_id": consultation.id,
                "authority_id": authority.id,
                "seq": first_seq + index + 1,
                "status": ResponseStatus.SUBMITTED.value,
                "version": 1,
                "language": consultation.default_language,
                "draft": {},
                "consent": rng.choices(consents, weights=weights)[0].value,
                "created_at": when - timedelta(hours=rng.randint(1, 72)),
                "updated_at": when,
                "submitted_at": when,
                "submission_count": 1,
                "country": authority.country,
                "nuts_code": authority.nuts_code,
                "level": authority.level.value if authority.level else None,
                "size_class": authority.size_class.value if authority.size_class else None,
                "urbanisation": authority.urbanisation.value if authority.urbanisation else None,
            }
        )
    for chunk in range(0, len(response_rows), CHUNK):
        session.execute(sa.insert(Response.__table__), response_rows[chunk : chunk + CHUNK])
    ids = dict(
        session.execute(
            sa.select(Response.authority_id, Response.id).where(
                Response.consultation_id == consultation.id,
                Response.authority_id.in_(list(answers_by_authority)),
            )
        ).all()
    )
    batch: list[dict] = []
    for authority_id, (answers, other) in answers_by_authority.items():
        for row in answer_rows(questions, answers, other):
            row["response_id"] = ids[authority_id]
            batch.append(row)
        if len(batch) >= CHUNK:
            session.execute(sa.insert(Answer.__table__), batch)
            batch = []
    if batch:
        session.execute(sa.insert(Answer.__table__), batch)
    tallies.invalidate(session, consultation.id)  # written around the services
    session.flush()
    return len(authorities)
