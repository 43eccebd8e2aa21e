"""The questionnaire as one document: read it, check it, replace it all-or-nothing."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from marshmallow import ValidationError

from consult import audit
from consult.accounts.models import User
from consult.extensions import db
from consult.surveys import conditions
from consult.surveys.checks import completeness_problems, structure_problems
from consult.surveys.errors import InvalidDocument, NotEditable, Problem
from consult.surveys.models import (
    Consultation,
    ConsultationStatus,
    Option,
    OptionRole,
    Question,
    QuestionType,
    Section,
)
from consult.surveys.schemas import QuestionnaireSchema
from consult.surveys.settings import clean_settings


def _order(item) -> tuple[int, int]:
    """Sort by position; new items (no position or id yet) last."""
    last = 2**31
    return (last if item.position is None else item.position, item.id or last)


def sections_in_order(consultation: Consultation) -> list[Section]:
    return sorted(consultation.sections, key=_order)


def questions_of(section: Section) -> list[Question]:
    return sorted(section.questions, key=_order)


def options_of(question: Question, role: OptionRole = OptionRole.OPTION) -> list[Option]:
    return sorted((o for o in question.options if o.role == role), key=_order)


def question_document(question: Question) -> dict:
    return {
        "code": question.code,
        "type": QuestionType(question.type).value,
        "label": dict(question.label or {}),
        "help": dict(question.help or {}),
        "required": bool(question.required),
        "settings": dict(question.settings or {}),
        "relevant": question.relevant or None,
        "relevant_ast": question.relevant_ast,
        "options": [
            {"code": o.code, "label": dict(o.label or {}), "is_other": bool(o.is_other)}
            for o in options_of(question)
        ],
        "rows": [
            {"code": o.code, "label": dict(o.label or {})}
            for o in options_of(question, OptionRole.ROW)
        ],
    }


def questionnaire_document(consultation: Consultation) -> dict:
    """The whole questionnaire as one JSON-serialisable document (shape in `schemas`)."""
    return {
        "sections": [
            {
                "title": dict(section.title or {}),
                "intro": dict(section.intro or {}),
                "questions": [question_document(q) for q in questions_of(section)],
            }
            for section in sections_in_order(consultation)
        ]
    }


def validate_questionnaire(consultation: Consultation) -> list[Problem]:
    """Every problem that should prevent opening the consultation: structure problems (codes,
    settings, conditions) and completeness problems (no questions, missing options, texts missing
    in an offered language unless its fallback is accepted)."""
    document = questionnaire_document(consultation)
    return structure_problems(document) + completeness_problems(
        document,
        languages=list(consultation.languages or []),
        default_language=consultation.default_language,
        accepted_fallbacks=list(consultation.accepted_fallbacks or []),
        consultation={"title": consultation.title, "description": consultation.description},
    )


def load_document(document: dict) -> dict:
    """The document checked against the schema and canonicalised (settings cleaned); raises
    InvalidDocument listing every problem."""
    try:
        loaded = QuestionnaireSchema().load(document)
    except ValidationError as error:
        problems = [Problem(message, field=path) for path, message in _flatten(error.messages)]
        raise InvalidDocument(
            lazy_ngettext(
                "The questionnaire document is not valid (%(num)d problem).",
                "The questionnaire document is not valid (%(num)d problems).",
                len(problems),
            ),
            problems=problems,
        ) from error
    problems = structure_problems(loaded)
    if problems:
        raise InvalidDocument(
            lazy_ngettext(
                "The questionnaire has %(num)d problem.",
                "The questionnaire has %(num)d problems.",
                len(problems),
            ),
            problems=problems,
        )
    for section in loaded["sections"]:
        for question in section["questions"]:
            question["settings"] = clean_settings(question["type"], question["settings"])
    return loaded


def _flatten(messages, prefix: str = "") -> list[tuple[str, str]]:
    out = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list):
        for value in messages:
            out.extend(_flatten(value, prefix))
    else:
        out.append((prefix, str(messages)))
    return out


def questionnaire_editable(consultation: Consultation) -> bool:
    """Whether the questionnaire may still be changed (only while the consultation is a draft)."""
    return consultation.status == ConsultationStatus.DRAFT


def require_draft(consultation: Consultation) -> None:
    if not questionnaire_editable(consultation):
        raise NotEditable(
            _l("Only the questionnaire of a draft consultation can be changed."), field="status"
        )


def build_questionnaire(consultation: Consultation, loaded: dict) -> None:
    """Add the sections, questions and options of a loaded document to the session."""
    for s_pos, section_doc in enumerate(loaded["sections"]):
        section = Section(
            consultation=consultation,
            position=s_pos,
            title=section_doc["title"],
            intro=section_doc["intro"],
        )
        db.session.add(section)
        for q_pos, doc in enumerate(section_doc["questions"]):
            question = Question(
                consultation=consultation,
                section=section,
                position=q_pos,
                code=doc["code"],
                type=QuestionType(doc["type"]),
                label=doc["label"],
                help=doc["help"],
                required=doc["required"],
                settings=doc["settings"],
                relevant=doc["relevant"],
                relevant_ast=conditions.parse(doc["relevant"]) if doc["relevant"] else None,
            )
            for o_pos, option in enumerate(doc["options"]):
                question.options.append(
                    Option(
                        role=OptionRole.OPTION,
                        position=o_pos,
                        code=option["code"],
                        label=option["label"],
                        is_other=option["is_other"],
                    )
                )
            for r_pos, row in enumerate(doc["rows"]):
                question.options.append(
                    Option(
                        role=OptionRole.ROW, position=r_pos, code=row["code"], label=row["label"]
                    )
                )
            db.session.add(question)


def replace_questionnaire(
    consultation: Consultation, document: dict, *, actor: User | None = None
) -> dict:
    """Replace the whole questionnaire of a draft consultation by `document`, all or nothing:
    the document is checked completely (schema, codes, settings, conditions) before anything is
    written. Returns the new document."""
    require_draft(consultation)
    loaded = load_document(document)
    try:
        for section in list(consultation.sections):
            db.session.delete(section)
        db.session.flush()
        db.session.expire(consultation, ["sections", "questions"])
        build_questionnaire(consultation, loaded)
        db.session.flush()
        audit.record(
            "questionnaire.replaced",
            actor=actor,
            obj=consultation,
            organisation_id=consultation.association_id,
            sections=len(loaded["sections"]),
            questions=sum(len(s["questions"]) for s in loaded["sections"]),
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(consultation)
    return questionnaire_document(consultation)
