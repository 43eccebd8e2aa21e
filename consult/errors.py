"""Error pages: a calm page for people, problem+json for the API, never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _render(status: int, title: str, message: str, headers: dict | None = None):
    if _wants_json():
        body = jsonify(type="about:blank", title=title, status=status, detail=message)
        body.status_code = status
        body.mimetype = "application/problem+json"
        for key, value in (headers or {}).items():
            body.headers[key] = value
        return body
    page = render_template("errors/error.html", status=status, title=title, message=message)
    return page, status, headers or {}


def register(app: Flask) -> None:
    messages = {
        400: (lambda: _("Bad request"), lambda: _("The request could not be understood.")),
        403: (lambda: _("Not allowed"), lambda: _("You are not allowed to do this.")),
        404: (
            lambda: _("Page not found"),
            lambda: _("The page does not exist, or you do not have access to it."),
        ),
        405: (lambda: _("Not allowed"), lambda: _("This method is not allowed here.")),
        413: (lambda: _("File too large"), lambda: _("The file you sent is too large.")),
        500: (
            lambda: _("Something went wrong"),
            lambda: _("An unexpected error occurred. It has been logged; please try again later."),
        ),
        429: (
            lambda: _("Too many attempts"),
            lambda: _("Too many attempts. Please wait a few minutes and try again."),
        ),
    }

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return _render(
            400,
            _("Form expired"),
            _("The form was out of date or incomplete. Please go back, reload and try again."),
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        title, message = messages.get(error.code, (None, None))
        headers = {}
        if error.code == 429 and error.get_response().headers.get("Retry-After"):
            headers["Retry-After"] = error.get_response().headers["Retry-After"]
        return _render(
            error.code or 500,
            title() if title else error.name,
            message() if message else (error.description or ""),
            headers,
        )
