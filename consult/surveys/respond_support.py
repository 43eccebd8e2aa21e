"""What the responding pages share: loaders that answer 404 for anything outside the
respondent's own authority, the section order, and the page data of a section."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_babel import format_datetime
from flask_login import current_user

from consult import permissions
from consult.surveys import lifecycle, responding, validation
from consult.surveys.consultations import get_by_slug
from consult.surveys.models import Consultation, QuestionType, Response, ResponseStatus, Section
from consult.surveys.respond_forms import AnswerForm


def get_consultation(slug: str) -> Consultation:
    """A consultation the signed-in respondent's authority may answer; 404 for any other."""
    consultation = get_by_slug(slug)
    if consultation is None or not permissions.can_respond(current_user, consultation):
        abort(404)
    return consultation


def get_response(consultation: Consultation) -> Response | None:
    """The respondent's own authority's response (None before anyone started it). Found by
    the authority of the signed-in user, never by an id from the request."""
    response = responding.find_response(consultation, current_user.organisation)
    if response is not None and not permissions.can_view_response(current_user, response):
        abort(404)
    return response


def is_editable(response: Response | None) -> bool:
    if response is None or not lifecycle.is_accepting_responses(response.consultation):
        return False
    return response.status != ResponseStatus.SUBMITTED or response.amending


def sections(consultation: Consultation) -> list[Section]:
    return list(consultation.sections)


def get_section(consultation: Consultation, number: int) -> Section:
    """Section `number` (1-based); 404 outside the questionnaire."""
    all_sections = sections(consultation)
    if not 1 <= number <= len(all_sections):
        abort(404)
    return all_sections[number - 1]


def language_for(consultation: Consultation, response: Response | None) -> str:
    """The consultation language to show: ?lang= when offered, else the response's, else the
    interface language when offered, else the consultation's default."""
    offered = consultation.languages or [consultation.default_language]
    asked = request.args.get("lang") or request.form.get("language")
    if asked in offered:
        return asked
    if response is not None and response.language in offered:
        return response.language
    if current_user.is_authenticated and current_user.locale in offered:
        return current_user.locale
    return consultation.default_language


def shown_sections(consultation: Consultation, answers: dict) -> list[int]:
    """Numbers (1-based) of the sections with at least one shown question (or no questions)."""
    shown = validation.relevant_codes(consultation.questions, answers)
    numbers = []
    for number, section in enumerate(sections(consultation), start=1):
        if not section.questions or any(q.code in shown for q in section.questions):
            numbers.append(number)
    return numbers


def neighbour(consultation: Consultation, answers: dict, number: int, step: int) -> int | None:
    """The next (step=1) or previous (step=-1) shown section, or None."""
    shown = shown_sections(consultation, answers)
    candidates = [n for n in shown if (n > number if step > 0 else n < number)]
    if not candidates:
        return None
    return min(candidates) if step > 0 else max(candidates)


@dataclass
class SectionPage:
    """What an answer page shows."""

    form: AnswerForm
    number: int
    total: int
    answers: dict
    other: dict
    shown: set[str]
    problems: list[validation.Problem]

    @property
    def prior_answers(self) -> dict:
        """Answers to the shown questions of earlier sections: what respond.js's conditions
        see of the questions that are not on this page (as validation.relevant_codes does)."""
        here = self.form.section.position
        return {
            q.code: self.answers[q.code]
            for q in self.form.section.consultation.questions
            if q.section.position < here and q.code in self.shown and q.code in self.answers
        }

    def problems_of(self, code: str) -> list[validation.Problem]:
        return [p for p in self.problems if p.code == code]

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(anchor, question label, message) for the error summary, in question order."""
        fields = {f.code: f for f in self.form.fields}
        return [
            (fields[p.code].anchor, fields[p.code].label, p.message)
            for p in self.problems
            if p.code in fields
        ]


def value_problems(problems: list[validation.Problem], answers: dict) -> list:
    """The problems of answers given (a missing required answer waits for the review)."""
    return [p for p in problems if p.code in answers]


def section_page(
    consultation: Consultation,
    number: int,
    language: str,
    answers: dict,
    other: dict,
    *,
    check: bool = False,
    only_values: bool = True,
) -> SectionPage:
    section = get_section(consultation, number)
    form = AnswerForm(consultation, section, language)
    questions = consultation.questions
    problems: list[validation.Problem] = []
    if check:
        problems = validation.check(questions, answers, other, only=section.questions)
        if only_values:
            problems = value_problems(problems, answers)
    return SectionPage(
        form,
        number,
        len(sections(consultation)),
        answers,
        other,
        validation.relevant_codes(questions, answers),
        problems,
    )


def saved_at_text(response: Response) -> str:
    return format_datetime(response.updated_at, "short")


def answered_questions(consultation: Consultation) -> list:
    return [q for q in consultation.questions if q.type != QuestionType.NOTE]
