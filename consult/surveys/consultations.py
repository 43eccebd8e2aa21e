"""Creating and editing consultations, and the lists of them.

`create_consultation` and `update_consultation` check every setting and raise
InvalidConsultation with a message per field; which changes the consultation's state still allows
is decided here too (the address is fixed once opened, the reference prefix and the languages
once responses exist, dates of an open consultation stay coherent). Dates come in UTC; the views
convert from the author's time zone (`consult.localtime`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.accounts.models import Organisation, OrgKind, User
from consult.db import utcnow
from consult.extensions import db
from consult.localtime import DEFAULT_TIMEZONE, is_valid_timezone
from consult.surveys import lifecycle
from consult.surveys.consultation_errors import ConsultationError, InvalidConsultation, WrongState
from consult.surveys.language_names import language_name
from consult.surveys.lifecycle import Status, effective_status, effective_status_sql
from consult.surveys.models import (
    EU_LANGUAGES,
    Consultation,
    ConsultationStatus,
    Response,
    ResponseStatus,
    ResultsVisibility,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 80
PREFIX_RE = re.compile(r"^[A-Z]{2,8}$")
K_MIN, K_MAX = 2, 100
TITLE_MAX = 200
DESCRIPTION_MAX = 20_000


@dataclass
class ConsultationSettings:
    """Everything an author sets on a consultation (dates aware, in UTC)."""

    slug: str
    default_language: str = "en"
    languages: list[str] = field(default_factory=lambda: ["en"])
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    timezone: str = DEFAULT_TIMEZONE
    results_visibility: ResultsVisibility = ResultsVisibility.STAFF
    k_threshold: int = 5
    allow_unsuppressed: bool = False
    signoff_required: bool = False
    reference_prefix: str = "CON"
    accepted_fallbacks: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, consultation: Consultation) -> ConsultationSettings:
        """The current settings of `consultation` (copies, safe to change)."""
        values = {f.name: getattr(consultation, f.name) for f in fields(cls)}
        for name in ("languages", "accepted_fallbacks"):
            values[name] = list(values[name] or [])
        for name in ("title", "description"):
            values[name] = dict(values[name] or {})
        return cls(**values)


def _texts(values: dict[str, str], languages: list[str]) -> dict[str, str]:
    return {lang: (values.get(lang) or "").strip() for lang in languages if values.get(lang)}


def _check(settings: ConsultationSettings, *, consultation: Consultation | None) -> dict:
    """Field problems of `settings` (empty when all is well); normalises it in place."""
    errors: dict[str, str] = {}
    settings.slug = (settings.slug or "").strip().lower()
    settings.reference_prefix = (settings.reference_prefix or "").strip()
    settings.languages = [lang for lang in EU_LANGUAGES if lang in set(settings.languages or ())]
    settings.title = _texts(settings.title, settings.languages)
    settings.description = _texts(settings.description, settings.languages)
    settings.accepted_fallbacks = [
        lang
        for lang in settings.languages
        if lang in set(settings.accepted_fallbacks or ()) and lang != settings.default_language
    ]
    if not SLUG_MIN <= len(settings.slug) <= SLUG_MAX or not SLUG_RE.match(settings.slug):
        errors["slug"] = _l(
            "The address must be 3 to 80 characters: lower-case letters, digits and single "
            "hyphens, for example integration-survey-2026."
        )
    else:
        taken = db.session.scalar(
            sa.select(Consultation.id).where(
                Consultation.slug == settings.slug,
                Consultation.id != (consultation.id if consultation else -1),
            )
        )
        if taken:
            errors["slug"] = _l("Another consultation already uses this address.")
    if settings.default_language not in EU_LANGUAGES:
        errors["default_language"] = _l("Choose one of the 24 official languages of the EU.")
    if not settings.languages:
        errors["languages"] = _l("Offer at least one language.")
    elif settings.default_language not in settings.languages:
        errors["languages"] = _l(
            "The default language (%(lang)s) must be one of the languages offered.",
            lang=language_name(settings.default_language),
        )
    default_title = settings.title.get(settings.default_language, "")
    if not default_title and settings.default_language in settings.languages:
        errors[f"title_{settings.default_language}"] = _l(
            "Enter the title in %(lang)s.", lang=language_name(settings.default_language)
        )
    for lang, text in settings.title.items():
        if len(text) > TITLE_MAX:
            errors[f"title_{lang}"] = _l("A title has at most %(max)d characters.", max=TITLE_MAX)
    for lang, text in settings.description.items():
        if len(text) > DESCRIPTION_MAX:
            errors[f"description_{lang}"] = _l(
                "A description has at most %(max)d characters.", max=DESCRIPTION_MAX
            )
    if settings.opens_at and settings.closes_at and settings.opens_at >= settings.closes_at:
        errors["closes_at"] = _l("The closing date must come after the opening date.")
    if not is_valid_timezone(settings.timezone or ""):
        errors["timezone"] = _l("Choose a time zone from the list.")
    try:
        settings.results_visibility = ResultsVisibility(settings.results_visibility)
    except ValueError:
        errors["results_visibility"] = _l("Choose who may see the results.")
    if not isinstance(settings.k_threshold, int) or not K_MIN <= settings.k_threshold <= K_MAX:
        errors["k_threshold"] = _l(
            "The smallest group shown must be between %(min)d and %(max)d authorities: with "
            "fewer than %(min)d, a single authority's answers could be recognised.",
            min=K_MIN,
            max=K_MAX,
        )
    if not PREFIX_RE.match(settings.reference_prefix):
        errors["reference_prefix"] = _l("The reference prefix is 2 to 8 capital letters (A–Z).")
    return errors


def _state_errors(consultation: Consultation, settings: ConsultationSettings, now) -> dict:
    """What the consultation's state forbids changing (`settings` already normalised)."""
    errors: dict[str, str] = {}
    status = effective_status(consultation, now)
    if consultation.status != ConsultationStatus.DRAFT and settings.slug != consultation.slug:
        errors["slug"] = _l(
            "The address cannot change once the consultation has been opened: invitations and "
            "reminders link to it."
        )
    if lifecycle.has_responses(consultation):
        if settings.reference_prefix != consultation.reference_prefix:
            errors["reference_prefix"] = _l(
                "Responses already carry references with this prefix; it can no longer change."
            )
        removed = set(consultation.languages) - set(settings.languages)
        if removed:
            errors["languages"] = _l(
                "Authorities have already answered: no language can be withdrawn (%(langs)s).",
                langs=", ".join(language_name(lang) for lang in sorted(removed)),
            )
    dates_changed = (settings.opens_at, settings.closes_at) != (
        consultation.opens_at,
        consultation.closes_at,
    )
    if status == Status.CLOSED and dates_changed:
        errors["closes_at"] = _l("The consultation is closed: to set a new deadline, reopen it.")
    elif status in (Status.OPEN, Status.SCHEDULED) and dates_changed:
        if settings.closes_at is None or settings.closes_at <= now:
            errors["closes_at"] = _l(
                "The closing date of an open consultation must stay in the future. To close it "
                "now, use “Close the consultation”."
            )
        if (
            status == Status.OPEN
            and settings.opens_at != consultation.opens_at
            and (settings.opens_at is None or settings.opens_at > now)
        ):
            errors["opens_at"] = _l(
                "The consultation is already open: its opening date cannot move to the future."
            )
    return errors


