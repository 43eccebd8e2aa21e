"""HTML forms of the accounts package (CSRF on; field checks only, rules live in services)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from consult.accounts.models import Role
from consult.i18n import INTERFACE_LANGUAGES

# How each role is named on pages (the `role_label` template filter).
ROLE_LABELS = {
    Role.RESPONDENT: _l("Respondent"),
    Role.AUTHOR: _l("Author"),
    Role.ANALYST: _l("Analyst"),
    Role.ADMIN: _l("Administrator"),
}


class SignInForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_l("Enter your e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device (up to 12 hours)"))
    next = HiddenField()


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class TotpSetupForm(FlaskForm):
    code = StringField(
        _l("Six-digit code shown by your authenticator app"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        description=_l(
            "At least 12 characters. A few unrelated words together make a strong password."
        ),
        validators=[DataRequired(_l("Choose a password.")), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address like name@example.org."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    locale = SelectField(
        _l("Interface language"),
        choices=[("", _l("As my browser prefers")), *INTERFACE_LANGUAGES.items()],
        validators=[Optional()],
    )
    timezone = SelectField(_l("Time zone"), validators=[Optional()])


class InviteUserForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the person's name.")), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter the person's e-mail address.")),
            Email(_l("Enter an e-mail address like name@example.org."), check_deliverability=False),
            Length(max=254),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=[
            (Role.RESPONDENT.value, _l("Respondent (local or regional authority)")),
            (Role.AUTHOR.value, _l("Author (territorial association)")),
            (Role.ANALYST.value, _l("Analyst (Commission)")),
            (Role.ADMIN.value, _l("Administrator")),
        ],
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"),
        choices=[(r.value, r.value) for r in Role],
    )


class ActionForm(FlaskForm):
    """An empty form: a POST button protected by the CSRF token."""
