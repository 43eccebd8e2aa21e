"""The PDF copy of the receipt, offered on the receipt page (the same file as the e-mail's)."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import abort
from flask_babel import get_locale
from flask_login import login_required

from consult.i18n import select_timezone
from consult.surveys import receipts
from consult.surveys import respond_support as support
from consult.surveys.respond_views import PREFIX, bp


@bp.get(f"{PREFIX}/receipt.pdf")
@login_required
def receipt_pdf(slug: str):
    """The latest submitted version as PDF; 404 for anyone outside the authority."""
    consultation = support.get_consultation(slug)
    response = support.get_response(consultation)
    if response is None or response.submission_count == 0:
        abort(404)
    pdf = receipts.build_pdf(response, locale=str(get_locale()), timezone=select_timezone())
    filename = receipts.pdf_filename(response)
    return HttpResponse(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )
