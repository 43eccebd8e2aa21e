"""E-mails of responding: asking the authority's signatory to sign off."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.mail import Mail, external_url, send
from consult.surveys.models import Response


def send_signoff_request(response: Response, signatories: list[User], *, asked_by: User) -> None:
    consultation = response.consultation
    for signatory in signatories:
        with force_locale(signatory.locale or "en"):
            link = external_url("respond.review", slug=consultation.slug)
            title = consultation.text(consultation.title, signatory.locale)
            send(
                Mail(
                    to=signatory.email,
                    subject=_("Please sign off your authority's response: %(title)s", title=title),
                    text=render_template(
                        "mail/signoff_request.txt",
                        signatory=signatory,
                        asked_by=asked_by,
                        title=title,
                        response=response,
                        link=link,
                    ),
                )
            )
