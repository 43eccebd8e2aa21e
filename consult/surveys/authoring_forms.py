"""HTML forms of consultation authoring (CSRF on). Field checks only: the rules live in the
services, whose field errors the views put back on these forms."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.accounts.models import AuthorityLevel, SizeClass, Urbanisation
from consult.localtime import AmbiguousTime, NonexistentTime, to_utc, utc_offset_label
from consult.surveys.language_names import language_choices, language_name
from consult.surveys.models import EU_LANGUAGES, ResultsVisibility

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

LEVEL_LABELS = {
    AuthorityLevel.MUNICIPALITY: _l("Municipalities"),
    AuthorityLevel.INTERMEDIATE: _l("Intermediate level (provinces, districts, counties)"),
    AuthorityLevel.REGION: _l("Regions"),
}
SIZE_LABELS = {
    SizeClass.XS: _l("fewer than 5 000 inhabitants"),
    SizeClass.S: _l("5 000 to 20 000"),
    SizeClass.M: _l("20 000 to 100 000"),
    SizeClass.L: _l("100 000 to 500 000"),
    SizeClass.XL: _l("more than 500 000"),
}
URBANISATION_LABELS = {
    Urbanisation.CITY: _l("Cities"),
    Urbanisation.TOWN: _l("Towns and suburbs"),
    Urbanisation.RURAL: _l("Rural areas"),
}
VISIBILITY_LABELS = {
    ResultsVisibility.STAFF: _l("The Commission, administrators and your association only"),
    ResultsVisibility.PARTICIPANTS: _l("… and the authorities of the audience"),
    ResultsVisibility.PUBLIC: _l("Everyone (public results)"),
}


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes; rendered by the `checkboxes` macro inside a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DateTimeField(DateTimeLocalField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators or [Optional()],
            format=DATETIME_FORMATS,
            render_kw={"step": 60},
            **kwargs,
        )

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(_l("Enter a date and time, for example 2026-05-31 17:00.")) from error


def fold_field(label) -> RadioField:
    return RadioField(
        label,
        choices=[("0", _l("the first")), ("1", _l("the second"))],
        validators=[Optional()],
    )


class LocalDatesMixin:
    """Turns the wall-clock dates of the form into UTC, with explanations in a DST change."""

    def local_to_utc(self, name: str, tz_name: str) -> tuple[bool, datetime | None]:
        """(ok, UTC instant or None) for field `name`; on failure the field carries the error,
        and for an ambiguous time the `<name>_fold` choice is offered."""
        field = getattr(self, name)
        fold_field = getattr(self, f"{name}_fold")
        if field.data is None:
            return True, None
        fold = int(fold_field.data) if fold_field.data in ("0", "1") else None
        try:
            return True, to_utc(field.data, tz_name, fold)
        except NonexistentTime:
            field.errors = [
                *field.errors,
                _l(
                    "%(time)s does not exist in %(zone)s: the clocks go forward that night. "
                    "Choose another time.",
                    time=field.data.strftime("%Y-%m-%d %H:%M"),
                    zone=tz_name,
                ),
            ]
        except AmbiguousTime as ambiguous:
            self.offer_fold(name, ambiguous.choices, tz_name)
            field.errors = [
                *field.errors,
                _l(
                    "%(time)s happens twice in %(zone)s: the clocks go back that night. Choose "
                    "which one you mean below.",
                    time=field.data.strftime("%Y-%m-%d %H:%M"),
                    zone=tz_name,
                ),
            ]
        return False, None

    def offer_fold(self, name: str, choices, tz_name: str) -> None:
        fold_field = getattr(self, f"{name}_fold")
        fold_field.choices = [
            (
                str(index),
                _l(
                    "%(which)s, at %(offset)s",
                    which=_l("the first time (summer time)")
                    if index == 0
                    else _l("the second time (winter time)"),
                    offset=utc_offset_label(instant, tz_name),
                ),
            )
            for index, instant in enumerate(choices)
        ]
        fold_field.offered = True


class ConsultationFormBase(LocalDatesMixin, FlaskForm):
    slug = StringField(
        _l("Address"),
        description=_l(
            "Part of the consultation's web address: lower-case letters, digits and hyphens, "
            "for example integration-survey-2026. It cannot change once the consultation opens."
        ),
        validators=[InputRequired(_l("Enter an address.")), Length(max=80)],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )
    default_language = SelectField(
        _l("Default language"),
        description=_l("Shown when a text has no translation in a reader's language."),
    )
    languages = MultiCheckboxField(
        _l("Languages offered"),
        description=_l(
            "Authorities answer in any of these languages. After changing them, choose “Update "
            "the language fields” to write the texts of the new ones."
        ),
    )
    accepted_fallbacks = MultiCheckboxField(
        _l("Accept missing translations"),
        description=_l(
            "For these languages, texts without a translation are shown in the default "
            "language, and the consultation may open without them."
        ),
        validate_choice=False,
    )
    opens_at = DateTimeField(
        _l("Opens at"),
        description=_l("Leave empty to open as soon as you choose “Open the consultation”."),
    )
    opens_at_fold = fold_field(_l("Which opening time?"))
    closes_at = DateTimeField(_l("Closes at"), description=_l("Responses are refused after it."))
    closes_at_fold = fold_field(_l("Which closing time?"))
    results_visibility = RadioField(
        _l("Who may see the results"),
        choices=[(value.value, label) for value, label in VISIBILITY_LABELS.items()],
        default=ResultsVisibility.STAFF.value,
    )
    k_threshold = IntegerField(
        _l("Smallest group shown in results"),
        description=_l(
            "A breakdown cell with fewer responding authorities than this is hidden, so that no "
            "authority's answers can be singled out. At least 2; 5 is usual."
        ),
        default=5,
        validators=[
            InputRequired(_l("Enter a whole number.")),
            NumberRange(min=2, max=100, message=_l("Enter a number from 2 to 100.")),
        ],
        render_kw={"inputmode": "numeric", "min": 2, "max": 100},
    )
    allow_unsuppressed = BooleanField(
        _l("Allow results without small-cell suppression"),
        description=_l(
            "Analysts may then see exact small counts (for example for a handful of regions). "
            "Leave off unless the audience has agreed."
        ),
    )
    signoff_required = BooleanField(
        _l("Responses need sign-off"),
        description=_l("A signatory of the authority must approve a response before it counts."),
    )
    reference_prefix = StringField(
        _l("Reference prefix"),
        description=_l("2 to 8 capital letters starting each response reference, e.g. MIG."),
        default="CON",
        validators=[InputRequired(_l("Enter a prefix.")), Length(max=8)],
        render_kw={"spellcheck": "false", "autocapitalize": "characters"},
    )

    def text_fields(self):
        """(language code, language name, title field, description field) per language."""
        for lang in self.text_languages:
            yield (
                lang,
                language_name(lang),
                getattr(self, f"title_{lang}"),
                getattr(self, f"description_{lang}"),
            )


def consultation_form(
    text_languages: list[str], default_language: str, **kwargs
) -> ConsultationFormBase:
    """The consultation form with a title and description field per language shown."""
    languages = [lang for lang in EU_LANGUAGES if lang in set(text_languages)]
    attributes = {}
    for lang in languages:
        name = language_name(lang)
        attributes[f"title_{lang}"] = StringField(
            _l("Title in %(lang)s", lang=name),
            validators=[Optional(), Length(max=200)],
            render_kw={"lang": lang},
        )
        attributes[f"description_{lang}"] = TextAreaField(
            _l("Description in %(lang)s", lang=name),
            description=_l(
                "Markdown: **bold**, *italic*, lists with “- ”, links as [text](https://…)."
            ),
            validators=[Optional(), Length(max=20_000)],
            render_kw={"lang": lang, "rows": 8},
        )
    form_class = type("ConsultationForm", (ConsultationFormBase,), attributes)
    form = form_class(**kwargs)
    form.text_languages = languages
    choices = language_choices()
    form.default_language.choices = choices
    form.languages.choices = choices
    form.accepted_fallbacks.choices = [
        (code, label) for code, label in choices if code in languages and code != default_language
    ]
    return form


class CriteriaForm(FlaskForm):
    countries = MultiCheckboxField(_l("Countries"), description=_l("None ticked: every country."))
    levels = MultiCheckboxField(
        _l("Levels of government"),
        choices=[(k.value, v) for k, v in LEVEL_LABELS.items()],
        description=_l("None ticked: every level."),
    )
    size_classes = MultiCheckboxField(
        _l("Population"),
        choices=[(k.value, v) for k, v in SIZE_LABELS.items()],
        description=_l("None ticked: every size."),
    )
    urbanisations = MultiCheckboxField(
        _l("Degree of urbanisation"),
        choices=[(k.value, v) for k, v in URBANISATION_LABELS.items()],
        description=_l("None ticked: every degree (regions have none)."),
    )
    members_only = BooleanField(
        _l("Only members of our association"), default=True, false_values=("", "0", "false")
    )


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or LAU code"), validators=[Optional(), Length(max=100)])
    country = SelectField(_l("Country"), validators=[Optional()])


class AddMembersForm(FlaskForm):
    authority_ids = SelectMultipleField(coerce=int, validate_choice=False)


class UploadForm(FlaskForm):
    file = FileField(
        _l("CSV file of LAU codes"),
        description=_l(
            "One authority per line: the country code, then the LAU code, for example "
            "“FR,75056”. A header line naming the columns “country” and “lau_code” may come "
            "first. Nothing is added unless every line is correct."
        ),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("The file must be a .csv or .txt file.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A confirmation button, protected by the CSRF token."""


class ReopenForm(LocalDatesMixin, FlaskForm):
    closes_at = DateTimeField(
        _l("New closing date and time"),
        validators=[InputRequired(_l("Enter the new closing date and time."))],
    )
    closes_at_fold = fold_field(_l("Which closing time?"))


class CloneForm(FlaskForm):
    slug = StringField(
        _l("Address of the copy"),
        description=_l("Lower-case letters, digits and hyphens."),
        validators=[InputRequired(_l("Enter an address.")), Length(max=80)],
        render_kw={"spellcheck": "false", "autocapitalize": "none"},
    )


class InviteForm(FlaskForm):
    authority_ids = SelectMultipleField(coerce=int, validate_choice=False)
    resend = BooleanField(_l("Send again to authorities already invited"))
