"""Translations of a questionnaire: completeness per language, export to XLSX and import back.

The workbook has one sheet, "texts", with one row per text: the key columns kind, section,
question, option, field (see `texts.TextKey`) and one column per offered language (the default
language first). Cells starting with = + - @ (or ' , tab, carriage return) are written with a
leading ' so spreadsheets never run them, and read back without it.

Importing changes only non-empty cells that differ (an empty cell leaves the text as it is); rows
whose keys do not exist are refused with their row number, and nothing is written unless every
row is valid. Translations may be changed while the consultation is a draft or open.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from openpyxl import Workbook, load_workbook

from consult import audit
from consult.accounts.models import User
from consult.extensions import db
from consult.surveys.documents import options_of, questionnaire_document, sections_in_order
from consult.surveys.errors import Problem, QuestionnaireError
from consult.surveys.models import Consultation, ConsultationStatus, OptionRole
from consult.surveys.schemas import TEXT_LIMITS
from consult.surveys.settings import LABEL_MAX_LENGTH
from consult.surveys.texts import TextKey, iter_texts, missing_texts

KEY_COLUMNS = ("kind", "section", "question", "option", "field")
SHEET = "texts"
_RISKY = tuple("=+-@'\t\r")
LIMITS = {
    ("consultation", "title"): TEXT_LIMITS["title"],
    ("consultation", "description"): TEXT_LIMITS["intro"],
    ("section", "title"): TEXT_LIMITS["title"],
    ("section", "intro"): TEXT_LIMITS["intro"],
    ("question", "label"): TEXT_LIMITS["label"],
    ("question", "help"): TEXT_LIMITS["help"],
    ("option", "label"): TEXT_LIMITS["option"],
    ("row", "label"): TEXT_LIMITS["option"],
}


class TranslationImportError(QuestionnaireError):
    """The workbook was refused; `problems` gives each row's number (`field` = "row N")."""


@dataclass
class LanguageStatus:
    language: str
    total: int
    missing: list[TextKey] = field(default_factory=list)
    fallback_accepted: bool = False

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class Change:
    row: int
    key: TextKey
    language: str
    old: str
    new: str


def neutralise(text: str) -> str:
    """The text as written to a spreadsheet cell (never a formula)."""
    return "'" + text if text.startswith(_RISKY) else text


def unneutralise(text: str) -> str:
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1] in _RISKY else text


def _consultation_texts(consultation: Consultation) -> dict:
    return {"title": consultation.title or {}, "description": consultation.description or {}}


def translation_status(consultation: Consultation) -> dict[str, LanguageStatus]:
    """Per offered language: how many texts there are and which are missing (required texts
    missing in the default language; texts of the default language missing in another).
    Where a text is missing, respondents see the default language's text."""
    document = questionnaire_document(consultation)
    consultation_texts = _consultation_texts(consultation)
    default = consultation.default_language
    total = sum(
        1
        for _, texts in iter_texts(document, consultation_texts)
        if (texts.get(default) or "").strip()
    )
    status = {
        language: LanguageStatus(
            language, total, fallback_accepted=language in (consultation.accepted_fallbacks or [])
        )
        for language in consultation.languages or [default]
    }
    for key, language in missing_texts(
        document,
        languages=list(status),
        default_language=default,
        consultation=consultation_texts,
    ):
        status.setdefault(language, LanguageStatus(language, total)).missing.append(key)
    return status


def _languages(consultation: Consultation) -> list[str]:
    default = consultation.default_language
    return [default, *[lang for lang in consultation.languages or [] if lang != default]]


