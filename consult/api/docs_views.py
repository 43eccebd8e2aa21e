"""The OpenAPI document and a documentation page written from it (no CDN, no JavaScript)."""

from __future__ import annotations

from flask import jsonify, render_template

from consult.api.core import bp
from consult.api.openapi import openapi_document

PUBLIC = {"api.openapi_json", "api.docs"}


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(openapi_document())


@bp.get("/docs")
def docs():
    document = openapi_document()
    operations = [
        (path, method.upper(), op)
        for path, methods in document["paths"].items()
        for method, op in methods.items()
    ]
    tags = sorted({op["tags"][0] for _p, _m, op in operations}, key=_tag_order)
    return render_template("api/docs.html", document=document, operations=operations, tags=tags)


def _tag_order(tag: str) -> int:
    order = ["consultations", "questionnaire", "response", "results", "exports"]
    return order.index(tag) if tag in order else len(order)
