"""API: the questionnaire as one document — get, replace, XLSForm."""

from __future__ import annotations

import io

from consult.surveys.models import Question
from consult.surveys.xlsform import export_xlsform
from tests.api.conftest import assert_problem
from tests.factories import ConsultationFactory

DOCUMENT = {
    "sections": [
        {
            "title": {"en": "Housing", "fr": "Logement"},
            "intro": {},
            "questions": [
                {
                    "code": "tenure",
                    "type": "single_choice",
                    "label": {"en": "Tenure?", "fr": "Statut ?"},
                    "required": True,
                    "options": [
                        {"code": "own", "label": {"en": "Own"}},
                        {"code": "rent", "label": {"en": "Rent"}},
                    ],
                },
                {
                    "code": "rent_level",
                    "type": "number",
                    "label": {"en": "Monthly rent?"},
                    "settings": {"min": 0},
                    "relevant": "${tenure} = 'rent'",
                },
            ],
        }
    ]
}


def test_get_gives_the_whole_document_with_conditions_and_translations(
    api, people, open_consultation
):
    body = api(people["respondent"]).get("consultations/open-one/questionnaire").get_json()
    question = body["sections"][0]["questions"][0]
    assert question["code"] == "housing" and [o["code"] for o in question["options"]] == [
        "yes",
        "no",
    ]
    assert_problem(api(people["other_respondent"]).get("consultations/open-one/questionnaire"), 404)


def test_put_replaces_a_draft_s_questionnaire(api, people, db):
    draft = ConsultationFactory(association=people["author"].organisation, slug="draft-q")
    response = api(people["author"]).put("consultations/draft-q/questionnaire", json=DOCUMENT)
    assert response.status_code == 200, response.get_json()
    second = response.get_json()["sections"][0]["questions"][1]
    assert second["relevant"] == "${tenure} = 'rent'"
    assert second["relevant_ast"] is not None
    codes = [q.code for q in db.session.query(Question).filter_by(consultation_id=draft.id)]
    assert sorted(codes) == ["rent_level", "tenure"]
    again = api(people["author"]).get("consultations/draft-q/questionnaire").get_json()
    assert again == response.get_json()


def test_put_refuses_what_the_builder_refuses_and_writes_nothing(api, people, db):
    ConsultationFactory(association=people["author"].organisation, slug="draft-q")
    caller = api(people["author"])
    bad = {
        "sections": [
            {
                "questions": [
                    {"code": "a", "type": "yes_no"},
                    {"code": "a", "type": "yes_no", "relevant": "${zzz} = 1"},
                ]
            }
        ]
    }
    body = assert_problem(caller.put("consultations/draft-q/questionnaire", json=bad), 422)
    assert body["errors"] and any("question a" in key for key in body["errors"])
    body = assert_problem(
        caller.put("consultations/draft-q/questionnaire", json={"sections": [], "x": 1}), 422
    )
    assert "x" in body["errors"]
    body = assert_problem(
        caller.put(
            "consultations/draft-q/questionnaire",
            json={"sections": [{"questions": [{"code": "q", "type": "teleport"}]}]},
        ),
        422,
    )
    assert "sections.0.questions.0.type" in body["errors"]
    assert db.session.query(Question).count() == 0


def test_put_is_refused_once_opened_and_for_others(api, people, open_consultation):
    assert_problem(
        api(people["author"]).put("consultations/open-one/questionnaire", json=DOCUMENT), 409
    )
    ConsultationFactory(association=people["author"].organisation, slug="draft-q")
    assert_problem(
        api(people["admin"]).put("consultations/draft-q/questionnaire", json=DOCUMENT), 403
    )
    assert_problem(
        api(people["other_author"]).put("consultations/draft-q/questionnaire", json=DOCUMENT),
        404,
    )


def test_xlsform_upload_replaces_the_draft_s_questionnaire(api, people, open_consultation, db):
    workbook = export_xlsform(open_consultation)
    ConsultationFactory(association=people["author"].organisation, slug="from-xls")
    caller = api(people["author"])
    response = caller.post(
        "consultations/from-xls/questionnaire/xlsform",
        data={"file": (io.BytesIO(workbook), "form.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    codes = [q["code"] for q in response.get_json()["sections"][0]["questions"]]
    assert codes == ["housing", "budget"]
    body = assert_problem(
        caller.post(
            "consultations/from-xls/questionnaire/xlsform",
            data={"file": (io.BytesIO(b"not a workbook"), "form.xlsx")},
            content_type="multipart/form-data",
        ),
        422,
    )
    assert "file" in body["errors"]
    assert_problem(
        caller.post(
            "consultations/from-xls/questionnaire/xlsform",
            data={},
            content_type="multipart/form-data",
        ),
        400,
    )
