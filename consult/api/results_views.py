"""API: results per question and participation, read with the results pages' own parameter
parser, permissions and suppression."""

from __future__ import annotations

import dataclasses
from datetime import date

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from consult import permissions
from consult.analysis.participation import participation
from consult.analysis.questions import consultation_results
from consult.api.core import ApiProblem, current_user_api, operation
from consult.api.loaders import not_found
from consult.api.results_schemas import ParticipationSchema, ResultsQuery, ResultsSchema
from consult.extensions import db
from consult.results import services
from consult.results.params import parse_view
from consult.surveys.models import Consultation

TAG = "results"
PARAM_NAMES = {"by": "breakdown", "filter-answers": "answer"}


def _plain(value):
    """Dataclasses as JSON values (dates as ISO 8601, enums as their values)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "value", value)


def _consultation(slug: str) -> Consultation:
    consultation = services.get_consultation(db.session, slug)
    if consultation is None or not permissions.can_view_results(current_user_api(), consultation):
        raise not_found()
    return consultation


def _view(consultation: Consultation, query: dict):
    """The spec from the query, checked by the results pages' parser (`parse_view`)."""
    args = MultiDict()
    for key, values in request.args.lists():
        args.setlist("by" if key == "breakdown" else key, values)
    args.setlist("unsuppressed", ["1"] if query.get("unsuppressed") else [])
    questions = services.questions_of(db.session, consultation)
    choices = services.filter_choices(db.session, consultation)
    view = parse_view(args, questions, association_ids=set(choices.associations))
    if not view.valid:
        errors = {}
        for field_id, message in view.errors:
            name = PARAM_NAMES.get(field_id, field_id.removeprefix("filter-"))
            errors[name] = str(message)
        raise ApiProblem(400, _("Bad request"), _("Some parameters are not valid."), errors=errors)
    allowed = permissions.can_see_unsuppressed(current_user_api(), consultation)
    if view.unsuppressed and not allowed:
        raise ApiProblem(
            403, _("Not allowed"), _("You may see this consultation's results only suppressed.")
        )
    return view


@operation(
    "/consultations/<slug>/results",
    "GET",
    summary="Results of every question, with a breakdown and filters",
    tag=TAG,
    query=ResultsQuery,
    output=ResultsSchema,
    errors=(400, 403, 404),
)
def get_results(slug: str, query: dict):
    """Counts of respondents per option (shares of those who answered), scale distributions
    and statistics, number histograms, dates by month. Small cells are suppressed exactly as
    on the results pages (null figures with `suppressed: true`)."""
    consultation = _consultation(slug)
    view = _view(consultation, query)
    results = consultation_results(
        db.session, consultation, view.spec, show_unsuppressed=view.unsuppressed
    )
    return {
        "consultation": consultation.slug,
        "breakdown": view.spec.breakdown.value if view.spec.breakdown else None,
        "filters": view.spec.filters.as_dict(),
        "unsuppressed": view.unsuppressed,
        "questions": [_plain(r) for r in results],
    }


@operation(
    "/consultations/<slug>/participation",
    "GET",
    summary="Participation: audience, invited, started, submitted, rate (per group)",
    tag=TAG,
    query=ResultsQuery,
    output=ParticipationSchema,
    errors=(400, 403, 404),
)
def get_participation(slug: str, query: dict):
    consultation = _consultation(slug)
    view = _view(consultation, query)
    result = participation(db.session, consultation, view.spec, show_unsuppressed=view.unsuppressed)
    return {"consultation": consultation.slug, **_plain(result)}
