"""API: consultations — list, get, create, update, open, close, clone."""

from __future__ import annotations

from dataclasses import fields as dc_fields

from flask_babel import gettext as _

from consult import permissions
from consult.accounts.models import Organisation
from consult.api import queries
from consult.api.core import ApiProblem, current_user_api, operation
from consult.api.loaders import forbidden, load_consultation
from consult.api.schemas import (
    CloneSchema,
    ConsultationCreateSchema,
    ConsultationListQuery,
    ConsultationPageSchema,
    ConsultationSchema,
    ConsultationSettingsSchema,
)
from consult.surveys import cloning, consultations, lifecycle
from consult.surveys.consultations import ConsultationSettings

TAG = "consultations"


def _association(slug: str) -> Organisation:
    association = consultations.get_association(slug)
    if association is None:
        raise ApiProblem(
            422, _("Invalid request"), errors={"association": _("No association has this slug.")}
        )
    return association


@operation(
    "/consultations",
    "GET",
    summary="List the consultations you may read",
    tag=TAG,
    query=ConsultationListQuery,
    output=ConsultationPageSchema,
    errors=(400, 422),
)
def list_consultations(query: dict):
    """Newest first. Authors see their association's consultations, analysts and admins every
    one (analysts: not drafts), respondents those open to their authority. Pass `next_cursor`
    back as `cursor` for the next page."""
    association = _association(query["association"]) if query.get("association") else None
    try:
        items, next_cursor = queries.readable_consultations(
            current_user_api(),
            status=query.get("status", ""),
            association=association,
            language=query.get("language", ""),
            cursor=query.get("cursor", ""),
            limit=query["limit"],
        )
    except queries.BadCursor as error:
        raise ApiProblem(
            400, _("Bad request"), errors={"cursor": _("This cursor was not given by the API.")}
        ) from error
    return {"items": items, "next_cursor": next_cursor}


@operation(
    "/consultations/<slug>",
    "GET",
    summary="Get a consultation",
    tag=TAG,
    output=ConsultationSchema,
    errors=(404,),
)
def get_consultation(slug: str):
    return load_consultation(slug)


@operation(
    "/consultations",
    "POST",
    summary="Create a draft consultation",
    tag=TAG,
    ok=201,
    body=ConsultationCreateSchema,
    output=ConsultationSchema,
    errors=(403, 422),
)
def create_consultation(body: dict):
    """Authors create drafts of their own association (`association` defaults to it)."""
    user = current_user_api()
    association = (
        _association(body.pop("association")) if "association" in body else user.organisation
    )
    if not permissions.can_create_consultation(user, association):
        raise forbidden(_("Only the authors of an association create its consultations."))
    settings = ConsultationSettings(slug=body["slug"])
    _apply(settings, body)
    return consultations.create_consultation(association, settings, actor=user)


def _apply(settings: ConsultationSettings, body: dict) -> None:
    names = {f.name for f in dc_fields(ConsultationSettings)}
    for name, value in body.items():
        if name in names:
            setattr(settings, name, value)


@operation(
    "/consultations/<slug>",
    "PATCH",
    summary="Change a consultation's settings",
    tag=TAG,
    body=ConsultationSettingsSchema,
    output=ConsultationSchema,
    errors=(403, 404, 409, 422),
)
def update_consultation(slug: str, body: dict):
    """Only the fields given change; the same checks as the settings page (what the state no
    longer allows is refused field by field)."""
    consultation = load_consultation(slug, allowed=permissions.can_edit_consultation)
    settings = ConsultationSettings.of(consultation)
    _apply(settings, body)
    return consultations.update_consultation(consultation, settings, actor=current_user_api())


@operation(
    "/consultations/<slug>/open",
    "POST",
    summary="Open a draft consultation",
    tag=TAG,
    output=ConsultationSchema,
    errors=(403, 404, 409),
)
def open_consultation(slug: str):
    """Refused with 409 and every problem listed (`problems`) until all are fixed."""
    consultation = load_consultation(slug, allowed=permissions.can_change_consultation_status)
    return lifecycle.open_consultation(consultation, actor=current_user_api())


@operation(
    "/consultations/<slug>/close",
    "POST",
    summary="Close an open consultation now",
    tag=TAG,
    output=ConsultationSchema,
    errors=(403, 404, 409),
)
def close_consultation(slug: str):
    consultation = load_consultation(slug, allowed=permissions.can_change_consultation_status)
    return lifecycle.close_consultation(consultation, actor=current_user_api())


@operation(
    "/consultations/<slug>/clone",
    "POST",
    summary="Copy a consultation as a new draft",
    tag=TAG,
    ok=201,
    body=CloneSchema,
    output=ConsultationSchema,
    errors=(403, 404, 422),
)
def clone_consultation(slug: str, body: dict):
    """The copy gets `slug`, or the first free `<slug>-2`, `<slug>-3`…"""
    consultation = load_consultation(slug, allowed=permissions.can_clone_consultation)
    return cloning.clone_consultation(consultation, actor=current_user_api(), slug=body.get("slug"))