def create_consultation(
    association: Organisation, settings: ConsultationSettings, *, actor: User | None
) -> Consultation:
    """A new draft of `association` with `settings`; audience: the association's members."""
    if association.kind != OrgKind.ASSOCIATION:
        raise ConsultationError(_l("Only an association can own consultations."))
    errors = _check(settings, consultation=None)
    if errors:
        raise InvalidConsultation(errors)
    consultation = Consultation(
        association_id=association.id,
        status=ConsultationStatus.DRAFT,
        audience_criteria={"members_only": True},
        created_by_id=actor.id if actor else None,
        **{f.name: getattr(settings, f.name) for f in fields(ConsultationSettings)},
    )
    db.session.add(consultation)
    try:
        db.session.flush()
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise InvalidConsultation(
            {"slug": _l("Another consultation already uses this address.")}
        ) from error
    audit.record(
        "consultation.created",
        actor=actor,
        obj=consultation,
        organisation_id=association.id,
        slug=consultation.slug,
    )
    db.session.commit()
    return consultation


WORDING = ("title", "description")


def update_consultation(
    consultation: Consultation,
    settings: ConsultationSettings,
    *,
    actor: User | None,
    now: datetime | None = None,
) -> Consultation:
    """Save `settings`; refuses (InvalidConsultation) what is invalid or what the state no
    longer allows, field by field. Changed wording of a consultation that has left the draft
    state is audited with its old and new text."""
    now = now or utcnow()
    if consultation.status == ConsultationStatus.ARCHIVED:
        raise WrongState(_l("An archived consultation cannot be changed."))
    errors = _check(settings, consultation=consultation)
    errors = {**errors, **_state_errors(consultation, settings, now)}
    if errors:
        raise InvalidConsultation(errors)
    changed = []
    for f in fields(ConsultationSettings):
        old, new = getattr(consultation, f.name), getattr(settings, f.name)
        if old == new:
            continue
        changed.append(f.name)
        if f.name in WORDING:
            lifecycle.audit_wording_change(
                consultation, actor=actor, obj=consultation, field=f.name, old=old, new=new
            )
        setattr(consultation, f.name, new)
    if changed:
        audit.record(
            "consultation.updated",
            actor=actor,
            obj=consultation,
            organisation_id=consultation.association_id,
            slug=consultation.slug,
            fields=changed,
        )
    try:
        db.session.commit()
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise InvalidConsultation(
            {"slug": _l("Another consultation already uses this address.")}
        ) from error
    return consultation


