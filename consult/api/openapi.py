"""The OpenAPI 3.1 document, written from the registered operations and their schemas."""

from __future__ import annotations

import re
from functools import cache

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from consult.api.core import OPERATIONS, PROBLEM, Operation
from consult.api.schemas import ProblemSchema

ERROR_TEXT = {
    400: "The request is malformed (a parameter, the body or the cursor).",
    401: "No valid token: send Authorization: Bearer <token>.",
    403: "Authenticated, but not allowed to do this.",
    404: "It does not exist, or you may not read it.",
    409: "The state or the version does not allow it (`current_version` for stale saves).",
    422: "The body is not valid: `errors` maps each field to its message.",
    429: "Too many requests for this token: wait Retry-After seconds.",
}
SLUG_PARAM = {"type": "string", "minLength": 1, "maxLength": 200}


def _resolver(schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    return name[:-6] if name.endswith("Schema") else name


def _problem(status: int) -> dict:
    return {"description": ERROR_TEXT[status], "content": {PROBLEM: {"schema": "ProblemSchema"}}}


def _operation(op: Operation) -> dict:
    parameters = [
        {"in": "path", "name": name, "required": True, "schema": SLUG_PARAM}
        for name in re.findall(r"{(\w+)}", op.path)
    ]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    for name, description in op.headers:
        parameters.append(
            {
                "in": "header",
                "name": name,
                "required": False,
                "description": description,
                "schema": {"type": "string", "maxLength": 200},
            }
        )
    ok: dict = {"description": "OK" if op.ok == 200 else "Created"}
    if op.output is not None:
        ok["content"] = {op.output_content: {"schema": op.output}}
    elif op.output_schema is not None:
        ok["content"] = {op.output_content: {"schema": op.output_schema}}
    elif op.binary:
        ok["content"] = {op.output_content: {"schema": {"type": "string", "format": "binary"}}}
    responses = {str(op.ok): ok}
    if op.accepted:
        responses["202"] = {"description": "Being prepared: ask again after Retry-After seconds."}
    codes = set(op.errors) | ({400, 422} if op.body is not None else set())
    codes |= {400} if op.query is not None else set()
    if not op.public:
        codes |= {401, 429}
    for status in sorted(codes):
        responses[str(status)] = _problem(status)
    data: dict = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": parameters,
        "responses": responses,
    }
    if op.description:
        data["description"] = op.description
    if op.body is not None:
        data["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    if op.upload:
        data["requestBody"] = {
            "required": True,
            "content": {"multipart/form-data": {"schema": op.extra["upload_schema"]}},
        }
    if op.public:
        data["security"] = []
    return data


@cache
def openapi_document(server: str = "/api/v1") -> dict:
    """The whole document (built once per process: the operations do not change)."""
    spec = APISpec(
        title="consult API",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin(schema_name_resolver=_resolver)],
        info={
            "description": (
                "Consultations, questionnaires, responses and results of consult. "
                "Authenticate with a personal access token (account page, or "
                "`flask --app consult create-token`): `Authorization: Bearer <token>`. "
                "Errors are RFC 9457 problem documents."
            )
        },
        servers=[{"url": server}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("ProblemSchema", schema=ProblemSchema)
    spec.options["security"] = [{"bearer": []}]
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document