def export_translations(consultation: Consultation) -> bytes:
    """Every text of the consultation as an XLSX workbook, one row per text."""
    languages = _languages(consultation)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([*KEY_COLUMNS, *languages])
    document = questionnaire_document(consultation)
    for key, texts in iter_texts(document, _consultation_texts(consultation)):
        sheet.append([key.kind, key.section, key.question, key.option, key.field])
        row = sheet.max_row
        for column, language in enumerate(languages, start=len(KEY_COLUMNS) + 1):
            text = texts.get(language)
            if text:
                cell = sheet.cell(row=row, column=column, value=neutralise(text))
                cell.data_type = "s"
    sheet.freeze_panes = "F2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unneutralise(str(value))


class _Targets:
    """Finds and changes the texts of a consultation by key."""

    def __init__(self, consultation: Consultation):
        self.consultation = consultation
        self.sections = sections_in_order(consultation)
        self.questions = {q.code: q for q in consultation.questions}

    def get(self, key: TextKey):
        """(object, attribute, settings path or None), or raise KeyError(reason)."""
        c = self.consultation
        if key.kind == "consultation" and key.field in ("title", "description"):
            return c, key.field, None
        if key.kind == "section" and key.field in ("title", "intro"):
            if key.section is None or not 1 <= key.section <= len(self.sections):
                raise KeyError(str(_l("there is no section %(n)s", n=key.section)))
            return self.sections[key.section - 1], key.field, None
        question = self.questions.get(key.question or "")
        if question is None:
            raise KeyError(str(_l("there is no question %(code)s", code=key.question)))
        if key.kind == "question" and key.field in ("label", "help"):
            return question, key.field, None
        if key.kind in ("option", "row") and key.field == "label":
            role = OptionRole.OPTION if key.kind == "option" else OptionRole.ROW
            option = next((o for o in options_of(question, role) if o.code == key.option), None)
            if option is None:
                raise KeyError(
                    str(
                        (
                            _l("question %(q)s has no option %(code)s")
                            if key.kind == "option"
                            else _l("question %(q)s has no row %(code)s")
                        )
                        % {"q": question.code, "code": key.option}
                    )
                )
            return option, "label", None
        if key.kind == "scale" and question.type.value in ("scale", "matrix"):
            settings = question.settings or {}
            points = range(settings.get("start", 1), settings.get("start", 1) + settings["points"])
            if key.field == "label" and key.option in {str(p) for p in points}:
                return question, "settings", ("labels", key.option)
            if key.field == "dont_know_label" and settings.get("dont_know"):
                return question, "settings", ("dont_know_label",)
        raise KeyError(str(_l("%(key)s does not exist", key=key.describe())))

    @staticmethod
    def read(target) -> dict:
        obj, attribute, path = target
        value = getattr(obj, attribute) or {}
        for part in path or ():
            value = value.get(part) or {}
        return dict(value)

    @staticmethod
    def write(target, texts: dict) -> None:
        obj, attribute, path = target
        if path is None:
            setattr(obj, attribute, texts)
            return
        settings = dict(getattr(obj, attribute) or {})
        if path[0] == "labels":
            labels = {k: dict(v) for k, v in (settings.get("labels") or {}).items()}
            labels[path[1]] = texts
            settings["labels"] = {k: labels[k] for k in sorted(labels, key=int)}
        else:
            settings[path[0]] = texts
        setattr(obj, attribute, settings)


