"""Translations: completeness per language, XLSX export and import (all or nothing)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from consult.surveys.models import ConsultationStatus
from consult.surveys.translations import (
    TranslationImportError,
    export_translations,
    import_translations,
    neutralise,
    translation_status,
    unneutralise,
)
from tests.factories import ConsultationFactory, UserFactory
from tests.surveys.test_documents import full_document


@pytest.fixture
def author(db):
    return UserFactory(role=Role.AUTHOR)


@pytest.fixture
def consultation(author):
    consultation = ConsultationFactory(
        association=author.organisation,
        languages=["en", "fr", "de"],
        description={"en": "About", "fr": "À propos"},
    )
    qs.replace_questionnaire(consultation, full_document(), actor=author)
    return consultation


def rows(data: bytes) -> list[list]:
    """The texts of an exported workbook, as a translator sees them."""
    sheet = load_workbook(io.BytesIO(data))["texts"]
    return [
        [unneutralise(v) if isinstance(v, str) else v for v in r]
        for r in sheet.iter_rows(values_only=True)
    ]


def save(rows_: list[list]) -> bytes:
    """The workbook as a spreadsheet would save it: texts neutralised, as exported."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "texts"
    for row in rows_:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_status_per_language(consultation):
    status = translation_status(consultation)
    assert status["en"].complete and status["fr"].complete
    assert not status["de"].complete and len(status["de"].missing) == status["de"].total
    assert status["de"].missing[0].describe() == "consultation, title"
    assert status["de"].total > 30


def test_export_has_one_row_per_text_with_key_columns(consultation):
    table = rows(export_translations(consultation))
    assert table[0] == ["kind", "section", "question", "option", "field", "en", "fr", "de"]
    assert ["question", 1, "housing", None, "label", "Housing?", "Housing? (fr)", None] in table
    assert ["option", 1, "housing", "rent", "label", "Rent", "Rent (fr)", None] in table
    assert ["row", 2, "grid", "r2", "label", "Row 2", "Row 2 (fr)", None] in table
    assert ["scale", 1, "satisfaction", "5", "label", "Very", "Very (fr)", None] in table
    assert [
        "scale",
        1,
        "satisfaction",
        None,
        "dont_know_label",
        "No idea",
        "No idea (fr)",
        None,
    ] in (table)


def test_import_round_trip_and_report(db, consultation, author):
    table = rows(export_translations(consultation))
    assert import_translations(consultation, save(table), actor=author) == []
    for row in table[1:]:
        if row[5]:
            row[7] = "DE " + row[5]
    changes = import_translations(consultation, save(table), actor=author)
    assert len(changes) == len(table) - 1 - sum(1 for r in table[1:] if not r[5])
    assert {c.language for c in changes} == {"de"}
    assert translation_status(consultation)["de"].complete
    db.session.expire_all()
    document = qs.questionnaire_document(consultation)
    satisfaction = document["sections"][0]["questions"][4]
    assert satisfaction["settings"]["labels"]["1"]["de"] == "DE Not at all"
    assert satisfaction["settings"]["dont_know_label"]["de"] == "DE No idea"
    assert document["sections"][1]["questions"][0]["rows"][0]["label"]["de"] == "DE Row 1"
    assert consultation.title["de"].startswith("DE ")


@pytest.mark.parametrize("text", ["=1+1", "+33 1 23", "-minus", "@SUM(A1)", "'quoted", "'=", "ok"])
def test_formula_like_texts_are_neutralised_and_read_back(db, consultation, author, text):
    assert unneutralise(neutralise(text)) == text
    table = rows(export_translations(consultation))
    row = next(r for r in table if r[:3] == ["question", 1, "housing"] and r[4] == "label")
    row[7] = text
    import_translations(consultation, save(table), actor=author)
    sheet = load_workbook(io.BytesIO(export_translations(consultation)))["texts"]
    cell = next(
        r[7]
        for r in sheet.iter_rows()
        if [c.value for c in r[:3]] == ["question", 1, "housing"] and r[4].value == "label"
    )
    assert cell.data_type == "s"
    assert cell.value == ("'" + text if text[0] in "=+-@'" else text)
    db.session.expire_all()
    housing = next(q for q in consultation.questions if q.code == "housing")
    assert housing.label["de"] == text


def test_bad_rows_are_refused_with_row_numbers_and_nothing_changes(db, consultation, author):
    table = rows(export_translations(consultation))
    for row in table[1:]:
        if row[5]:
            row[7] = "changed"
    table.append(["question", 1, "nope", None, "label", "x", "x", "x"])
    table.append(["option", 1, "housing", "flat", "label", "x", "x", "x"])
    table.append(["section", 9, None, None, "title", "x", "x", "x"])
    table.append(["scale", 1, "satisfaction", "9", "label", "x", "x", "x"])
    table.append(["question", 1, "housing", None, "label", "x", "x", "y" * 3000])
    before = qs.questionnaire_document(consultation)
    with pytest.raises(TranslationImportError) as error:
        import_translations(consultation, save(table), actor=author)
    n = len(table)
    reasons = [p.message for p in error.value.problems]
    assert reasons[0] == f"Row {n - 4}: there is no question nope."
    assert reasons[1] == f"Row {n - 3}: question housing has no option flat."
    assert reasons[2] == f"Row {n - 2}: there is no section 9."
    assert reasons[3].startswith(f"Row {n - 1}: scale, section 1, question satisfaction")
    assert reasons[4] == f"Row {n}: the de text is longer than 2000 characters."
    db.session.expire_all()
    assert qs.questionnaire_document(consultation) == before


def test_unknown_language_column_and_wrong_header(consultation, author):
    table = rows(export_translations(consultation))
    table[0][7] = "sv"
    with pytest.raises(TranslationImportError) as error:
        import_translations(consultation, save(table), actor=author)
    assert "sv is not a language" in error.value.problems[0].message
    with pytest.raises(TranslationImportError, match="first columns"):
        import_translations(consultation, save([["a", "b"]]), actor=author)
    with pytest.raises(TranslationImportError, match="not a translations workbook"):
        import_translations(consultation, b"garbage", actor=author)


def test_closed_consultations_are_refused(db, consultation, author):
    data = export_translations(consultation)
    consultation.status = ConsultationStatus.CLOSED
    db.session.commit()
    with pytest.raises(Exception, match="closed"):
        import_translations(consultation, data, actor=author)
