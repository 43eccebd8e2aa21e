"""Domain refusals of the services as problem+json: the services' own messages, per field."""

from __future__ import annotations

from flask_babel import gettext as _

from consult.api.core import bp, problem
from consult.surveys import errors as questionnaire_errors
from consult.surveys import responding
from consult.surveys.consultation_errors import (
    CannotOpen,
    ConsultationError,
    InvalidConsultation,
    StructureLocked,
    WrongState,
)
from consult.surveys.xlsform import XLSFormError


def _invalid(detail: str, errors: dict, **extra):
    return problem(422, _("Invalid request"), detail, errors=errors, **extra)


def _conflict(detail: str, **extra):
    return problem(409, _("Conflict"), detail, **extra)


@bp.errorhandler(InvalidConsultation)
def _invalid_consultation(error: InvalidConsultation):
    return _invalid(_("Some settings are not valid."), error.errors)


@bp.errorhandler(CannotOpen)
def _cannot_open(error: CannotOpen):
    problems = [
        {"message": str(p.message), "field": p.field, "where": p.where} for p in error.problems
    ]
    return _conflict(error.message, problems=problems)


@bp.errorhandler(WrongState)
@bp.errorhandler(StructureLocked)
def _wrong_state(error: ConsultationError):
    return _conflict(error.message)


@bp.errorhandler(ConsultationError)
def _consultation_error(error: ConsultationError):
    return _invalid(error.message, {error.field or "_schema": error.message})


@bp.errorhandler(XLSFormError)
def _xlsform(error: XLSFormError):
    report = [
        {
            "sheet": item.sheet,
            "row": item.row,
            "reason": str(item.reason),
            "blocking": item.blocking,
        }
        for item in error.report
    ]
    return _invalid(error.message, {"file": error.message}, report=report)


@bp.errorhandler(questionnaire_errors.NotEditable)
def _questionnaire_locked(error: questionnaire_errors.NotEditable):
    return _conflict(error.message)


@bp.errorhandler(questionnaire_errors.QuestionnaireError)
def _questionnaire(error: questionnaire_errors.QuestionnaireError):
    errors = {}
    for item in error.problems:
        key = item.where() or "_schema"
        errors[key] = f"{errors[key]} {item.message}" if key in errors else str(item.message)
    return _invalid(error.message, errors or {error.field or "_schema": error.message})


@bp.errorhandler(responding.StaleVersion)
def _stale(error: responding.StaleVersion):
    return _conflict(
        _("The response was saved by someone else since this version: reload it."),
        current_version=error.current.version,
    )


@bp.errorhandler(responding.ConsultationNotOpen)
@bp.errorhandler(responding.NotEditable)
def _not_open(error: responding.ResponseError):
    return _conflict(error.message)


@bp.errorhandler(responding.SignOffRequired)
def _signoff(error: responding.SignOffRequired):
    return problem(403, _("Not allowed"), error.message)


@bp.errorhandler(responding.InvalidResponse)
def _invalid_response(error: responding.InvalidResponse):
    errors = {}
    for item in error.problems:
        key = getattr(item, "code", None) or "_schema"
        errors[key] = str(getattr(item, "message", item))
    return _invalid(error.message, errors)


@bp.errorhandler(responding.ResponseError)
def _response_error(error: responding.ResponseError):
    return _invalid(error.message, {"_schema": error.message})
