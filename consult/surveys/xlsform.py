"""XLSForm import and export of consultations (encoding documented in `xlsform_common`).

- `read_xlsform(data)` maps a workbook onto a questionnaire document and reports what does not
  map (no database).
- `import_xlsform(data, association=…, actor=…)` creates a draft consultation from a workbook;
  with blocking report items it raises XLSFormImportRefused (with the report) unless
  `allow_partial=True`, in which case it imports the rows that map.
- `export_xlsform(consultation)` gives the workbook as bytes; `import(export(c))` gives the same
  questionnaire for every question type.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from consult import audit
from consult.accounts.models import Organisation, OrgKind, User
from consult.extensions import db
from consult.surveys.documents import build_questionnaire, questionnaire_document
from consult.surveys.errors import QuestionnaireError
from consult.surveys.models import Consultation, ConsultationStatus
from consult.surveys.xlsform_export import (
    XLSFormExportError,
    document_to_workbook,
    workbook_bytes,
)
from consult.surveys.xlsform_import import (
    ImportedForm,
    ReportItem,
    XLSFormUnreadable,
    read_xlsform,
)

__all__ = [
    "ImportedForm",
    "ReportItem",
    "XLSFormError",
    "XLSFormExportError",
    "XLSFormImportRefused",
    "export_xlsform",
    "import_xlsform",
    "read_xlsform",
]


class XLSFormError(QuestionnaireError):
    """The workbook cannot be imported; `report` lists why (sheet, row, reason)."""

    def __init__(self, message, report: list[ReportItem]):
        super().__init__(message)
        self.report = report


class XLSFormImportRefused(XLSFormError):
    """Some rows do not map; import again with allow_partial=True to import the others."""


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]
    return slug or "consultation"


def _unique_slug(wanted: str) -> str:
    slug, n = wanted, 2
    while db.session.scalar(sa.select(Consultation.id).where(Consultation.slug == slug)):
        slug, n = f"{wanted}-{n}", n + 1
    return slug


def import_xlsform(
    data: bytes,
    *,
    association: Organisation,
    actor: User | None,
    slug: str | None = None,
    allow_partial: bool = False,
    default_language: str | None = None,
) -> tuple[Consultation, list[ReportItem]]:
    """Create a draft consultation of `association` from an XLSForm workbook's bytes.

    Returns the consultation and the report (everything not imported, with sheet, row and
    reason). Raises XLSFormError when the file cannot be read, and XLSFormImportRefused when
    rows do not map and `allow_partial` is false. Nothing is written unless it succeeds."""
    if association.kind != OrgKind.ASSOCIATION:
        raise QuestionnaireError(_l("Consultations belong to associations."), field="association")
    try:
        form = read_xlsform(data, default_language=default_language)
    except XLSFormUnreadable as error:
        raise XLSFormError(
            _l("The XLSForm cannot be read: %(reason)s", reason=str(error)), error.items
        ) from error
    if form.blocking and not allow_partial:
        raise XLSFormImportRefused(
            lazy_ngettext(
                "%(num)d row of the XLSForm cannot be imported as it is; confirm a partial "
                "import to import the others.",
                "%(num)d rows of the XLSForm cannot be imported as they are; confirm a partial "
                "import to import the others.",
                len(form.blocking),
            ),
            form.items,
        )
    if slug is not None and db.session.scalar(
        sa.select(Consultation.id).where(Consultation.slug == slug)
    ):
        raise QuestionnaireError(_l("The slug %(slug)s is already used.", slug=slug), field="slug")
    try:
        consultation = Consultation(
            slug=slug or _unique_slug(_slugify(form.form_id or form.title)),
            association=association,
            default_language=form.default_language,
            languages=form.languages,
            title={form.default_language: form.title[:500]},
            description={},
            status=ConsultationStatus.DRAFT,
            created_by_id=actor.id if actor is not None else None,
        )
        db.session.add(consultation)
        build_questionnaire(consultation, form.document)
        db.session.flush()
        audit.record(
            "questionnaire.xlsform_imported",
            actor=actor,
            obj=consultation,
            organisation_id=association.id,
            questions=sum(len(s["questions"]) for s in form.document["sections"]),
            not_imported=len(form.blocking),
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return consultation, form.items


def export_xlsform(consultation: Consultation) -> bytes:
    """The consultation's questionnaire as an XLSForm workbook (.xlsx bytes)."""
    workbook = document_to_workbook(
        questionnaire_document(consultation),
        languages=list(consultation.languages or [consultation.default_language]),
        default_language=consultation.default_language,
        title=consultation.text(consultation.title) or consultation.slug,
        form_id=consultation.slug,
    )
    return workbook_bytes(workbook)
