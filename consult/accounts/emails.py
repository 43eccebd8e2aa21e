"""The e-mails of the accounts package, rendered from templates/mail/."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.mail import Mail, external_url, send


def send_invitation(user: User, token: str, *, inviter: User | None) -> None:
    with force_locale(user.locale or "en"):
        link = external_url("accounts.accept_invitation", token=token)
        send(
            Mail(
                to=user.email,
                subject=_("You are invited to consult: %(org)s", org=user.organisation.name),
                text=render_template("mail/invitation.txt", user=user, link=link, inviter=inviter),
            )
        )


def send_password_reset(user: User, token: str) -> None:
    with force_locale(user.locale or "en"):
        link = external_url("accounts.reset_password", token=token)
        send(
            Mail(
                to=user.email,
                subject=_("Reset your consult password"),
                text=render_template("mail/password_reset.txt", user=user, link=link),
            )
        )
