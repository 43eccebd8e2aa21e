"""Forms of questions, built per consultation (its languages) and question type: the common
fields, the type's settings, and for a new question slots for its options or matrix rows."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import DateInput

from consult.surveys.builder_forms import (
    BuilderForm,
    add_texts,
    form_class,
    language_name,
    ordered_languages,
)
from consult.surveys.builder_support import point_field, point_token, text_field
from consult.surveys.checks import OPTION_TYPES, OTHER_TYPES
from consult.surveys.errors import QuestionnaireError
from consult.surveys.models import Consultation, Question
from consult.surveys.schemas import TEXT_LIMITS
from consult.surveys.settings import LABEL_MAX_LENGTH, scale_points

NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
MORE_SLOTS = 3


class NumberText(StringField):
    """A number typed as text ("12", "-3", "4.5" or "4,5"); `data` is int, float or None."""

    def __init__(self, label=None, validators=None, whole: bool = False, **kwargs):
        render_kw = {"inputmode": "numeric" if whole else "decimal", "autocomplete": "off"}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.whole = whole
        self.raw = None

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        if not NUMBER_RE.match(self.raw) or (self.whole and not self.raw.lstrip("+-").isdigit()):
            raise ValueError(
                _l("Enter a whole number, e.g. 5.")
                if self.whole
                else _l("Enter a number, e.g. 0, 12 or 2.5.")
            )
        text = self.raw.replace(",", ".")
        number = float(text)
        self.data = int(number) if re.fullmatch(r"[+-]?\d+", text) else number

    def _value(self):
        if self.raw is not None:
            return self.raw
        return "" if self.data is None else str(self.data)


def _option_entry_class(languages: list[str], other: bool, row: bool):
    attrs: dict = {
        "code": StringField(
            _l("Code"),
            [Optional(), Length(max=64)],
            render_kw={"spellcheck": "false", "autocomplete": "off"},
        )
    }
    for language in languages:
        attrs[text_field("label", language)] = StringField(
            language_name(language),
            [Optional(), Length(max=TEXT_LIMITS["option"])],
            render_kw={"lang": language, "dir": "auto"},
        )
    if other:
        attrs["is_other"] = BooleanField(
            _l("“Other, please specify”: respondents who choose it type their own answer")
        )
    attrs["languages"] = languages
    attrs["row"] = row
    return type("RowEntry" if row else "OptionEntry", (Form,), attrs)


def scale_range(formdata, saved: Mapping | None) -> list[int]:
    """The points whose labels the form shows: those typed in the form when they make sense,
    else the saved ones, else the default 1–5."""
    settings = dict(saved or {})
    if formdata is not None:
        for key in ("points", "start"):
            raw = (formdata.get(f"settings_{key}") or "").strip()
            if re.fullmatch(r"[+-]?\d{1,2}", raw):
                settings[key] = int(raw)
    points = settings.get("points", 5)
    start = settings.get("start", 1)
    if not (2 <= points <= 11 and -10 <= start <= 10):
        points, start = 5, 1
    return scale_points({"points": points, "start": start})


class QuestionForm(BuilderForm):
    code = StringField(
        _l("Code"),
        [InputRequired(_l("Enter a code for the question.")), Length(max=64)],
        description=_l(
            "Letters, digits and _, starting with a letter or _ (e.g. housing_need). It names "
            "the question in conditions and in the exported data."
        ),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    relevant = StringField(
        _l("Show this question only if (optional)"),
        [Optional(), Length(max=10000)],
        description=_l(
            "A condition on earlier questions, as in XLSForm: ${size} > 10000, "
            "${plan} = 'yes', selected(${topics}, 'housing') and count-selected(${topics}) "
            ">= 2, combined with and, or, not( ). Leave empty to always show it."
        ),
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    option_slots = HiddenField()
    row_slots = HiddenField()

    qtype: str = ""
    points: list[int] = []

    def settings(self) -> dict:
        """The type settings as the services take them (empty fields left out)."""
        out: dict = {}
        for name in self._fields:
            if name.startswith("settings_"):
                value = self[name].data
                if isinstance(self[name], BooleanField):
                    if value:
                        out[name[len("settings_") :]] = True
                elif value not in (None, ""):
                    out[name[len("settings_") :]] = value
        if self.qtype in ("scale", "matrix"):
            labels = {}
            for point in self.points:
                texts = self.texts(f"point_{point_token(point)}")
                texts = {k: v for k, v in texts.items() if v}
                if texts:
                    labels[str(point)] = texts
            if labels:
                out["labels"] = labels
            dont_know = {k: v for k, v in self.texts("dont_know_label").items() if v}
            if dont_know:
                out["dont_know_label"] = dont_know
        return out

    def fill_settings(self, settings: Mapping) -> None:
        for name in self._fields:
            if name.startswith("settings_"):
                key = name[len("settings_") :]
                if key in settings:
                    self[name].data = settings[key]
        if self.qtype in ("scale", "matrix"):
            for point in self.points:
                labels = (settings.get("labels") or {}).get(str(point))
                self.fill_texts(f"point_{point_token(point)}", labels)
            self.fill_texts("dont_know_label", settings.get("dont_know_label"))

    def fill(self, question: Question) -> None:
        self.code.data = question.code
        self.fill_texts("label", question.label)
        self.fill_texts("help", question.help)
        if "required" in self._fields:
            self.required.data = question.required
        self.relevant.data = question.relevant or ""
        self.fill_settings(question.settings or {})

    def entries(self, name: str) -> list[dict]:
        """The filled option (or row) slots of a new question as the services take them; a
        slot without any label is left out. Adds an error to slots without code or default
        label."""
        if name not in self._fields:
            return []
        items = []
        for entry in self[name].entries:
            form = entry.form
            labels = {
                lang: (form[text_field("label", lang)].data or "").strip()
                for lang in form.languages
            }
            other = bool(form.is_other.data) if "is_other" in form._fields else False
            if not any(labels.values()) and not other:
                continue
            code = (form.code.data or "").strip()
            default = form.languages[0]
            if not code:
                form.code.errors = [*form.code.errors, str(_l("Enter a code."))]
            if not labels[default]:
                field = form[text_field("label", default)]
                field.errors = [
                    *field.errors,
                    str(_l("Enter the label in %(language)s.", language=language_name(default))),
                ]
            item = {"code": code, "label": {k: v for k, v in labels.items() if v}}
            if not form.row:
                item["is_other"] = other
            items.append(item)
        return items

    def prefill_codes(self, name: str) -> None:
        """Give empty slots a code (1, 2… for options, r1, r2… for rows)."""
        if name not in self._fields:
            return
        prefix = "r" if name == "rows" else ""
        used = {(e.form.code.data or "").strip() for e in self[name].entries}
        number = 1
        for entry in self[name].entries:
            form = entry.form
            if (form.code.data or "").strip():
                continue
            if any(form[text_field("label", lang)].data for lang in form.languages):
                continue
            while f"{prefix}{number}" in used:
                number += 1
            form.code.data = f"{prefix}{number}"
            used.add(form.code.data)

    def apply_error(self, error: QuestionnaireError) -> None:
        problems = error.problems or [None]
        for problem in problems:
            field = problem.field if problem else error.field
            option = problem.option if problem else None
            message = problem.message if problem else error.message
            if field in ("options", "rows") and field in self._fields:
                slot = next(
                    (
                        e.form
                        for e in self[field].entries
                        if option is None or (e.form.code.data or "").strip() == option
                    ),
                    None,
                )
                if slot is not None:
                    slot.code.errors = [*slot.code.errors, message]
                    continue
            self.add_error(self.error_target(field), message)


def question_form(
    consultation: Consultation,
    qtype: str,
    *,
    formdata=None,
    saved_settings: Mapping | None = None,
    new: bool = False,
    **kwargs,
) -> QuestionForm:
    """The form of a `qtype` question: common fields, the type's settings, and for a new
    question slots for its options (or matrix rows)."""
    languages = ordered_languages(consultation)
    default = language_name(languages[0])
    attrs: dict = {"qtype": qtype}
    add_texts(
        attrs,
        "label",
        _l("Text of the note") if qtype == "note" else _l("Question"),
        languages,
        max_length=TEXT_LIMITS["label"],
        required_message=_l("Enter the text in %(language)s.", language=default),
        textarea=True,
        rows=2,
    )
    add_texts(
        attrs,
        "help",
        _l("Help text (optional)"),
        languages,
        max_length=TEXT_LIMITS["help"],
        textarea=True,
        rows=2,
        hint=_l("Shown under the question: what to include, where to find the figure…"),
    )
    if qtype != "note":
        attrs["required"] = BooleanField(_l("An answer is required"))
    _settings_fields(attrs, qtype, languages)
    points: list[int] = []
    if qtype in ("scale", "matrix"):
        points = scale_range(formdata, saved_settings)
        for point in points:
            add_texts(
                attrs,
                f"point_{point_token(point)}",
                _l("Label of point %(point)s (optional)", point=point),
                languages,
                max_length=LABEL_MAX_LENGTH,
                field_name=lambda lang, p=point: point_field(p, lang),
            )
        add_texts(
            attrs,
            "dont_know_label",
            _l("Label of “don’t know” (optional)"),
            languages,
            max_length=LABEL_MAX_LENGTH,
        )
    attrs["points"] = points
    if new and qtype in OPTION_TYPES:
        slots = _slots(formdata, "option_slots", 4)
        entry = _option_entry_class(languages, other=qtype in OTHER_TYPES, row=False)
        attrs["options"] = FieldList(FormField(entry), min_entries=slots)
    if new and qtype == "matrix":
        slots = _slots(formdata, "row_slots", 3)
        attrs["rows"] = FieldList(
            FormField(_option_entry_class(languages, False, True)), min_entries=slots
        )
    cls = form_class("QuestionForm", attrs, base=QuestionForm)
    form = cls(formdata=formdata, **kwargs)
    for name in ("options", "rows"):
        if name in form._fields:
            form[f"{name[:-1]}_slots"].data = str(len(form[name].entries))
    return form


def _slots(formdata, name: str, default: int) -> int:
    raw = (formdata.get(name) if formdata is not None else None) or ""
    slots = int(raw) if raw.isdigit() else default
    if formdata is not None and formdata.get("action") == f"more_{name.split('_')[0]}s":
        slots += MORE_SLOTS
    return max(1, min(slots, 100))


def _settings_fields(attrs: dict, qtype: str, languages: list[str]) -> None:
    def number(label, hint=None, whole=False):
        return NumberText(label, [Optional()], whole=whole, description=hint)

    if qtype == "number":
        attrs["settings_min"] = number(_l("Smallest accepted value (optional)"))
        attrs["settings_max"] = number(_l("Largest accepted value (optional)"))
        attrs["settings_integer"] = BooleanField(_l("Whole numbers only"))
    elif qtype == "multiple_choice":
        attrs["settings_min_selections"] = number(
            _l("Fewest answers to choose (optional)"), whole=True
        )
        attrs["settings_max_selections"] = number(
            _l("Most answers to choose (optional)"), whole=True
        )
    elif qtype in ("scale", "matrix"):
        attrs["settings_points"] = number(_l("Number of points"), _l("From 2 to 11."), whole=True)
        attrs["settings_start"] = number(
            _l("Value of the first point"),
            _l("From -10 to 10; usually 1 (or 0, or -2 for a scale centred on 0)."),
            whole=True,
        )
        attrs["settings_dont_know"] = BooleanField(_l("Offer “don’t know”"))
    elif qtype in ("short_text", "long_text"):
        attrs["settings_max_length"] = number(
            _l("Longest answer, in characters (optional)"),
            _l("At most 1000 for a short text, 100000 for a long text."),
            whole=True,
        )
    elif qtype == "ranking":
        attrs["settings_rank_all"] = BooleanField(_l("Every item must be ranked"))
        attrs["settings_max_ranked"] = number(
            _l("Or: how many items to rank at most (optional)"), whole=True
        )
    elif qtype == "date":
        attrs["settings_min"] = StringField(
            _l("Earliest date (optional)"), [Optional()], widget=DateInput()
        )
        attrs["settings_max"] = StringField(
            _l("Latest date (optional)"), [Optional()], widget=DateInput()
        )


def with_defaults(form: QuestionForm) -> None:
    """Defaults of a new question's settings, shown in the form."""
    if form.qtype in ("scale", "matrix"):
        form.settings_points.data = form.settings_points.data or 5
        if form.settings_start.data is None:
            form.settings_start.data = 1
