"""Sign-in, second factor, invitations, password reset and the account page."""

from __future__ import annotations

import time
import zoneinfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts import forms, services, sessions, totp
from consult.accounts.models import Role, User
from consult.accounts.tokens import InvalidToken
from consult.extensions import db, limiter
from consult.security import safe_next

bp = Blueprint("accounts", __name__)


@bp.app_template_filter("role_label")
def role_label(role: Role | str) -> str:
    return str(forms.ROLE_LABELS[Role(role)])


PENDING_SECONDS = 300  # time allowed between the password step and the second factor


def _ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    email = request.form.get("email") or str(session.get("pending_user", ""))
    return "account:" + services.normalise_email(email)


def _failed(response) -> bool:
    """Only failed attempts count towards the limits (a success redirects)."""
    return response.status_code != 302


sign_in_limits = [
    limiter.limit(_ip_limit, methods=["POST"], deduct_when=_failed),
    limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed),
]


def _with_limits(view):
    for limit in sign_in_limits:
        view = limit(view)
    return view


def _home_after_sign_in() -> str:
    return safe_next(session.pop("pending_next", None), url_for("core.home"))


def _pending_user() -> User | None:
    user_id, started = session.get("pending_user"), session.get("pending_at", 0)
    if not user_id or time.time() - started > PENDING_SECONDS:
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def _finish_sign_in(user: User, second_factor: str | None):
    remember = bool(session.get("pending_remember"))
    target = _home_after_sign_in()
    sessions.start_session(user, remember=remember)
    services.record_sign_in(user, second_factor=second_factor)
    return redirect(target)


@bp.route("/sign-in", methods=["GET", "POST"])
@_with_limits
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = forms.SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The e-mail address or the password is not correct."))
            return render_template("accounts/sign_in.html", form=form), 200
        next_url = safe_next(form.next.data, url_for("core.home"))
        kept = {k: session[k] for k in sessions.KEPT_ACROSS_SIGN_IN if k in session}
        session.clear()
        session.update(
            kept,
            pending_user=user.id,
            pending_at=time.time(),
            pending_remember=form.remember.data,
            pending_next=next_url,
        )
        if user.totp_enabled_at:
            return redirect(url_for("accounts.second_factor"))
        if user.totp_required:
            return redirect(url_for("accounts.setup_totp"))
        return _finish_sign_in(user, None)
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@_with_limits
def second_factor():
    user = _pending_user()
    if user is None or not user.totp_enabled_at:
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.sign_in"))
    form = forms.SecondFactorForm()
    if form.validate_on_submit():
        method = services.verify_second_factor(user, form.code.data)
        if method:
            return _finish_sign_in(user, method)
        form.code.errors.append(_("That code is not valid. Enter the current code."))
        return render_template("accounts/second_factor.html", form=form), 200
    return render_template("accounts/second_factor.html", form=form)


@bp.route("/sign-in/set-up-code", methods=["GET", "POST"])
@_with_limits
def setup_totp():
    """Second-factor set-up: during sign-in for roles that require it, or from the account."""
    user = current_user if current_user.is_authenticated else _pending_user()
    if user is None:
        return redirect(url_for("accounts.sign_in"))
    if user.totp_enabled_at:
        return redirect(url_for("accounts.account"))
    secret = session.get("totp_setup_secret") or totp.new_secret()
    session["totp_setup_secret"] = secret
    form = forms.TotpSetupForm()
    if form.validate_on_submit():
        try:
            codes = services.enable_totp(user, secret, form.code.data)
        except services.AccountError as error:
            form.code.errors.append(error.message)
        else:
            session.pop("totp_setup_secret", None)
            if not current_user.is_authenticated:
                _finish_sign_in(user, "totp")
            session["recovery_codes"] = codes
            return redirect(url_for("accounts.recovery_codes"))
    uri = totp.provisioning_uri(user, secret)
    return render_template(
        "accounts/setup_totp.html",
        form=form,
        secret=secret,
        qr=totp.qr_svg(uri),
        required=user.totp_required,
    )


@bp.get("/account/recovery-codes")
@login_required
def recovery_codes():
    codes = session.pop("recovery_codes", None)
    if not codes:
        return redirect(url_for("accounts.account"))
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.post("/account/recovery-codes")
@login_required
def regenerate_recovery_codes():
    form = forms.ConfirmPasswordForm()
    if form.validate_on_submit() and services.check_password(current_user, form.password.data):
        session["recovery_codes"] = services.regenerate_recovery_codes(current_user)
        return redirect(url_for("accounts.recovery_codes"))
    flash(_("The password is not correct; your recovery codes did not change."), "error")
    return redirect(url_for("accounts.account"))


@bp.post("/account/second-factor/off")
@login_required
def disable_totp():
    form = forms.ConfirmPasswordForm()
    if form.validate_on_submit():
        try:
            services.disable_totp(current_user, form.password.data)
        except services.AccountError as error:
            flash(error.message, "error")
        else:
            flash(_("The second factor is turned off."), "success")
    return redirect(url_for("accounts.account"))


@bp.post("/sign-out")
def sign_out():
    form = forms.ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        services.record_sign_out(current_user)
    language = str(get_locale())  # the pages after signing out stay in the person's language
    sessions.end_session()
    session["locale"] = language
    flash(_("You are signed out."), "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        user = services.invitation_user(token)
    except InvalidToken:
        return render_template("accounts/link_invalid.html", kind="invitation"), 410
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.accept_invitation(token, form.password.data)
        except services.WeakPassword as error:
            form.password.errors.extend(error.problems)
        except InvalidToken:
            return render_template("accounts/link_invalid.html", kind="invitation"), 410
        else:
            if current_user.is_authenticated:
                sessions.end_session()
            flash(_("Your password is set. Please sign in."), "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/accept_invitation.html", form=form, user=user)


@bp.route("/reset-password", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
def request_reset():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.reset_user(token)
    except InvalidToken:
        return render_template("accounts/link_invalid.html", kind="reset"), 410
    form = forms.NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.WeakPassword as error:
            form.password.errors.extend(error.problems)
        except InvalidToken:
            return render_template("accounts/link_invalid.html", kind="reset"), 410
        else:
            sessions.end_session()
            flash(_("Your password is changed. Please sign in."), "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form)


def _timezones() -> list[tuple[str, str]]:
    zones = sorted(z for z in zoneinfo.available_timezones() if z.startswith(("Europe/", "UTC")))
    return [("", _("Europe/Brussels (default)"))] + [(z, z) for z in zones]


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = forms.ProfileForm(obj=current_user)
    form.timezone.choices = _timezones()
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            name=form.name.data,
            locale=form.locale.data,
            timezone=form.timezone.data,
        )
        flash(_("Your details are saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        form=form,
        password_form=forms.ConfirmPasswordForm(),
        remaining_codes=totp.remaining_recovery_codes(current_user),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except services.WeakPassword as error:
            form.password.errors.extend(error.problems)
        except services.AccountError as error:
            getattr(form, error.field or "current_password").errors.append(error.message)
        else:
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)
