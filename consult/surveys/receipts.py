"""Receipts of submitted responses: a PDF copy of the answers, and the e-mail that carries it.

The PDF is built from the response's latest submitted version, outside any request (the e-mail
is sent by a background job): texts of the questionnaire in the response's language, interface
texts, dates and numbers in the reader's locale and time zone. Everything entered by people is
escaped (Jinja autoescape), and WeasyPrint fetches nothing but the stylesheet given here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult import jobs
from consult.accounts.models import User
from consult.extensions import db
from consult.localtime import zone
from consult.mail import Attachment, Mail, external_url, send
from consult.surveys.answers_format import DONT_KNOW, NO, YES
from consult.surveys.models import (
    Consent,
    OptionRole,
    Question,
    QuestionType,
    Response,
    ResponseVersion,
    translated,
)
from consult.surveys.settings import scale_points
from consult.surveys.validation import is_empty, relevant_codes

RECEIPT_JOB = "response.receipt"

CONSENT_LABELS = {
    Consent.PUBLIC_NAMED: _l("Public, with the name of the authority"),
    Consent.PUBLIC_ANONYMOUS: _l("Public, without the name of the authority"),
    Consent.NOT_PUBLISHED: _l("Not for publication"),
}


@dataclass(frozen=True)
class AnswerLine:
    code: str
    label: str
    lines: list[str]  # the answer as shown, one item per line; empty when not answered


@dataclass(frozen=True)
class SectionAnswers:
    title: str
    answers: list[AnswerLine]


@dataclass(frozen=True)
class Receipt:
    reference: str
    consultation_title: str
    authority_name: str
    version: int
    submitted_at: str
    prepared_by: list[str]
    signed_off_by: str | None
    submitter_name: str
    submitter_function: str
    publication: str
    sections: list[SectionAnswers]
    language: str  # the questionnaire's language used for the answers


def latest_version(response: Response) -> ResponseVersion | None:
    return db.session.scalar(
        sa.select(ResponseVersion)
        .where(ResponseVersion.response_id == response.id)
        .order_by(ResponseVersion.number.desc())
        .limit(1)
    )


def _name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user is not None else None


def _option_label(question: Question, code, language: str, default: str) -> str:
    for option in question.options:
        if option.role == OptionRole.OPTION and option.code == str(code):
            return translated(option.label, language, default) or option.code
    return str(code)


def _point_label(question: Question, point, language: str, default: str, locale: str) -> str:
    settings = question.settings or {}
    if point == DONT_KNOW:
        return translated(settings.get("dont_know_label"), language, default) or _("Don't know")
    text = format_decimal(point, locale=locale) if isinstance(point, int | float) else str(point)
    label = translated((settings.get("labels") or {}).get(str(point)), language, default)
    if label:
        return f"{text} ({label})"
    last = scale_points(settings)[-1]
    return _("%(point)s of %(last)s", point=text, last=format_decimal(last, locale=locale))


def answer_lines(
    question: Question, value, other_text: str | None, *, language: str, locale: str
) -> list[str]:
    """The answer to `question` as lines of plain text (escaped later, by the template)."""
    if is_empty(value):
        return []
    default = question.consultation.default_language
    qtype = question.type
    if qtype == QuestionType.SINGLE_CHOICE:
        lines = [_option_label(question, value, language, default)]
    elif qtype == QuestionType.MULTIPLE_CHOICE:
        lines = [_option_label(question, code, language, default) for code in value]
    elif qtype == QuestionType.RANKING:
        lines = [
            f"{rank}. {_option_label(question, code, language, default)}"
            for rank, code in enumerate(value, start=1)
        ]
    elif qtype == QuestionType.YES_NO:
        lines = [{YES: _("Yes"), NO: _("No")}.get(value, str(value))]
    elif qtype == QuestionType.SCALE:
        lines = [_point_label(question, value, language, default, locale)]
    elif qtype == QuestionType.MATRIX:
        rows = [o for o in question.options if o.role == OptionRole.ROW]
        lines = [
            f"{translated(row.label, language, default) or row.code}: "
            f"{_point_label(question, value[row.code], language, default, locale)}"
            for row in rows
            if row.code in value
        ]
    elif qtype == QuestionType.NUMBER:
        # The locale's decimal sign, no grouping: numbers may be years or codes.
        lines = [format_decimal(value, locale=locale, group_separator=False)]
    elif qtype == QuestionType.DATE:
        try:
            lines = [format_date(datetime.strptime(value, "%Y-%m-%d"), "long", locale=locale)]
        except (TypeError, ValueError):
            lines = [str(value)]
    else:
        lines = [str(value)]
    if other_text:
        lines.append(_("Other: %(text)s", text=other_text))
    return lines


def build_receipt(
    response: Response, *, locale: str = "en", timezone: str | None = None
) -> Receipt:
    """What the receipt shows, for the latest submitted version of `response`.

    Call inside `force_locale(locale)` (the interface texts are translated when called)."""
    version = latest_version(response)
    if version is None:
        raise ValueError("this response has not been submitted")
    consultation = response.consultation
    language = response.language
    answers = version.data.get("answers", {})
    other = version.data.get("other", {})
    shown = relevant_codes(consultation.questions, answers)
    sections = []
    for section in consultation.sections:
        lines = [
            AnswerLine(
                code=question.code,
                label=consultation.text(question.label, language) or question.code,
                lines=answer_lines(
                    question,
                    answers.get(question.code),
                    other.get(question.code),
                    language=language,
                    locale=locale,
                ),
            )
            for question in section.questions
            if question.type != QuestionType.NOTE and question.code in shown
        ]
        if lines:
            sections.append(SectionAnswers(consultation.text(section.title, language), lines))
    submitter = _name(version.submitted_by_id)
    requester = _name(response.signoff_requested_by_id)
    prepared_by = [requester] if requester else ([submitter] if submitter else [])
    tz = zone(timezone or consultation.timezone)
    return Receipt(
        reference=response.reference or "",
        consultation_title=consultation.text(consultation.title, language),
        authority_name=response.authority.name,
        version=version.number,
        submitted_at=format_datetime(version.submitted_at, "long", tzinfo=tz, locale=locale),
        prepared_by=prepared_by,
        signed_off_by=submitter if consultation.signoff_required else None,
        submitter_name=response.submitter_name or "",
        submitter_function=response.submitter_function or "",
        publication=str(CONSENT_LABELS.get(version.consent, "")),
        sections=sections,
        language=language,
    )


def render_html(response: Response, *, locale: str = "en", timezone: str | None = None) -> str:
    with force_locale(locale):
        receipt = build_receipt(response, locale=locale, timezone=timezone)
        return _html(receipt, locale)


def _html(receipt: Receipt, locale: str) -> str:
    return render_template("receipts/receipt_pdf.html", receipt=receipt, locale=locale)


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the receipt fetches nothing ({url[:80]})")


def build_pdf(response: Response, *, locale: str = "en", timezone: str | None = None) -> bytes:
    """The PDF copy of the response's latest submitted version (needs an app context only)."""
    return _pdf(render_html(response, locale=locale, timezone=timezone))


