"""The account page's API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult import permissions
from consult.api import tokens
from consult.api.forms import TokenForm
from consult.api.models import ApiToken
from consult.db import utcnow

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


def _load_token(token_id: int) -> ApiToken:
    """The token, if the signed-in person may manage it; 404 otherwise."""
    token = tokens.get_token(token_id)
    if token is None or not permissions.can_manage_token(current_user, token):
        abort(404)
    return token


@bp.route("", methods=["GET", "POST"])
@login_required
def index():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            token, secret = tokens.create_token(
                current_user, name=form.name.data, expires_days=form.expires_days.data
            )
        except tokens.TokenError as error:
            getattr(form, error.field or "name").errors.append(error.message)
        else:
            return render_template("api/token_created.html", token=token, secret=secret)
    return render_template(
        "api/tokens.html", form=form, tokens=tokens.tokens_of(current_user), now=utcnow()
    )


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    token = _load_token(token_id)
    tokens.revoke_token(token, actor=current_user)
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