# Lists.


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def consultations_select(
    *,
    association_id: int | None = None,
    q: str = "",
    status: str = "",
    now: datetime | None = None,
) -> sa.Select:
    """Consultations (of one association, or all), newest first, filtered by a search in the
    address and titles and by the status shown (derived from the clock, in SQL). Archived
    consultations are listed only when that status is asked for."""
    stmt = sa.select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id.desc())
    if association_id is not None:
        stmt = stmt.where(Consultation.association_id == association_id)
    q = q.strip().lower()
    if q:
        # Titles are stored as JSON text, where non-ASCII letters are \u escapes.
        escaped = json.dumps(q)[1:-1]
        stmt = stmt.where(
            sa.or_(
                Consultation.slug.like(_like(q), escape="\\"),
                sa.func.lower(sa.cast(Consultation.title, sa.Text)).like(
                    _like(escaped), escape="\\"
                ),
            )
        )
    if status in {s.value for s in Status}:
        stmt = stmt.where(effective_status_sql(now or utcnow()) == status)
    else:
        stmt = stmt.where(Consultation.status != ConsultationStatus.ARCHIVED)
    return stmt


@dataclass(frozen=True)
class ResponseCounts:
    submitted: int = 0
    drafts: int = 0


def response_counts(consultation_ids: list[int]) -> dict[int, ResponseCounts]:
    """Submitted and draft responses of each consultation, in one grouped query."""
    if not consultation_ids:
        return {}
    rows = db.session.execute(
        sa.select(Response.consultation_id, Response.status, sa.func.count())
        .where(Response.consultation_id.in_(consultation_ids))
        .group_by(Response.consultation_id, Response.status)
    )
    counts: dict[int, dict] = {}
    for consultation_id, status, count in rows:
        slot = counts.setdefault(consultation_id, {"submitted": 0, "drafts": 0})
        if status == ResponseStatus.SUBMITTED:
            slot["submitted"] = count
        elif status == ResponseStatus.DRAFT:
            slot["drafts"] = count
    return {cid: ResponseCounts(**values) for cid, values in counts.items()}


def get_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def get_association(slug: str) -> Organisation | None:
    """The association with this slug (None for another kind of organisation)."""
    return db.session.scalar(
        sa.select(Organisation).where(
            Organisation.slug == slug, Organisation.kind == OrgKind.ASSOCIATION
        )
    )
