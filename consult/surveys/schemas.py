"""Marshmallow schemas of the questionnaire document: the one JSON form of a questionnaire, used
by `questionnaire_document` / `replace_questionnaire`, the XLSForm import and the API.

    {"sections": [
        {"title": {lang: text}, "intro": {lang: text},
         "questions": [
            {"code": "q1", "type": "single_choice", "label": {…}, "help": {…},
             "required": false, "settings": {…}, "relevant": "${q0} = 'yes'" | null,
             "relevant_ast": {…} | null,
             "options": [{"code": "a", "label": {…}, "is_other": false}],
             "rows": [{"code": "r1", "label": {…}}]}]}]}

Unknown fields are refused everywhere. `relevant_ast` is given on output for the browser and
ignored on input: it is always recomputed from `relevant`. Settings are checked per type by
`consult.surveys.settings`.
"""

from __future__ import annotations

from marshmallow import Schema, fields, post_load, validate

from consult.surveys.models import EU_LANGUAGES, QuestionType

MAX_SECTIONS = 200
MAX_QUESTIONS = 500
MAX_OPTIONS = 500
TEXT_LIMITS = {"title": 500, "label": 2000, "help": 5000, "intro": 10000, "option": 1000}


def texts(max_length: int) -> fields.Dict:
    """A {language code: text} map of EU languages."""
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(sorted(EU_LANGUAGES))),
        values=fields.String(validate=validate.Length(max=max_length)),
        load_default=dict,
    )


class OptionSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    label = texts(TEXT_LIMITS["option"])
    is_other = fields.Boolean(load_default=False)


class RowSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    label = texts(TEXT_LIMITS["option"])


class QuestionSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in QuestionType]))
    label = texts(TEXT_LIMITS["label"])
    help = texts(TEXT_LIMITS["help"])
    required = fields.Boolean(load_default=False)
    settings = fields.Dict(keys=fields.String(), load_default=dict)
    relevant = fields.String(
        allow_none=True, load_default=None, validate=validate.Length(max=10000)
    )
    relevant_ast = fields.Raw(allow_none=True, load_default=None)
    options = fields.List(
        fields.Nested(OptionSchema), load_default=list, validate=validate.Length(max=MAX_OPTIONS)
    )
    rows = fields.List(
        fields.Nested(RowSchema), load_default=list, validate=validate.Length(max=MAX_OPTIONS)
    )

    @post_load
    def _normalise(self, data, **kwargs):
        data["relevant"] = (data.get("relevant") or "").strip() or None
        data.pop("relevant_ast", None)
        return data


class SectionSchema(Schema):
    title = texts(TEXT_LIMITS["title"])
    intro = texts(TEXT_LIMITS["intro"])
    questions = fields.List(
        fields.Nested(QuestionSchema),
        load_default=list,
        validate=validate.Length(max=MAX_QUESTIONS),
    )


class QuestionnaireSchema(Schema):
    sections = fields.List(
        fields.Nested(SectionSchema), required=True, validate=validate.Length(max=MAX_SECTIONS)
    )