def import_translations(
    consultation: Consultation, data: bytes, *, actor: User | None
) -> list[Change]:
    """Apply a translations workbook (as exported) and return what changed, all or nothing."""
    if consultation.status not in (ConsultationStatus.DRAFT, ConsultationStatus.OPEN):
        raise QuestionnaireError(
            _l("The translations of a closed consultation cannot be changed."), field="status"
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    except Exception as error:
        raise TranslationImportError(
            _l("The file is not a translations workbook: %(e)s", e=error)
        ) from error
    if not rows:
        raise TranslationImportError(_l("The workbook is empty."))
    header = [_cell_text(h).strip() for h in rows[0]]
    problems: list[Problem] = []
    if tuple(header[: len(KEY_COLUMNS)]) != KEY_COLUMNS:
        raise TranslationImportError(
            _l("The first columns must be %(cols)s.", cols=", ".join(KEY_COLUMNS))
        )
    languages = header[len(KEY_COLUMNS) :]
    offered = set(consultation.languages or [consultation.default_language])
    for language in languages:
        if language and language not in offered:
            problems.append(
                Problem(
                    str(_l("Column %(l)s is not a language of this consultation.", l=language)),
                    field="row 1",
                )
            )
    targets = _Targets(consultation)
    pending: dict[tuple, tuple[tuple, dict]] = {}
    changes: list[Change] = []
    for number, values in enumerate(rows[1:], start=2):
        values = list(values) + [None] * (len(header) - len(values))
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        kind, section, question, option, field_name = (
            _cell_text(v).strip() for v in values[: len(KEY_COLUMNS)]
        )
        try:
            key = TextKey(
                kind,
                int(section) if section else None,
                question or None,
                option or None,
                field_name,
            )
            target = targets.get(key)
        except (KeyError, ValueError) as error:
            reason = error.args[0] if isinstance(error, KeyError) else str(error)
            problems.append(
                Problem(
                    str(_l("Row %(n)s: %(reason)s.", n=number, reason=reason)),
                    field=f"row {number}",
                )
            )
            continue
        slot = (id(target[0]), target[1], target[2])
        texts = pending[slot][1] if slot in pending else targets.read(target)
        limit = LIMITS.get((kind, field_name), LABEL_MAX_LENGTH)
        for language, value in zip(languages, values[len(KEY_COLUMNS) :], strict=False):
            text = _cell_text(value)
            if not language or language not in offered or not text.strip():
                continue
            if len(text) > limit:
                problems.append(
                    Problem(
                        str(
                            _l(
                                "Row %(n)s: the %(l)s text is longer than %(max)s characters.",
                                n=number,
                                l=language,
                                max=limit,
                            )
                        ),
                        field=f"row {number}",
                        language=language,
                    )
                )
                continue
            if texts.get(language) != text:
                changes.append(Change(number, key, language, texts.get(language) or "", text))
                texts[language] = text
        pending[slot] = (target, texts)
    if problems:
        raise TranslationImportError(
            lazy_ngettext(
                "%(num)d row of the workbook is refused; nothing was imported.",
                "%(num)d rows of the workbook are refused; nothing was imported.",
                len(problems),
            ),
            problems=problems,
        )
    try:
        for target, texts in pending.values():
            if texts != targets.read(target):
                targets.write(target, texts)
        audit.record(
            "questionnaire.translations_imported",
            actor=actor,
            obj=consultation,
            organisation_id=consultation.association_id,
            changes=len(changes),
            languages=sorted({c.language for c in changes}),
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return changes


def set_fallback(
    consultation: Consultation, language: str, *, accepted: bool, actor: User | None
) -> None:
    """Accept (or withdraw) the fallback for `language`: where one of its texts is missing,
    respondents reading it see the default language's text, and the consultation may open with
    that language incomplete. Draft or open consultations only; never the default language."""
    if consultation.status not in (ConsultationStatus.DRAFT, ConsultationStatus.OPEN):
        raise QuestionnaireError(
            _l("The translations of a closed consultation cannot be changed."), field="status"
        )
    if language == consultation.default_language or language not in (consultation.languages or []):
        raise QuestionnaireError(
            _l("%(l)s is not a translated language of this consultation.", l=language),
            field="language",
        )
    current = [lang for lang in consultation.accepted_fallbacks or [] if lang != language]
    new = sorted([*current, language]) if accepted else current
    if new == list(consultation.accepted_fallbacks or []):
        return
    try:
        consultation.accepted_fallbacks = new
        audit.record(
            "questionnaire.fallback_accepted" if accepted else "questionnaire.fallback_withdrawn",
            actor=actor,
            obj=consultation,
            organisation_id=consultation.association_id,
            language=language,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
