"""Translations pages (completeness, XLSX download and upload, fallbacks) and XLSForm pages
(upload with report and confirmation, refused files, download)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from consult.accounts.models import AuditEvent
from consult.surveys import uploads
from consult.surveys.models import Consultation, ConsultationStatus
from tests.surveys.builder.helpers import add, summary, text
from tests.surveys.test_translations import rows, save
from tests.surveys.test_xlsform import REAL_WORLD, md_workbook

SIMPLE_FORM = """
| survey |
| | type | name | label::English (en) | label::Français (fr) | required |
| | begin_group | housing | Housing | Logement | |
| | integer | population | Population | Population | yes |
| | select_one yn | plan | Is there a plan? | Y a-t-il un plan ? | |
| | end_group | | | | |
| choices |
| | list_name | name | label::English (en) | label::Français (fr) |
| | yn | yes | Yes | Oui |
| | yn | no | No | Non |
| settings |
| | form_title | form_id |
| | Local plans | local_plans |
"""


def upload(data: bytes, name: str = "file.xlsx") -> dict:
    return {"file": (io.BytesIO(data), name)}


# --- translations


@pytest.fixture
def translated(consultation, section, author):
    """q1 is translated; q2 has no French text; the page intro is English only."""
    add(section, author, "q1", label={"en": "Q1?", "fr": "Q1 ?"})
    add(section, author, "q2", "number", label={"en": "Q2?"}, help={"en": "Help"})
    return consultation


def test_translations_page_lists_what_is_missing_with_links(signed_in, translated, db):
    response = signed_in.get(f"/consultations/{translated.slug}/translations")
    page = text(response)
    assert "Where a text is missing in a language, respondents reading that language see" in page
    assert "English (en)" in page and "français (fr)" in page
    assert "Text of question q2 (page 1)" in page and "Help text of question q2" in page
    assert "Option b of question q1" in page
    question = next(q for q in translated.questions if q.code == "q2")
    body = response.get_data(as_text=True)
    assert (
        f'href="/consultations/{translated.slug}/questionnaire/questions/{question.id}/edit#label_fr"'
        in body
    )
    assert "Accept the fallback to English" in page
    assert "table-wrap" in body


def test_download_translations(signed_in, translated):
    response = signed_in.get(f"/consultations/{translated.slug}/translations.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert f"{translated.slug}-texts.xlsx" in response.headers["Content-Disposition"]
    assert rows(response.data)[0] == ["kind", "section", "question", "option", "field", "en", "fr"]


def test_upload_translations_reports_what_changed(signed_in, translated, db):
    data = signed_in.get(f"/consultations/{translated.slug}/translations.xlsx").data
    table = rows(data)
    for row in table:
        if row[2] == "q2" and row[4] == "label":
            row[6] = "Q2 ?"
    url = f"/consultations/{translated.slug}/translations/upload"
    assert "Upload and import" in text(signed_in.get(url))
    response = signed_in.post_form(url, upload(save(table)), content_type="multipart/form-data")
    page = text(response)
    assert "1 text was changed." in page
    assert "Text of question q2 (page 1) fr — Q2 ?" in page
    db.session.expire_all()
    assert next(q for q in translated.questions if q.code == "q2").label["fr"] == "Q2 ?"


def test_upload_with_bad_rows_is_refused_row_by_row(signed_in, translated, db):
    table = rows(signed_in.get(f"/consultations/{translated.slug}/translations.xlsx").data)
    table[3][6] = "Changé"
    table.append(["question", 1, "nope", None, "label", "X", "X"])
    table.append(["option", 1, "q1", "zz", "label", "Z", "Z"])
    response = signed_in.post_form(
        f"/consultations/{translated.slug}/translations/upload",
        upload(save(table)),
        content_type="multipart/form-data",
    )
    page = text(response)
    assert "Nothing was imported" in page
    assert f"{len(table) - 1} Row {len(table) - 1}: there is no question nope." in page
    assert f"{len(table)} Row {len(table)}: question q1 has no option zz." in page
    db.session.expire_all()
    assert "Changé" not in str([q.label for q in translated.questions])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"kind,section\n", "The file is not an Excel workbook (.xlsx)."),
        (b"PK\x03\x04garbage", "The file is damaged: it cannot be opened as .xlsx."),
        (b"", "Choose a file."),
    ],
)
def test_upload_of_something_else_is_refused(signed_in, translated, data, message):
    response = signed_in.post_form(
        f"/consultations/{translated.slug}/translations/upload",
        upload(data) if data else {"file": (io.BytesIO(b""), "")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and message in summary(response)


def test_accept_and_withdraw_a_fallback(signed_in, translated, db):
    url = f"/consultations/{translated.slug}/translations/fr/fallback"
    page = text(signed_in.get(url))
    assert "Accept the fallback for français?" in page and "texts are missing" in page
    assert translated.accepted_fallbacks == []  # a GET changes nothing
    response = signed_in.post_form(url, {"accepted": "1"})
    assert response.status_code == 302
    db.session.refresh(translated)
    assert translated.accepted_fallbacks == ["fr"]
    page = text(signed_in.get(response.headers["Location"]))
    assert "Missing français texts will be shown in English." in page
    assert "incomplete; fallback to English accepted" in page
    assert "Withdraw the fallback for français?" in text(signed_in.get(url))
    signed_in.post_form(url, {"accepted": "0"})
    db.session.refresh(translated)
    assert translated.accepted_fallbacks == []
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert {"questionnaire.fallback_accepted", "questionnaire.fallback_withdrawn"} <= set(actions)
    assert (
        signed_in.get(f"/consultations/{translated.slug}/translations/en/fallback").status_code
        == 404
    )
    assert (
        signed_in.get(f"/consultations/{translated.slug}/translations/de/fallback").status_code
        == 404
    )


def test_open_consultation_translations_can_still_be_uploaded(signed_in, translated, db):
    translated.status = ConsultationStatus.OPEN
    db.session.commit()
    page = text(signed_in.get(f"/consultations/{translated.slug}/translations"))
    assert "Upload translated texts" in page
    table = rows(signed_in.get(f"/consultations/{translated.slug}/translations.xlsx").data)
    for row in table:
        if row[2] == "q2" and row[4] == "help":
            row[6] = "Aide"
    response = signed_in.post_form(
        f"/consultations/{translated.slug}/translations/upload",
        upload(save(table)),
        content_type="multipart/form-data",
    )
    assert "1 text was changed." in text(response)


# --- XLSForm


def count_consultations(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Consultation))


def test_import_an_xlsform(signed_in, author, db):
    assert "Import an XLSForm" in text(signed_in.get("/consultations/import-xlsform"))
    response = signed_in.post_form(
        "/consultations/import-xlsform",
        upload(md_workbook(SIMPLE_FORM), "plans.xlsx"),
        content_type="multipart/form-data",
    )
    page = text(response)
    assert "The draft consultation “Local plans” was created with 2 questions." in page
    consultation = db.session.scalars(sa.select(Consultation)).one()
    assert consultation.association_id == author.organisation_id
    assert consultation.status == ConsultationStatus.DRAFT and consultation.languages == [
        "en",
        "fr",
    ]
    assert f"/consultations/{consultation.slug}/questionnaire" in response.get_data(as_text=True)


def test_partial_import_needs_confirmation(signed_in, author, db, app):
    response = signed_in.post_form(
        "/consultations/import-xlsform",
        upload(md_workbook(REAL_WORLD), "real.xlsx"),
        content_type="multipart/form-data",
    )
    page = text(response)
    assert "Some rows of the XLSForm cannot be imported" in page
    assert "survey 18 Repeats are not supported" in page
    assert "survey 21 Type geopoint is not supported" in page
    assert "Import the rest" in page and "File: real.xlsx." in page
    assert count_consultations(db) == 0
    body = response.get_data(as_text=True)
    assert "real.xlsx" not in re.findall(r"<form.*?</form>", body, re.S)[-1]  # never sent back
    response = signed_in.post_form("/consultations/import-xlsform/confirm", {"decision": "import"})
    assert "XLSForm imported" in text(response) and "Not imported" in text(response)
    assert count_consultations(db) == 1
    # The kept upload is gone: confirming again imports nothing more.
    response = signed_in.post_form("/consultations/import-xlsform/confirm", {"decision": "import"})
    assert response.status_code == 302
    assert "no longer kept" in text(signed_in.get(response.headers["Location"]))
    assert count_consultations(db) == 1


def test_partial_import_can_be_cancelled(signed_in, db):
    signed_in.post_form(
        "/consultations/import-xlsform",
        upload(md_workbook(REAL_WORLD)),
        content_type="multipart/form-data",
    )
    response = signed_in.post_form("/consultations/import-xlsform/confirm", {"decision": "cancel"})
    assert response.status_code == 302
    assert "Nothing was imported." in text(signed_in.get(response.headers["Location"]))
    response = signed_in.post_form("/consultations/import-xlsform/confirm", {"decision": "import"})
    assert count_consultations(db) == 0


def test_kept_uploads_belong_to_their_user_and_expire(app, monkeypatch):
    with app.test_request_context():
        token = uploads.keep(b"data", kind="xlsform", owner_id=1)
        assert uploads.fetch(token, kind="xlsform", owner_id=2) is None
        assert uploads.fetch("../../etc/passwd", kind="xlsform", owner_id=1) is None
        assert uploads.fetch(token, kind="xlsform", owner_id=1) == b"data"
        if not app.config["REDIS_URL"]:
            monkeypatch.setattr(uploads, "TTL_SECONDS", -1)
            assert uploads.fetch(token, kind="xlsform", owner_id=1) is None
            uploads.keep(b"other", kind="xlsform", owner_id=1)  # cleans up expired files
            assert not list((Path(app.instance_path) / "uploads").glob(f"*{token}*"))
        uploads.discard(token, kind="xlsform")
        assert uploads.fetch(token, kind="xlsform", owner_id=1) is None


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/big.xml", b"0" * (120 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a workbook", "The file is not an Excel workbook (.xlsx)."),
        (b"PK\x03\x04\x00\x00garbage", "The file is damaged"),
        ("zip", "The workbook unpacks to too much data to be read."),
        ("nocontent", "The file is not an Excel workbook"),
        ("pyxform", "The XLSForm cannot be read"),
        ("big", "The file is larger than 0.01 MB."),
    ],
)
def test_refused_files(signed_in, app, db, data, message):
    if data == "zip":
        data = zip_bomb()
    elif data == "nocontent":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        data = buffer.getvalue()
    elif data == "pyxform":
        data = md_workbook(
            "| survey |\n| | type | name | label |\n| | select_one l | q | Q |\n"
            "| choices |\n| | list_name | name | label |\n| | l | a | A |\n| | l | a | A again |\n"
        )
    elif data == "big":
        app.config["SPREADSHEET_MAX_MB"] = 0.01
        data = md_workbook(SIMPLE_FORM) + b"\0" * 20_000
    response = signed_in.post_form(
        "/consultations/import-xlsform", upload(data), content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert message in text(response)
    assert count_consultations(db) == 0


def test_pyxform_refusal_shows_sheet_and_row(signed_in):
    data = md_workbook(
        "| survey |\n| | type | name | label |\n| | select_one l | q | Q |\n"
        "| choices |\n| | list_name | name | label |\n| | l | a | A |\n| | l | a | A again |\n"
    )
    page = text(
        signed_in.post_form(
            "/consultations/import-xlsform", upload(data), content_type="multipart/form-data"
        )
    )
    assert "Sheet Row Reason choices" in page


def test_download_as_xlsform(signed_in, consultation, section, author):
    add(section, author, "q1")
    response = signed_in.get(f"/consultations/{consultation.slug}/xlsform.xlsx")
    assert response.status_code == 200
    assert f"{consultation.slug}.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert {"survey", "choices", "settings"} <= set(workbook.sheetnames)