def _pdf(html: str) -> bytes:
    from weasyprint import HTML  # slow to import: only where a PDF is made

    return HTML(string=html, url_fetcher=_refuse_fetch, base_url="about:blank").write_pdf()


def pdf_filename(response: Response) -> str:
    version = latest_version(response)
    number = version.number if version is not None else 0
    return f"receipt-{response.reference or response.id}-v{number}.pdf"


# The e-mail, sent by a background job after each submission (first or amended).


def queue_receipt(response: Response, *, actor: User) -> jobs.Job:
    """Send the receipt of the version just submitted by `actor`, in the background."""
    return jobs.enqueue(
        RECEIPT_JOB,
        send_receipts,
        response.id,
        response.submission_count,
        created_by_id=actor.id,
    )


def receipt_recipients(response: Response) -> list[User]:
    """Who submitted, and who asked for sign-off (when someone did)."""
    ids = [response.submitted_by_id, response.signoff_requested_by_id]
    users = []
    for user_id in dict.fromkeys(i for i in ids if i):
        user = db.session.get(User, user_id)
        if user is not None and user.active:
            users.append(user)
    return users


def mail_receipt(response: Response, user: User) -> None:
    """E-mail `user` the receipt with the PDF, in their language and time zone."""
    locale = user.locale or "en"
    timezone = user.timezone or response.consultation.timezone
    with force_locale(locale):
        receipt = build_receipt(response, locale=locale, timezone=timezone)
        pdf = _pdf(_html(receipt, locale))
        subject = _(
            "Receipt %(reference)s: %(title)s",
            reference=receipt.reference,
            title=receipt.consultation_title,
        )
        text = render_template(
            "mail/response_receipt.txt",
            receipt=receipt,
            user=user,
            link=external_url("core.home"),
        )
    send(
        Mail(
            to=user.email,
            subject=subject,
            text=text,
            attachments=[Attachment(pdf_filename(response), pdf, "application/pdf")],
        )
    )


def send_receipts(progress: jobs.Progress, response_id: int, number: int) -> dict:
    """The job: e-mail the receipt of version `number` (skipped when a later one exists)."""
    response = db.session.get(Response, response_id)
    if response is None or response.submission_count != number:
        return {"sent": 0}
    recipients = receipt_recipients(response)
    progress.start(len(recipients))
    for user in recipients:
        mail_receipt(response, user)
        progress.advance()
    return {"sent": len(recipients)}
