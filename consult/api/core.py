"""The API blueprint: bearer-token authentication, per-token rate limits, problem+json errors,
and `operation`, which registers a view and its OpenAPI description from the same schemas.

Only a token authenticates: a session cookie is ignored here (so CSRF does not apply, and a
page cannot make a signed-in browser write through the API).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException

from consult.api import tokens
from consult.extensions import csrf, limiter

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PROBLEM = "application/problem+json"


@dataclass
class Operation:
    """One documented operation: the view and the schemas of its input and output."""

    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    ok: int = 200
    output: type[Schema] | None = None
    output_content: str = "application/json"
    errors: tuple[int, ...] = ()
    public: bool = False
    upload: bool = False
    headers: tuple[tuple[str, str], ...] = ()
    description: str = ""
    many: bool = False
    binary: bool = False  # the answer is a file (`output_content`), not a schema's JSON
    accepted: bool = False  # may answer 202 (being prepared)
    output_schema: dict | None = None  # a plain JSON Schema for answers no schema dumps
    extra: dict = field(default_factory=dict)

    @property
    def path(self) -> str:
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.rule)


OPERATIONS: list[Operation] = []


class ApiProblem(Exception):
    """Raised by API views to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str = "", **extra):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.extra = status, title, detail, extra


def problem(status: int, title: str, detail: str = "", headers: dict | None = None, **extra):
    """An RFC 9457 problem document."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def current_user_api():
    """The user whose token authenticated this request."""
    return g.api_user


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


_UNSET = object()


def _token_user():
    """The user of the request's token (None without a valid one), looked up once."""
    user = g.get("_api_token_user", _UNSET)
    if user is _UNSET:
        secret = _bearer()
        user = tokens.authenticate(secret) if secret else None
        g._api_token_user = user
    return user


def _rate_key() -> str:
    """Limits are per valid token (its fingerprint); requests without one share their
    address's budget, so made-up tokens do not buy fresh ones."""
    if _token_user() is not None:
        return "api-token:" + hashlib.sha256(_bearer().encode()).hexdigest()[:32]
    return "api-ip:" + (request.remote_addr or "unknown")


limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=_rate_key)(bp)


def _public_endpoints() -> set[str]:
    from consult.api.docs_views import PUBLIC

    return PUBLIC | {f"api.{op.endpoint}" for op in OPERATIONS if op.public}


@bp.before_request
def _authenticate():
    if request.endpoint in _public_endpoints() or request.endpoint is None:
        return None
    secret = _bearer()
    user = _token_user()
    if user is None:
        return problem(
            401,
            _("Authentication required"),
            _("Send a valid personal access token: Authorization: Bearer <token>.")
            if not secret
            else _("The token is unknown, revoked or expired, or its account is deactivated."),
            headers={"WWW-Authenticate": 'Bearer realm="consult"'},
        )
    g.api_user = user
    return None


@bp.errorhandler(ApiProblem)
def _api_problem(error: ApiProblem):
    return problem(error.status, error.title, error.detail, **error.extra)


@bp.errorhandler(ValidationError)
def _validation(error: ValidationError):
    return problem(
        422,
        _("Invalid request"),
        _("Some fields are not valid."),
        errors=flatten(error.messages),
    )


@bp.errorhandler(Exception)
def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return problem(error.code or 500, error.name, error.description or "")
    log.exception("API error on %s %s", request.method, request.path)
    return problem(
        500,
        _("Something went wrong"),
        _("An unexpected error occurred. It has been logged; please try again later."),
    )


def flatten(messages, prefix: str = "") -> dict[str, str]:
    """Marshmallow's nested messages as {"field.sub.0.name": "message"}."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "_schema"] = " ".join(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            out.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        out[prefix or "_schema"] = str(messages)
    return out


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(
            400, _("Bad request"), _("The request body must be a JSON object (application/json).")
        )
    return data


def _query_args(schema: Schema) -> dict:
    raw = {}
    for key in request.args:
        values = request.args.getlist(key)
        declared = schema.fields.get(key)
        many = isinstance(declared, fields.List)
        raw[key] = values if many else values[-1]
    return schema.load(raw)


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    ok: int = 200,
    output: type[Schema] | None = None,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    errors: tuple[int, ...] = (),
    **options,
) -> Callable:
    """Register `view` under /api/v1 and describe it in the OpenAPI document.

    The view receives the path arguments, plus `body` and `query` (loaded by their schemas,
    unknown fields refused) when declared; it returns the object to dump with `output` (or a
    ready Response)."""

    def register(view: Callable) -> Callable:
        op = Operation(
            rule=rule,
            method=method.upper(),
            endpoint=view.__name__,
            summary=summary,
            tag=tag,
            body=body,
            query=query,
            ok=ok,
            output=output,
            errors=errors,
            description=(view.__doc__ or "").strip(),
            **options,
        )

        def wrapper(**kwargs):
            if op.body is not None:
                kwargs["body"] = op.body().load(_json_body())
            if op.query is not None:
                kwargs["query"] = _query_args(op.query())
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            if op.output is None:
                return Response(status=ok)
            response = jsonify(op.output(many=op.many).dump(result))
            response.status_code = ok
            return response

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=[op.method])
        OPERATIONS.append(op)
        return view

    return register
