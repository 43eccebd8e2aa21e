"""Copy a consultation as a new draft: questionnaire, translations, audience and settings.

The copy has a new address (`<slug>-2`, `-3`… unless one is given), no dates, no responses and
no invitations, and remembers where it came from (`cloned_from_id`). All or nothing: one
transaction.
"""

from __future__ import annotations

import copy

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from consult import audit
from consult.accounts.models import User
from consult.extensions import db
from consult.surveys.consultation_errors import InvalidConsultation
from consult.surveys.consultations import SLUG_MAX, ConsultationSettings, _check
from consult.surveys.models import (
    AudienceMember,
    Consultation,
    ConsultationStatus,
    Option,
    Question,
    Section,
)

# Columns copied as they are (dates, status, ids and bookkeeping are not).
CONSULTATION_COLUMNS = (
    "default_language",
    "languages",
    "title",
    "description",
    "timezone",
    "results_visibility",
    "k_threshold",
    "allow_unsuppressed",
    "signoff_required",
    "reference_prefix",
    "audience_mode",
    "audience_criteria",
    "accepted_fallbacks",
)
SECTION_COLUMNS = ("position", "title", "intro")
QUESTION_COLUMNS = (
    "position",
    "code",
    "type",
    "label",
    "help",
    "required",
    "settings",
    "relevant",
    "relevant_ast",
)
OPTION_COLUMNS = ("role", "position", "code", "label", "is_other")


def _copy(source, columns: tuple[str, ...]) -> dict:
    return {name: copy.deepcopy(getattr(source, name)) for name in columns}


def suggest_slug(slug: str) -> str:
    """The first free address among `<slug>-2`, `<slug>-3`…"""
    taken = set(
        db.session.scalars(sa.select(Consultation.slug).where(Consultation.slug.like(f"{slug}-%")))
    )
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = slug[: SLUG_MAX - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


def clone_consultation(
    source: Consultation, *, actor: User | None, slug: str | None = None
) -> Consultation:
    """A new draft copy of `source` in the same association (see the module docstring)."""
    slug = (slug or "").strip().lower() or suggest_slug(source.slug)
    errors = _check(ConsultationSettings(slug=slug), consultation=None)
    if "slug" in errors:
        raise InvalidConsultation({"slug": errors["slug"]})
    clone = Consultation(
        slug=slug,
        association_id=source.association_id,
        status=ConsultationStatus.DRAFT,
        opens_at=None,
        closes_at=None,
        cloned_from_id=source.id,
        created_by_id=actor.id if actor else None,
        **_copy(source, CONSULTATION_COLUMNS),
    )
    db.session.add(clone)
    try:
        db.session.flush()
        for source_section in source.sections:
            section = Section(consultation_id=clone.id, **_copy(source_section, SECTION_COLUMNS))
            db.session.add(section)
            db.session.flush()
            for source_question in source_section.questions:
                question = Question(
                    consultation_id=clone.id,
                    section_id=section.id,
                    **_copy(source_question, QUESTION_COLUMNS),
                )
                db.session.add(question)
                db.session.flush()
                for source_option in source_question.options:
                    db.session.add(
                        Option(question_id=question.id, **_copy(source_option, OPTION_COLUMNS))
                    )
        members = db.session.scalars(
            sa.select(AudienceMember.authority_id).where(
                AudienceMember.consultation_id == source.id
            )
        ).all()
        if members:
            db.session.execute(
                sa.insert(AudienceMember),
                [{"consultation_id": clone.id, "authority_id": a} for a in members],
            )
        audit.record(
            "consultation.cloned",
            actor=actor,
            obj=clone,
            organisation_id=clone.association_id,
            slug=clone.slug,
            source=source.slug,
            source_id=source.id,
        )
        db.session.commit()
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise InvalidConsultation(
            {"slug": _l("The copy could not be made: another consultation uses this address.")}
        ) from error
    except Exception:
        db.session.rollback()
        raise
    return clone
