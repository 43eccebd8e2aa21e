"""Marshmallow schemas of the API's resources: the one definition of each shape, used to load
requests (unknown fields refused), dump answers and write the OpenAPI document.

The questionnaire document's schemas live with the services (`consult.surveys.schemas`)."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from consult.surveys.consultations import (
    DESCRIPTION_MAX,
    K_MAX,
    K_MIN,
    SLUG_MAX,
    SLUG_MIN,
    TITLE_MAX,
)
from consult.surveys.lifecycle import Status
from consult.surveys.models import EU_LANGUAGES, Consent, ResultsVisibility

LANGUAGES = sorted(EU_LANGUAGES)
SLUG = validate.And(
    validate.Length(min=SLUG_MIN, max=SLUG_MAX),
    validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Lower-case letters, digits, hyphens."),
)


# Versions are stored as 32-bit integers: a larger one is refused, never sent to the database.
VERSION = validate.Range(min=1, max=2**31 - 1)


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _texts(max_length: int, **kwargs) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(LANGUAGES)),
        values=fields.String(validate=validate.Length(max=max_length)),
        **kwargs,
    )


class ProblemSchema(Schema):
    """An RFC 9457 problem; `errors` maps each invalid field to its message."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.String())
    problems = fields.List(fields.Dict())
    current_version = fields.Integer()
    report = fields.List(fields.Dict())


# Consultations.


class ConsultationSettingsSchema(Strict):
    """The settings an author gives; every field optional on update."""

    slug = fields.String(validate=SLUG)
    default_language = fields.String(validate=validate.OneOf(LANGUAGES))
    languages = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)),
        validate=validate.Length(min=1, max=len(LANGUAGES)),
    )
    title = _texts(TITLE_MAX)
    description = _texts(DESCRIPTION_MAX)
    opens_at = fields.AwareDateTime(allow_none=True)
    closes_at = fields.AwareDateTime(allow_none=True)
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    results_visibility = fields.String(
        validate=validate.OneOf([v.value for v in ResultsVisibility])
    )
    k_threshold = fields.Integer(validate=validate.Range(min=K_MIN, max=K_MAX), strict=True)
    allow_unsuppressed = fields.Boolean()
    signoff_required = fields.Boolean()
    reference_prefix = fields.String(validate=validate.Length(min=2, max=8))
    accepted_fallbacks = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)), validate=validate.Length(max=24)
    )


class ConsultationCreateSchema(ConsultationSettingsSchema):
    """A new draft: its address is required; `association` (a slug) defaults to the author's."""

    slug = fields.String(required=True, validate=SLUG)
    association = fields.String(validate=validate.Length(min=1, max=120))


class ConsultationSchema(Schema):
    slug = fields.String(required=True)
    association = fields.Function(
        lambda c: c.association.slug, required=True, metadata={"type": "string"}
    )
    status = fields.Function(lambda c: _status(c), required=True, metadata={"type": "string"})
    default_language = fields.String(required=True)
    languages = fields.List(fields.String(), required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    description = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    opens_at = fields.AwareDateTime(allow_none=True, required=True)
    closes_at = fields.AwareDateTime(allow_none=True, required=True)
    timezone = fields.String(required=True)
    results_visibility = fields.Function(
        lambda c: c.results_visibility.value, required=True, metadata={"type": "string"}
    )
    k_threshold = fields.Integer(required=True)
    allow_unsuppressed = fields.Boolean(required=True)
    signoff_required = fields.Boolean(required=True)
    reference_prefix = fields.String(required=True)
    accepted_fallbacks = fields.List(fields.String(), required=True)
    created_at = fields.AwareDateTime(required=True)
    updated_at = fields.AwareDateTime(required=True)


def _status(consultation) -> str:
    from consult.surveys.lifecycle import effective_status

    return effective_status(consultation).value


class ConsultationPageSchema(Schema):
    items = fields.List(fields.Nested(ConsultationSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


class ConsultationListQuery(Strict):
    status = fields.String(validate=validate.OneOf([s.value for s in Status]))
    association = fields.String(validate=validate.Length(min=1, max=120))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(validate=validate.Range(min=1, max=100), load_default=20)


class CloneSchema(Strict):
    slug = fields.String(validate=SLUG)


class OpeningProblemSchema(Schema):
    message = fields.String(required=True)
    field = fields.String(allow_none=True)
    where = fields.String(allow_none=True)


# Responses.


class ResponseSchema(Schema):
    reference = fields.String(allow_none=True, required=True)
    consultation = fields.Function(
        lambda r: r.consultation.slug, required=True, metadata={"type": "string"}
    )
    authority = fields.Function(
        lambda r: r.authority.name, required=True, metadata={"type": "string"}
    )
    status = fields.Function(lambda r: r.status.value, required=True, metadata={"type": "string"})
    amending = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    language = fields.String(required=True)
    answers = fields.Function(
        lambda r: dict((r.draft or {}).get("answers", {})),
        required=True,
        metadata={"type": "object"},
    )
    other = fields.Function(
        lambda r: dict((r.draft or {}).get("other", {})),
        required=True,
        metadata={"type": "object"},
    )
    consent = fields.Function(
        lambda r: r.consent.value if r.consent else None,
        allow_none=True,
        metadata={"type": "string"},
    )
    submitted_at = fields.AwareDateTime(allow_none=True, required=True)
    submitter_name = fields.String(allow_none=True)
    submitter_function = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(required=True)


class DraftSchema(Strict):
    """A draft save: the whole working copy (answers by question code), based on `version`."""

    version = fields.Integer(required=True, strict=True, validate=VERSION)
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=64)), required=True)
    other = fields.Dict(
        keys=fields.String(validate=validate.Length(max=64)),
        values=fields.String(validate=validate.Length(max=2000)),
        load_default=dict,
    )
    language = fields.String(validate=validate.OneOf(LANGUAGES))


class SubmitSchema(Strict):
    version = fields.Integer(required=True, strict=True, validate=VERSION)
    consent = fields.String(required=True, validate=validate.OneOf([c.value for c in Consent]))
    submitter_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    submitter_function = fields.String(required=True, validate=validate.Length(min=1, max=200))


class VersionSchema(Strict):
    version = fields.Integer(required=True, strict=True, validate=VERSION)
