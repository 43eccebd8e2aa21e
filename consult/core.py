"""Pages that belong to no domain: home, health check, interface language."""

from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as account_services
from consult.extensions import db
from consult.i18n import INTERFACE_LANGUAGES
from consult.security import safe_next

bp = Blueprint("core", __name__)


@bp.get("/")
def home():
    return render_template("core/home.html")


@bp.get("/accessibility")
def accessibility():
    return render_template("core/accessibility.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="degraded", database="unavailable"), 503
    return jsonify(status="ok", database="ok")


@bp.post("/language")
def set_language():
    """Remember the chosen interface language (on the account when signed in)."""
    locale = request.form.get("locale", "")
    if locale in INTERFACE_LANGUAGES:
        session["locale"] = locale
        if current_user.is_authenticated:
            account_services.set_locale(current_user, locale)
    else:
        flash(_("This language is not available."), "error")
    return redirect(safe_next(request.form.get("next"), url_for("core.home")))
