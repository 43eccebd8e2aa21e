"""REST API v1 (/api/v1): personal access tokens, marshmallow schemas, OpenAPI 3.1.

The views call the same services and permission functions as the HTML pages."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from consult.api import (  # noqa: F401  (each module adds its operations to the blueprint)
        consultation_views,
        docs_views,
        errors,
        export_views,
        questionnaire_views,
        response_views,
        results_views,
        token_views,
    )
    from consult.api.core import bp

    app.register_blueprint(bp)
    app.register_blueprint(token_views.bp)
