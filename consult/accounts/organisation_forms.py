"""Forms of the organisation admin pages and the registry upload (field checks only: the rules
that need the database or span fields live in consult.accounts.organisations)."""

from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from consult.accounts import territory
from consult.accounts.models import AuthorityLevel, OrgKind, Urbanisation
from consult.accounts.organisations import MAX_POPULATION, OrganisationData

LEVEL_CHOICES = [
    (AuthorityLevel.MUNICIPALITY.value, _l("Municipality (local authority)")),
    (AuthorityLevel.INTERMEDIATE.value, _l("Intermediate (province, county, department)")),
    (AuthorityLevel.REGION.value, _l("Region")),
]
URBANISATION_CHOICES = [
    ("", _l("Unknown")),
    (Urbanisation.CITY.value, _l("City")),
    (Urbanisation.TOWN.value, _l("Town or suburb")),
    (Urbanisation.RURAL.value, _l("Rural area")),
]


def _country_choices(blank_label) -> list[tuple[str, str]]:
    return [("", blank_label), *territory.country_choices(str(get_locale() or "en"))]


class OrganisationForm(FlaskForm):
    """The Commission's and every organisation's common fields."""

    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Enter the organisation's name.")), Length(max=200)],
    )
    contact_email = EmailField(
        _l("Contact e-mail address"),
        description=_l("Optional. A shared mailbox rather than a person's address."),
        validators=[
            Optional(),
            Email(_l("Enter an e-mail address like name@example.org."), check_deliverability=False),
            Length(max=254),
        ],
    )

    def data_for_service(self) -> OrganisationData:
        return OrganisationData(name=self.name.data or "", contact_email=self.contact_email.data)


class AssociationForm(OrganisationForm):
    country = SelectField(
        _l("Country"),
        description=_l("Leave empty for a European association."),
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices(_l("Europe-wide (no country)"))

    def data_for_service(self) -> OrganisationData:
        data = super().data_for_service()
        data.country = self.country.data or None
        return data


class AuthorityForm(OrganisationForm):
    country = SelectField(
        _l("Country"), validators=[InputRequired(_l("Choose the authority's country."))]
    )
    level = RadioField(
        _l("Level"),
        choices=LEVEL_CHOICES,
        validators=[InputRequired(_l("Choose the authority's level."))],
    )
    nuts_code = StringField(
        _l("NUTS code"),
        description=_l(
            "The NUTS 2021 region the authority lies in (NUTS 3 for municipalities), e.g. FR101; "
            "for a region, its own NUTS code."
        ),
        validators=[InputRequired(_l("Enter the authority's NUTS code.")), Length(max=5)],
        render_kw={"spellcheck": "false", "autocapitalize": "characters"},
    )
    lau_code = StringField(
        _l("LAU code"),
        description=_l(
            "Eurostat's local administrative unit code. For regions and intermediate "
            "authorities, use their NUTS code."
        ),
        validators=[InputRequired(_l("Enter the authority's LAU code.")), Length(max=20)],
        render_kw={"spellcheck": "false"},
    )
    population = IntegerField(
        _l("Population"),
        description=_l("Optional. Residents, as a whole number. Sets the size class."),
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_POPULATION, message=_l("Enter a population of 0 or more.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    urbanisation = RadioField(
        _l("Degree of urbanisation"), choices=URBANISATION_CHOICES, default="", validate_choice=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = _country_choices(_l("Choose a country"))
        if self.urbanisation.data is None:
            self.urbanisation.data = ""

    def data_for_service(self) -> OrganisationData:
        data = super().data_for_service()
        data.country = self.country.data or None
        data.level = AuthorityLevel(self.level.data) if self.level.data else None
        data.nuts_code = self.nuts_code.data
        data.lau_code = self.lau_code.data
        data.population = self.population.data
        data.urbanisation = Urbanisation(self.urbanisation.data) if self.urbanisation.data else None
        return data


FORM_FOR_KIND = {
    OrgKind.ASSOCIATION: AssociationForm,
    OrgKind.AUTHORITY: AuthorityForm,
    OrgKind.COMMISSION: OrganisationForm,
}


def form_for(kind: OrgKind, organisation=None) -> OrganisationForm:
    """The form for an organisation of `kind`, filled from `organisation` when editing."""
    form = FORM_FOR_KIND[kind](obj=organisation)
    if organisation is not None and not form.is_submitted():
        for name in ("country", "level", "urbanisation"):
            field = getattr(form, name, None)
            value = getattr(organisation, name, None)
            if field is not None:
                field.data = getattr(value, "value", value) or ""
    return form


class RegistryUploadForm(FlaskForm):
    file = FileField(
        _l("CSV file"),
        description=_l(
            "Our columns (country, lau_code, name, nuts3, population, degurba, level) or "
            "Eurostat's LAU file as it is. UTF-8, comma-separated."
        ),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileAllowed(["csv", "txt"], _l("Choose a file ending in .csv.")),
        ],
    )
