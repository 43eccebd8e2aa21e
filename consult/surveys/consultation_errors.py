"""Refusals of the consultation services, each with a message that can be shown as it is.

Views turn them into form errors or flash messages, the API into problem+json.
"""

from __future__ import annotations


class ConsultationError(Exception):
    """A refusal with a message for the author; `field` names the form field concerned."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class InvalidConsultation(ConsultationError):
    """Settings that cannot be saved; `errors` maps every field to its message."""

    def __init__(self, errors: dict[str, str]):
        first_field, first = next(iter(errors.items()))
        super().__init__(first, field=first_field)
        self.errors = {field: str(message) for field, message in errors.items()}


class WrongState(ConsultationError):
    """The consultation's status does not allow this (e.g. closing a draft)."""


class CannotOpen(ConsultationError):
    """Opening refused; `problems` lists every reason, so all can be fixed at once."""

    def __init__(self, message, problems: list):
        super().__init__(message)
        self.problems = list(problems)


class StructureLocked(ConsultationError):
    """Responses exist: a change that would orphan or corrupt answers is refused."""


class AudienceError(ConsultationError):
    """An audience that cannot be saved (unknown authorities, responses left outside…)."""

    def __init__(self, message, *, field: str | None = None, lines: list | None = None):
        super().__init__(message, field=field)
        self.lines = list(lines or [])


class InvitationError(ConsultationError):
    """Invitations or reminders that cannot be sent now."""
