"""What the builder pages need besides the services, without Flask: loading by slug, where a
text or a problem is edited, the targets of the up/down buttons, condition feedback for a
question not saved yet, and how many answers a deletion would remove."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from consult.extensions import db
from consult.surveys import conditions
from consult.surveys.checks import check_relevant
from consult.surveys.documents import (
    options_of,
    question_document,
    questionnaire_document,
    questions_of,
    sections_in_order,
)
from consult.surveys.errors import Problem
from consult.surveys.models import Answer, Consultation, OptionRole, Question, Section
from consult.surveys.texts import TextKey

# --- ids of the per-language form fields (the builder forms and the links to them agree)


def text_field(name: str, language: str) -> str:
    """`label_fr`, `title_en`, `dont_know_label_de`…"""
    return f"{name}_{language}"


def point_token(point: int | str) -> str:
    """A scale point as it can appear in a field name (-2 -> m2)."""
    return str(point).replace("-", "m")


def point_field(point: int | str, language: str) -> str:
    return f"point_{point_token(point)}_{language}"


# --- queries


def consultation_by_slug(slug: str) -> Consultation | None:
    return db.session.scalar(sa.select(Consultation).where(Consultation.slug == slug))


def responses_with_answers(question_ids: list[int]) -> int:
    """How many responses have submitted answers to any of these questions."""
    if not question_ids:
        return 0
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Answer.response_id))).where(
            Answer.question_id.in_(question_ids)
        )
    )


# --- where texts and problems are edited


@dataclass(frozen=True)
class Place:
    """A page of the builder: `kind` is consultation, section, question or option; `anchor`
    the id of the field on that page."""

    kind: str
    id: int | None = None
    anchor: str | None = None


class Locator:
    """Finds the page and field where a text (TextKey) or a Problem is edited."""

    def __init__(self, consultation: Consultation):
        self.consultation = consultation
        self.sections = sections_in_order(consultation)
        self.questions = {q.code: q for q in consultation.questions}

    def _section(self, number: int | None) -> Section | None:
        if number is None or not 1 <= number <= len(self.sections):
            return None
        return self.sections[number - 1]

    def _option(self, question: Question, code: str | None, role: OptionRole):
        return next((o for o in options_of(question, role) if o.code == code), None)

    def text(self, key: TextKey, language: str) -> Place | None:
        if key.kind == "consultation":
            return Place("consultation", anchor=key.field)
        if key.kind == "section":
            section = self._section(key.section)
            return section and Place("section", section.id, text_field(key.field, language))
        question = self.questions.get(key.question or "")
        if question is None:
            return None
        if key.kind == "question":
            return Place("question", question.id, text_field(key.field, language))
        if key.kind in ("option", "row"):
            role = OptionRole.OPTION if key.kind == "option" else OptionRole.ROW
            option = self._option(question, key.option, role)
            return option and Place("option", option.id, text_field("label", language))
        if key.kind == "scale" and key.field == "dont_know_label":
            return Place("question", question.id, text_field("dont_know_label", language))
        if key.kind == "scale":
            return Place("question", question.id, point_field(key.option, language))
        return None

    def problem(self, problem: Problem) -> Place | None:
        field = problem.field or ""
        if field.startswith("consultation "):
            return Place("consultation", anchor=field.split(" ", 1)[1])
        question = self.questions.get(problem.question or "")
        if question is None:
            section = self._section(problem.section)
            return section and Place("section", section.id, None)
        if problem.option and field in ("options", "rows"):
            role = OptionRole.OPTION if field == "options" else OptionRole.ROW
            option = self._option(question, problem.option, role)
            if option is not None:
                return Place("option", option.id, "code")
        if problem.language and field in ("label", "help"):
            return Place("question", question.id, text_field(field, problem.language))
        anchor = field.replace("settings.", "settings_") if field else None
        if field in ("options", "rows"):
            anchor = field
        return Place("question", question.id, anchor)


# --- up / down


def section_step(section: Section, direction: str) -> int | None:
    """The position the up/down button moves a section to, or None at the end."""
    sections = sections_in_order(section.consultation)
    index = sections.index(section) + (-1 if direction == "up" else 1)
    return index if 0 <= index < len(sections) else None


def question_step(question: Question, direction: str) -> tuple[Section, int] | None:
    """(section, position) the up/down button moves a question to: within its section, or to
    the end of the previous section / the start of the next one; None at the very ends."""
    siblings = questions_of(question.section)
    index = siblings.index(question)
    if direction == "up" and index > 0:
        return question.section, index - 1
    if direction == "down" and index < len(siblings) - 1:
        return question.section, index + 1
    sections = sections_in_order(question.consultation)
    s_index = sections.index(question.section) + (-1 if direction == "up" else 1)
    if not 0 <= s_index < len(sections):
        return None
    target = sections[s_index]
    return (target, len(questions_of(target))) if direction == "up" else (target, 0)


def option_step(option, direction: str) -> int | None:
    siblings = options_of(option.question, OptionRole(option.role))
    index = siblings.index(option) + (-1 if direction == "up" else 1)
    return index if 0 <= index < len(siblings) else None


# --- conditions


def check_condition_for(
    consultation: Consultation,
    relevant: str,
    *,
    code: str,
    qtype: str,
    question: Question | None = None,
    section: Section | None = None,
) -> conditions.CheckResult:
    """Check a condition as the question would have it: an existing `question`, or a new one
    with `code` added at the end of `section`."""
    document = questionnaire_document(consultation)
    stub = {"code": code, "type": qtype, "options": [], "rows": [], "settings": {}}
    sections = sections_in_order(consultation)
    if question is not None:
        code = question.code
    elif section is not None and section in sections:
        document["sections"][sections.index(section)]["questions"].append(stub)
    return check_relevant(document, code, relevant)


def earlier_questions(consultation: Consultation, question: Question | None, section: Section):
    """The questions a condition of `question` (or of a new question at the end of `section`)
    may refer to, as documents, in order."""
    found = []
    for current in sections_in_order(consultation):
        for other in questions_of(current):
            if other is question:
                return found
            found.append(question_document(other))
        if question is None and current is section:
            return found
    return found


@dataclass(frozen=True)
class Marked:
    """A condition split around the place a problem starts (1-based `position`)."""

    before: str
    mark: str
    after: str
    message: str


def mark_problems(expression: str, result: conditions.CheckResult) -> list[Marked]:
    marked = []
    for problem in result.problems:
        position = problem.position
        if not position or position > len(expression) + 1:
            marked.append(Marked(expression, "", "", problem.message))
            continue
        start = position - 1
        end = start
        while end < len(expression) and not expression[end].isspace():
            end += 1
        if end == start:
            end = min(start + 1, len(expression))
        marked.append(
            Marked(expression[:start], expression[start:end], expression[end:], problem.message)
        )
    return marked
