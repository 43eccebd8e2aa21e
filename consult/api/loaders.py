"""Load objects for the API: 404 for what the caller may not read (its existence is not
revealed), 403 for what it may read but not change."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from consult import permissions
from consult.api.core import ApiProblem, current_user_api
from consult.surveys.consultations import get_by_slug
from consult.surveys.models import Consultation


def not_found() -> ApiProblem:
    return ApiProblem(
        404, _("Not found"), _("The resource does not exist, or you do not have access to it.")
    )


def forbidden(detail: str = "") -> ApiProblem:
    return ApiProblem(403, _("Not allowed"), detail or _("You are not allowed to do this."))


def load_consultation(slug: str, *, allowed: Callable | None = None) -> Consultation:
    """The consultation `slug` if the caller may read it, and do `allowed` on it if given."""
    user = current_user_api()
    consultation = get_by_slug(slug)
    if consultation is None or not permissions.can_read_consultation(user, consultation):
        raise not_found()
    if allowed is not None and not allowed(user, consultation):
        raise forbidden()
    return consultation
