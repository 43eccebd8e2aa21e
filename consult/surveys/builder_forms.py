"""HTML forms of the questionnaire builder (CSRF on; field checks only: codes, settings,
conditions and every rule that needs the questionnaire are the services' to check).

Forms with texts have one field per offered language (`label_en`, `label_fr`…, see
`builder_support.text_field`), the default language first; the form classes are built per
consultation (questions: `builder_question_forms`). `BuilderForm.apply_error` puts a service refusal
(`QuestionnaireError` and its `problems`) on the fields it names.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from consult.surveys.builder_support import text_field
from consult.surveys.errors import QuestionnaireError
from consult.surveys.models import EU_LANGUAGES, Consultation, QuestionType
from consult.surveys.schemas import TEXT_LIMITS

TYPE_NAMES = {
    "single_choice": (_l("Single choice"), _l("One answer from a list of options.")),
    "multiple_choice": (
        _l("Multiple choice"),
        _l("Any number of answers from a list, with optional minimum and maximum."),
    ),
    "yes_no": (_l("Yes / no"), _l("Yes or no.")),
    "scale": (_l("Scale"), _l("A rating on labelled points (Likert), optionally “don’t know”.")),
    "matrix": (_l("Matrix"), _l("Several rows rated on the same scale.")),
    "ranking": (_l("Ranking"), _l("Put items in order of preference.")),
    "number": (_l("Number"), _l("A whole or decimal number, with optional bounds.")),
    "short_text": (_l("Short text"), _l("A line of text.")),
    "long_text": (_l("Long text"), _l("Paragraphs of text, with an optional length limit.")),
    "date": (_l("Date"), _l("A date, with optional earliest and latest dates.")),
    "note": (_l("Note"), _l("Text shown to respondents; not a question.")),
}


def ordered_languages(consultation: Consultation) -> list[str]:
    """The offered languages, the default language first."""
    default = consultation.default_language
    return [default, *[lang for lang in consultation.languages or [] if lang != default]]


def language_name(language: str) -> str:
    return EU_LANGUAGES.get(language, language)


class BuilderForm(FlaskForm):
    """A form with per-language groups of fields and room for the services' refusals."""

    groups: dict[str, tuple] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.general_errors: list[str] = []

    # texts per language

    def group(self, name: str):
        """[(language, field)] of a per-language group."""
        return [(lang, self[field]) for lang, field in self.groups[name][1]]

    def texts(self, name: str) -> dict[str, str]:
        return {lang: (field.data or "").strip() for lang, field in self.group(name)}

    def fill_texts(self, name: str, values: Mapping | None) -> None:
        for lang, field in self.group(name):
            field.data = (values or {}).get(lang, "")

    # errors

    def add_error(self, name: str | None, message: str) -> None:
        field = self._fields.get(name) if name else None
        if field is None:
            self.general_errors.append(str(message))
        else:
            field.errors = [*field.errors, str(message)]

    def error_target(self, field: str | None) -> str | None:
        """The form field a service error's `field` names."""
        if not field:
            return None
        if field in self.groups:
            return self.groups[field][1][0][1]
        if field.startswith("settings."):
            key = field.split(".")[1]
            if key == "labels":
                points = [g for g in self.groups if g.startswith("point_")]
                return self.groups[points[0]][1][0][1] if points else None
            if key in self.groups:
                return self.groups[key][1][0][1]
            return f"settings_{key}" if f"settings_{key}" in self._fields else None
        return field if field in self._fields else None

    def apply_error(self, error: QuestionnaireError) -> None:
        """Show a service refusal at the fields it names (the rest above the form)."""
        if not error.problems:
            self.add_error(self.error_target(error.field), error.message)
            return
        for problem in error.problems:
            self.add_error(self.error_target(problem.field), problem.message)

    def summary(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) of every error, in the order of the form."""
        items = [(None, message) for message in self.general_errors]
        for field in self:
            if field.type == "CSRFTokenField":
                items.extend((None, str(m)) for m in field.errors)
            elif field.type == "FieldList":
                for entry in field.entries:
                    for sub in entry.form:
                        items.extend((sub.id, str(m)) for m in sub.errors)
            else:
                items.extend((field.id, str(m)) for m in field.errors)
        return items


def add_texts(
    attrs: dict,
    name: str,
    legend,
    languages: list[str],
    *,
    max_length: int,
    required_message=None,
    textarea: bool = False,
    rows: int = 3,
    hint=None,
    field_name=None,
) -> None:
    """Add one field per language to `attrs` and record the group."""
    members = []
    for position, language in enumerate(languages):
        validators = [Length(max=max_length)]
        if position == 0 and required_message:
            validators.insert(0, InputRequired(required_message))
        else:
            validators.insert(0, Optional())
        render_kw = {"lang": language, "dir": "auto"}
        if textarea:
            render_kw["rows"] = rows
        key = (field_name or (lambda lang: text_field(name, lang)))(language)
        cls = TextAreaField if textarea else StringField
        attrs[key] = cls(language_name(language), validators, render_kw=render_kw)
        members.append((language, key))
    attrs.setdefault("groups", {})[name] = (legend, members, hint)


def form_class(name: str, attrs: dict, base=BuilderForm):
    groups = dict(getattr(base, "groups", {}))
    groups.update(attrs.pop("groups", {}))
    attrs["groups"] = groups
    return type(name, (base,), attrs)


# --- sections


def section_form(consultation: Consultation, **kwargs) -> BuilderForm:
    languages = ordered_languages(consultation)
    default = language_name(languages[0])
    attrs: dict = {}
    add_texts(
        attrs,
        "title",
        _l("Title"),
        languages,
        max_length=TEXT_LIMITS["title"],
        required_message=_l("Enter the title in %(language)s.", language=default),
    )
    add_texts(
        attrs,
        "intro",
        _l("Introduction (optional)"),
        languages,
        max_length=TEXT_LIMITS["intro"],
        textarea=True,
        hint=_l("Shown at the top of the page, before its questions."),
    )
    return form_class("SectionForm", attrs)(**kwargs)


# --- options


def option_form(consultation: Consultation, *, other: bool, **kwargs) -> BuilderForm:
    languages = ordered_languages(consultation)
    attrs: dict = {
        "code": StringField(
            _l("Code"),
            [InputRequired(_l("Enter a code.")), Length(max=64)],
            description=_l("Letters, digits, _, . and - (e.g. 1, 2, housing). Conditions name it."),
            render_kw={"spellcheck": "false", "autocomplete": "off"},
        )
    }
    add_texts(
        attrs,
        "label",
        _l("Label"),
        languages,
        max_length=TEXT_LIMITS["option"],
        required_message=_l(
            "Enter the label in %(language)s.", language=language_name(languages[0])
        ),
    )
    if other:
        attrs["is_other"] = BooleanField(
            _l("“Other, please specify”: respondents who choose it type their own answer")
        )
    return form_class("OptionForm", attrs)(**kwargs)


# --- small forms


class TypeForm(FlaskForm):
    type = RadioField(
        _l("Type of question"),
        choices=[(t.value, TYPE_NAMES[t.value][0]) for t in QuestionType],
        validators=[InputRequired(_l("Choose a type of question."))],
    )


class ConfirmForm(FlaskForm):
    """A confirmation: only the CSRF token."""


class MoveForm(FlaskForm):
    """Up/down buttons send `direction`; drag and drop sends `position` (and `section`)."""

    direction = HiddenField()
    position = HiddenField()
    section = HiddenField()


class LabelForm(FlaskForm):
    """The inline edit of a question's text in one language."""

    part = HiddenField()
    language = HiddenField()
    text = StringField(
        _l("Text"),
        [InputRequired(_l("Enter the text.")), Length(max=TEXT_LIMITS["label"])],
    )


class UploadForm(BuilderForm):
    file = FileField(
        _l("Workbook (.xlsx)"),
        validators=[FileRequired(_l("Choose a file."))],
        render_kw={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        },
    )


class FallbackForm(FlaskForm):
    accepted = HiddenField()
