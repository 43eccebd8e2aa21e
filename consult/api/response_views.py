"""API: the caller's authority's response — get, save the draft, submit, amend, withdraw."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from consult import permissions
from consult.api import idempotency
from consult.api.core import ApiProblem, current_user_api, operation
from consult.api.loaders import forbidden, load_consultation
from consult.api.schemas import DraftSchema, ResponseSchema, SubmitSchema, VersionSchema
from consult.surveys import responding
from consult.surveys.models import Consent, Consultation, Response

TAG = "response"


def _consultation(slug: str) -> Consultation:
    consultation = load_consultation(slug)
    if not permissions.can_respond(current_user_api(), consultation):
        raise forbidden(_("Only respondents of an authority in the audience answer."))
    return consultation


def _response(consultation: Consultation, allowed=permissions.can_view_response) -> Response:
    user = current_user_api()
    response = responding.find_response(consultation, user.organisation)
    if response is None:
        raise ApiProblem(
            404,
            _("Not found"),
            _("Your authority has not started a response yet: save a draft to start it."),
        )
    if not allowed(user, response):
        raise forbidden()
    return response


@operation(
    "/consultations/<slug>/response",
    "GET",
    summary="Get your authority's response",
    tag=TAG,
    output=ResponseSchema,
    errors=(403, 404),
)
def get_response(slug: str):
    """The shared response of your authority: its draft (or last submitted) answers by
    question code, its status and the `version` to name when saving."""
    return _response(_consultation(slug))


@operation(
    "/consultations/<slug>/response",
    "PUT",
    summary="Save the draft (starts the response on first use)",
    tag=TAG,
    body=DraftSchema,
    output=ResponseSchema,
    errors=(403, 404, 409, 422),
)
def save_response(slug: str, body: dict):
    """Replaces the whole working copy. Name the `version` you started from (1 for a new
    response): if a colleague saved since, 409 with `current_version`, nothing overwritten."""
    consultation = _consultation(slug)
    user = current_user_api()
    response = responding.find_response(consultation, user.organisation)
    if response is None:
        response = responding.start_response(
            consultation, user.organisation, actor=user, language=body.get("language")
        )
    if not permissions.can_edit_response(user, response):
        raise forbidden()
    if body.get("language") and body["language"] not in consultation.languages:
        raise ApiProblem(
            422,
            _("Invalid request"),
            errors={"language": _("The consultation is not offered in this language.")},
        )
    return responding.save_draft(
        response,
        version=body["version"],
        answers=body["answers"],
        other=body["other"],
        actor=user,
        language=body.get("language"),
    )


@operation(
    "/consultations/<slug>/response/submit",
    "POST",
    summary="Submit the response (idempotent)",
    tag=TAG,
    body=SubmitSchema,
    output=ResponseSchema,
    errors=(403, 404, 409, 422),
    headers=(
        (
            "Idempotency-Key",
            "Any unique string (≤ 200 characters): a retry with the same "
            "key gets the first answer again.",
        ),
    ),
)
def submit_response(slug: str, body: dict):
    """Submits the draft saved as `version`. Retrying with the same `Idempotency-Key` (or the
    same `version`) gives the submitted response again, never a second submission."""
    consultation = _consultation(slug)
    user = current_user_api()
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > idempotency.KEY_MAX:
        raise ApiProblem(
            400,
            _("Bad request"),
            errors={"Idempotency-Key": _("At most 200 characters.")},
        )
    endpoint = f"submit:{consultation.id}"
    if key:
        try:
            kept = idempotency.replay(user, key, endpoint)
        except idempotency.KeyReused as error:
            raise ApiProblem(
                422,
                _("Invalid request"),
                errors={"Idempotency-Key": _("This key was used for another request.")},
            ) from error
        if kept is not None:
            replayed = jsonify(kept.body)
            replayed.status_code = kept.status_code
            replayed.headers["Idempotent-Replayed"] = "true"
            return replayed
    response = _response(consultation, permissions.can_edit_response)
    submitted = responding.submit(
        response,
        version=body["version"],
        actor=user,
        consent=Consent(body["consent"]),
        submitter_name=body["submitter_name"],
        submitter_function=body["submitter_function"],
    )
    data = ResponseSchema().dump(submitted)
    if key:
        idempotency.remember(user, key, endpoint, 200, data)
    return jsonify(data)


@operation(
    "/consultations/<slug>/response/amend",
    "POST",
    summary="Reopen the submitted response for changes",
    tag=TAG,
    body=VersionSchema,
    output=ResponseSchema,
    errors=(403, 404, 409, 422),
)
def amend_response(slug: str, body: dict):
    """The submitted version counts until the amendment is submitted."""
    response = _response(_consultation(slug), permissions.can_edit_response)
    return responding.start_amendment(response, version=body["version"], actor=current_user_api())


@operation(
    "/consultations/<slug>/response/withdraw",
    "POST",
    summary="Withdraw the submitted response",
    tag=TAG,
    body=VersionSchema,
    output=ResponseSchema,
    errors=(403, 404, 409, 422),
)
def withdraw_response(slug: str, body: dict):
    """It no longer counts in the results; its answers stay in the draft."""
    response = _response(_consultation(slug), permissions.can_edit_response)
    return responding.withdraw(response, version=body["version"], actor=current_user_api())
