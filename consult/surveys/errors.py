"""Domain errors and problems of questionnaire authoring."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem of a questionnaire, located as precisely as possible.

    `kind` is "structure" (the questionnaire cannot be saved that way: bad code, settings or
    condition) or "completeness" (it can be saved as a draft, but not opened: no questions, no
    options, a missing translation…). `section` is the 1-based section number; `question` and
    `option` are codes; `field` names the field (label, settings.max, relevant…).
    """

    message: str
    kind: str = "structure"
    section: int | None = None
    question: str | None = None
    option: str | None = None
    field: str | None = None
    language: str | None = None

    def where(self) -> str:
        parts = []
        if self.section is not None:
            parts.append(f"section {self.section}")
        if self.question:
            parts.append(f"question {self.question}")
        if self.option:
            parts.append(f"option {self.option}")
        if self.field:
            parts.append(self.field)
        if self.language:
            parts.append(f"[{self.language}]")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class QuestionnaireError(Exception):
    """A refusal with a message for the author; `problems` lists every problem when many."""

    def __init__(self, message, *, field: str | None = None, problems: list[Problem] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.problems = list(problems or [])


class NotEditable(QuestionnaireError):
    """The consultation is no longer a draft."""


class InvalidCode(QuestionnaireError):
    pass


class DuplicateCode(QuestionnaireError):
    pass


class InvalidSettings(QuestionnaireError):
    pass


class InvalidText(QuestionnaireError):
    pass


class InvalidCondition(QuestionnaireError):
    pass


class InUse(QuestionnaireError):
    """Other questions' conditions depend on what was to be changed."""


class InvalidDocument(QuestionnaireError):
    pass
