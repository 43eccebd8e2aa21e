"""Schemas of results and participation: the analysis dataclasses as JSON (suppressed figures
are null, with `suppressed: true`)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from consult.analysis.spec import Dimension
from consult.api.schemas import Strict

Label = fields.Dict(keys=fields.String(), values=fields.String())


class ResultsQuery(Strict):
    """The breakdown and filters, as on the results pages. Several values of one filter mean
    any of them; different filters must all hold."""

    breakdown = fields.String(validate=validate.OneOf([d.value for d in Dimension]))
    countries = fields.List(fields.String(), metadata={"description": "ISO 3166-1 alpha-2"})
    nuts1 = fields.List(fields.String())
    nuts2 = fields.List(fields.String())
    levels = fields.List(fields.String())
    size_classes = fields.List(fields.String())
    urbanisations = fields.List(fields.String())
    associations = fields.List(fields.String(), metadata={"description": "association ids"})
    answer = fields.List(
        fields.String(),
        metadata={"description": "QUESTION_CODE:OPTION_CODE (yes/no: CODE:yes or CODE:no)"},
    )
    unsuppressed = fields.Boolean(
        load_default=False,
        metadata={"description": "Without small-cell suppression, where allowed to you."},
    )


class CellSchema(Schema):
    count = fields.Integer(allow_none=True, required=True)
    share = fields.Float(allow_none=True, required=True)
    suppressed = fields.Boolean(required=True)
    share_of_selections = fields.Float(allow_none=True)


class GroupSchema(Schema):
    key = fields.Raw(allow_none=True, required=True, metadata={"type": ["string", "integer"]})
    label = fields.String(required=True)
    n = fields.Integer(allow_none=True, required=True)
    suppressed = fields.Boolean(required=True)


class DistributionRowSchema(Schema):
    key = fields.String(required=True)
    label = Label
    total = fields.Nested(CellSchema, required=True)
    cells = fields.List(fields.Nested(CellSchema), required=True)


class QuestionResultSchema(Schema):
    """Every question's result has the first fields; the others depend on `type` (choices:
    `rows`; scale and matrix: `points`, `scales`; ranking: `options`; number: `stats`, `bins`;
    date: `months`; texts: `answered`, `publishable`)."""

    question_id = fields.Integer(required=True)
    code = fields.String(required=True)
    type = fields.String(required=True)
    label = Label
    default_language = fields.String(required=True)
    k = fields.Integer(required=True)
    n = fields.Integer(allow_none=True, required=True)
    groups = fields.List(fields.Nested(GroupSchema), required=True)
    breakdown = fields.String(allow_none=True, required=True)
    suppressed = fields.Boolean(required=True)
    any_suppressed = fields.Boolean(required=True)
    rows = fields.List(fields.Nested(DistributionRowSchema))
    selections = fields.Nested(CellSchema, allow_none=True)
    group_selections = fields.List(fields.Nested(CellSchema))
    other_texts = fields.Integer()
    points = fields.List(fields.Integer())
    point_labels = fields.List(Label)
    scales = fields.List(fields.Dict())
    options = fields.List(fields.Dict())
    stats = fields.Dict()
    group_stats = fields.List(fields.Dict())
    edges = fields.List(fields.Float())
    bins = fields.List(fields.Nested(DistributionRowSchema))
    months = fields.List(fields.Nested(DistributionRowSchema))
    first = fields.String(allow_none=True)
    last = fields.String(allow_none=True)
    answered = fields.Nested(DistributionRowSchema)
    publishable = fields.Integer(allow_none=True)


class ResultsSchema(Schema):
    consultation = fields.String(required=True)
    breakdown = fields.String(allow_none=True, required=True)
    filters = fields.Dict(required=True)
    unsuppressed = fields.Boolean(required=True)
    questions = fields.List(fields.Nested(QuestionResultSchema), required=True)


class ParticipationRowSchema(Schema):
    key = fields.String(allow_none=True, required=True)
    label = fields.String(required=True)
    audience = fields.Integer(required=True)
    invited = fields.Integer(required=True)
    started = fields.Nested(CellSchema, required=True)
    submitted = fields.Nested(CellSchema, required=True)
    rate = fields.Float(allow_none=True, required=True)


class ParticipationSchema(Schema):
    consultation = fields.String(required=True)
    k = fields.Integer(required=True)
    any_suppressed = fields.Boolean(required=True)
    total = fields.Nested(ParticipationRowSchema, required=True)
    by = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Nested(ParticipationRowSchema)),
        required=True,
    )
