"""XLSForm: export, import, round trip over every type, real-world forms, partial imports, CLI.

Workbooks are written here with openpyxl (markdown tables through pyxform's own converter, as
pyxform's test suite does); no binary fixture is committed.
"""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from pyxform.xls2json_backends import md_table_to_workbook

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from consult.surveys.documents import load_document
from consult.surveys.models import Consultation, Question
from consult.surveys.xlsform import (
    XLSFormError,
    XLSFormImportRefused,
    export_xlsform,
    import_xlsform,
    read_xlsform,
)
from tests.factories import AssociationFactory, ConsultationFactory, UserFactory
from tests.surveys.test_documents import full_document


def md_workbook(md: str) -> bytes:
    buffer = io.BytesIO()
    md_table_to_workbook(md).save(buffer)
    return buffer.getvalue()


@pytest.fixture
def author(db):
    return UserFactory(role=Role.AUTHOR)


@pytest.fixture
def consultation(author):
    consultation = ConsultationFactory(association=author.organisation)
    qs.replace_questionnaire(consultation, full_document(), actor=author)
    return consultation


def test_round_trip_every_type(consultation, author):
    data = export_xlsform(consultation)
    imported, report = import_xlsform(data, association=author.organisation, actor=author)
    assert report == []
    assert imported.languages == ["en", "fr"] and imported.default_language == "en"
    assert qs.questionnaire_document(imported) == qs.questionnaire_document(consultation)
    assert imported.title == {"en": "Consultation 1"} or imported.title["en"]
    types = {q.type.value for q in imported.questions}
    assert types == {
        "note", "single_choice", "multiple_choice", "yes_no", "scale", "matrix", "ranking",
        "number", "short_text", "long_text", "date",
    }  # fmt: skip


def test_round_trip_edge_cases(db, author):
    """Labels that look like formulas, codes that clash with generated names, a question coded
    yes_no, shared and distinct scale lists, unlabelled points, a French default language."""
    t = lambda text: {"fr": text, "de": text + " (de)"}  # noqa: E731
    document = {
        "sections": [
            {
                "title": t("=SUM(A1)"),
                "questions": [
                    {
                        "code": "yes_no",
                        "type": "single_choice",
                        "label": t("+danger"),
                        "options": [
                            {"code": "yes", "label": t("-1")},
                            {"code": "no", "label": t("@x")},
                        ],
                    },
                    {"code": "section_1", "type": "yes_no", "label": t("Clash"), "required": True},
                    {"code": "s1", "type": "scale", "label": t("A"), "settings": {"points": 7}},
                    {"code": "s2", "type": "scale", "label": t("B"), "settings": {"points": 7}},
                    {
                        "code": "s3",
                        "type": "scale",
                        "label": t("C"),
                        "settings": {
                            "points": 3,
                            "start": 0,
                            "labels": {"0": {"fr": "Zéro"}},
                            "dont_know": True,
                        },
                    },
                    {
                        "code": "m",
                        "type": "matrix",
                        "label": t("M"),
                        "required": True,
                        "relevant": "${section_1} = 'no'",
                        "settings": {
                            "points": 3,
                            "start": 0,
                            "labels": {"0": {"fr": "Zéro"}},
                            "dont_know": True,
                        },
                        "rows": [
                            {"code": "1", "label": t("one")},
                            {"code": "x.y", "label": t("xy")},
                        ],
                    },
                    {"code": "m_other", "type": "short_text", "label": t("Not an other text")},
                    {
                        "code": "pick",
                        "type": "single_choice",
                        "label": t("Pick"),
                        "options": [{"code": "1", "label": t("1")}, {"code": "2", "label": t("2")}],
                    },
                    {
                        "code": "n",
                        "type": "number",
                        "label": t("N"),
                        "settings": {"min": 0.5},
                        "relevant": "${pick} = '2' and ${s1} >= 3",
                    },
                ],
            },
            {"title": t("Empty"), "intro": t("Nothing here"), "questions": []},
        ]
    }
    consultation = ConsultationFactory(
        association=author.organisation, languages=["fr", "de"], default_language="fr"
    )
    qs.replace_questionnaire(consultation, document, actor=author)
    data = export_xlsform(consultation)
    sheet = load_workbook(io.BytesIO(data))["survey"]
    assert sheet["C2"].value == "=SUM(A1)" and sheet["C2"].data_type == "s"
    imported, report = import_xlsform(data, association=author.organisation, actor=author)
    assert report == []
    assert imported.default_language == "fr" and imported.languages == ["fr", "de"]
    assert qs.questionnaire_document(imported) == qs.questionnaire_document(consultation)


def test_export_passes_pyxform_to_xform(consultation):
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    warnings = []
    form = workbook_to_json(
        workbook_dict=get_xlsform(io.BytesIO(export_xlsform(consultation))),
        form_name="data",
        warnings=warnings,
    )
    xml = create_survey_element_from_dict(form).to_xml()
    assert "<h:title>" in xml and warnings == []


# A typical ODK household survey: metadata, groups, a repeat, GPS, a calculation, a cascading
# select, or_other, constraints simple and not, plain and language-coded labels.
REAL_WORLD = """
| survey |
| | type | name | label | label::Français (fr) | hint | required | relevant | constraint | constraint_message | appearance | choice_filter | calculation |
| | start | start | | | | | | | | | | |
| | deviceid | deviceid | | | | | | | | | | |
| | begin group | respondent | Respondent | Répondant | | | | | | field-list | | |
| | text | name | Name of the municipality | Nom de la commune | Official name | yes | | string-length(.) <= 120 | Too long | | | |
| | integer | population | Population | Population | | true | | . >= 0 and . <= 10000000 | Positive | | | |
| | decimal | share | Share of migrants (%) | Part des migrants (%) | | | ${population} > 0 | . >= 0 and . <= 100 | | | | |
| | select_one yn | has_plan | Integration plan? | Plan d'intégration ? | | yes | | | | | | |
| | date | adopted | Adopted on | Adopté le | | | ${has_plan} = 'yes' | . >= date('1990-01-01') | | | | |
| | select_multiple topics | topics | Topics | Thèmes | | | selected(${has_plan}, 'yes') | count-selected(.) >= 1 | | minimal | | |
| | text | topics_other | Other topic | Autre thème | | | selected(${topics}, 'other') | | | | | |
| | end group | | | | | | | | | | | |
| | begin group | satisfaction | Satisfaction | Satisfaction | | | | | | table-list | | |
| | select_one agree5 | sat_housing | Housing | Logement | | | | | | | | |
| | select_one agree5 | sat_jobs | Jobs | Emploi | | | | | | | | |
| | end group | | | | | | | | | | | |
| | select_one agree5 | overall | Overall | Global | | | | | | likert | | |
| | begin repeat | projects | Projects | Projets | | | | | | | | |
| | text | project_name | Project | Projet | | | | | | | | |
| | end repeat | | | | | | | | | | | |
| | geopoint | location | Location | Lieu | | | | | | | | |
| | calculate | density | | | | | | | | | | ${population} div 10 |
| | select_one region | region | Region | Région | | | | | | | | |
| | select_one district | district | District | District | | | | | | | region=${region} | |
| | integer | budget | Budget | Budget | | | | . mod 100 = 0 | | | | |
| | text | comment | Comment | Commentaire | | | ${density} > 5 | | | multiline | | |
| | note | thanks | Thank you | Merci | | | | | | | | |
| choices |
| | list_name | name | label | label::Français (fr) | region |
| | yn | yes | Yes | Oui | |
| | yn | no | No | Non | |
| | topics | housing | Housing | Logement | |
| | topics | jobs | Jobs | Emploi | |
| | topics | other | Other | Autre | |
| | agree5 | 1 | Strongly disagree | Pas du tout d'accord | |
| | agree5 | 2 | 2 | 2 | |
| | agree5 | 3 | 3 | 3 | |
| | agree5 | 4 | 4 | 4 | |
| | agree5 | 5 | Strongly agree | Tout à fait d'accord | |
| | region | north | North | Nord | |
| | region | south | South | Sud | |
| | district | d1 | District 1 | District 1 | north |
| | district | d2 | District 2 | District 2 | south |
| settings |
| | form_title | form_id | default_language |
| | Migrant integration survey | migrant_integration | English (en) |
"""  # noqa: E501


def test_real_world_form_is_refused_with_row_level_reasons(db, author):
    data = md_workbook(REAL_WORLD)
    with pytest.raises(XLSFormImportRefused) as error:
        import_xlsform(data, association=author.organisation, actor=author)
    blocking = {(i.row, i.reason.split(":")[0]) for i in error.value.report if i.blocking}
    reasons = " | ".join(str(i) for i in error.value.report)
    assert "survey row 18: Repeats are not supported" in reasons
    assert "survey row 21: Type geopoint is not supported" in reasons
    assert "survey row 22: Type calculate is not supported" in reasons
    assert "survey row 24: Column choice_filter is not supported" in reasons
    assert "survey row 25: The constraint . mod 100 = 0 is not imported" in reasons
    assert "Question comment is not imported" in reasons and "${density}" in reasons
    assert "survey row 2: start is form metadata" in reasons
    assert len(blocking) >= 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) == 0


def test_real_world_form_partial_import(db, author):
    data = md_workbook(REAL_WORLD)
    consultation, report = import_xlsform(
        data, association=author.organisation, actor=author, allow_partial=True
    )
    assert consultation.slug == "migrant-integration"
    assert consultation.title == {"en": "Migrant integration survey"}
    assert consultation.languages == ["en", "fr"]
    document = qs.questionnaire_document(consultation)
    by_code = {q["code"]: q for s in document["sections"] for q in s["questions"]}
    assert list(by_code) == [
        "name", "population", "share", "has_plan", "adopted", "topics", "satisfaction",
        "overall", "region", "district", "budget", "thanks",
    ]  # fmt: skip
    assert by_code["name"]["settings"] == {"max_length": 120} and by_code["name"]["required"]
    assert by_code["name"]["help"] == {"en": "Official name"}
    assert by_code["population"]["settings"] == {"integer": True, "min": 0, "max": 10000000}
    assert by_code["share"]["settings"] == {"min": 0, "max": 100}
    assert by_code["share"]["relevant"] == "${population} > 0"
    assert by_code["has_plan"]["type"] == "single_choice"  # list yn, not our yes_no list
    assert by_code["adopted"]["settings"] == {"min": "1990-01-01"}
    assert by_code["topics"]["settings"] == {"min_selections": 1}
    assert [o["is_other"] for o in by_code["topics"]["options"]] == [False, False, True]
    assert by_code["satisfaction"]["type"] == "matrix"
    assert [r["code"] for r in by_code["satisfaction"]["rows"]] == ["sat_housing", "sat_jobs"]
    assert by_code["overall"]["type"] == "scale"
    assert by_code["overall"]["settings"]["labels"]["5"] == {
        "en": "Strongly agree",
        "fr": "Tout à fait d'accord",
    }
    assert by_code["budget"]["settings"] == {"integer": True}
    assert by_code["population"]["label"] == {"en": "Population", "fr": "Population"}
    assert [s["title"]["en"] for s in document["sections"]] == [
        "Respondent",
        "Migrant integration survey",  # the questions outside any group
    ]
    assert qs.validate_questionnaire(consultation) is not None
    assert any(i.blocking for i in report)


def test_pyxform_refusal_is_reported_not_raised_raw(author):
    data = md_workbook(
        """
| survey |
| | type | name | label |
| | select_one l | q | Q |
| choices |
| | list_name | name | label |
| | l | a | A |
| | l | a | A again |
"""
    )
    with pytest.raises(XLSFormError) as error:
        import_xlsform(data, association=author.organisation, actor=author)
    assert error.value.report[0].sheet == "choices"
    assert "a" in error.value.message


def test_garbage_is_reported(author):
    with pytest.raises(XLSFormError, match="cannot be read"):
        import_xlsform(b"not a workbook", association=author.organisation, actor=author)


@pytest.mark.parametrize(
    "md",
    [
        # pyxform's own kinds of forms: cascading selects, nested groups, or_other, labels
        # without language, language names without codes, search() appearances.
        """
| survey |
| | type | name | label::English | label::French | hint::English |
| | select_one colors or_other | color | Color | Couleur | pick |
| | begin group | outer | Outer | Extérieur | |
| | begin group | inner | Inner | Intérieur | |
| | integer | age | Age | Âge | |
| | end group | | | | |
| | end group | | | | |
| choices |
| | list_name | name | label::English | label::French |
| | colors | red | Red | Rouge |
| | colors | blue | Blue | Bleu |
""",
        """
| survey |
| | type | name | label | relevant |
| | text | a | A | |
| | text | b | B | ${a} != '' and today() > '2020-01-01' |
| | image | photo | Photo | |
| | barcode | code | Code | |
| | time | t | T | |
| | select_one_from_file places.csv | place | Place | |
| | acknowledge | ok | OK | |
| | range | r | R | |
""",
        """
| survey |
| | type | name | label::Swahili (sw) | label::English (en) | required |
| | text | a | Jina | Name | ${b} = 'x' |
| | text | b | B | B | |
""",
    ],
)
def test_more_forms_import_or_report_without_crashing(author, md):
    form = read_xlsform(md_workbook(md))
    for item in form.items:
        assert item.sheet in ("survey", "choices", "settings", "workbook")
        assert item.reason
    consultation, _ = import_xlsform(
        md_workbook(md), association=author.organisation, actor=author, allow_partial=True
    )
    assert consultation.status.value == "draft"


def test_nested_groups_and_or_other(author):
    form = read_xlsform(
        md_workbook(
            """
| survey |
| | type | name | label::English | label::French | relevant |
| | select_one colors or_other | color | Color | Couleur | |
| | begin group | outer | Outer | Extérieur | |
| | begin group | inner | Inner | Intérieur | ${color} = 'red' |
| | integer | age | Age | Âge | ${color} != '' |
| | end group | | | | |
| | end group | | | | |
| choices |
| | list_name | name | label::English | label::French |
| | colors | red | Red | Rouge |
| | colors | blue | Blue | Bleu |
"""
        )
    )
    questions = [q for s in form.document["sections"] for q in s["questions"]]
    assert [o["code"] for o in questions[0]["options"]] == ["red", "blue", "other"]
    assert questions[0]["options"][2]["is_other"] is True
    assert questions[1]["relevant"] == "(${color} = 'red') and (${color} != '')"
    assert form.languages == ["en", "fr"]
    assert not any(i.blocking for i in form.items)
    assert "flattened" in form.items[0].reason and form.items[0].row == 4
    assert any("or_other" in i.reason for i in form.items)  # pyxform's own warning, passed on


def test_unsupported_types_are_each_reported(author):
    form = read_xlsform(
        md_workbook(
            """
| survey |
| | type | name | label |
| | text | a | A |
| | image | photo | Photo |
| | barcode | code | Code |
| | select_one_from_file places.csv | place | Place |
| | text | b | B |
"""
        )
    )
    rows = sorted(i.row for i in form.items if i.blocking)
    assert rows == [3, 4, 5]
    assert [q["code"] for q in form.document["sections"][0]["questions"]] == ["a", "b"]


def test_nothing_is_written_when_refused(db, author):
    data = md_workbook(
        """
| survey |
| | type | name | label |
| | text | a | A |
| | geopoint | g | G |
"""
    )
    with pytest.raises(XLSFormImportRefused):
        import_xlsform(data, association=author.organisation, actor=author)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 0


def test_cli_export_and_import(runner, consultation, author, tmp_path):
    path = tmp_path / "form.xlsx"
    result = runner.invoke(args=["export-xlsform", consultation.slug, str(path)])
    assert result.exit_code == 0, result.output
    association = author.organisation
    result = runner.invoke(
        args=["import-xlsform", str(path), "--association", association.slug, "--slug", "copy"]
    )
    assert result.exit_code == 0, result.output
    assert "copy" in result.output
    partial = tmp_path / "partial.xlsx"
    partial.write_bytes(md_workbook(REAL_WORLD))
    result = runner.invoke(args=["import-xlsform", str(partial), "--association", association.slug])
    assert result.exit_code != 0
    assert "survey row 21" in result.output and "--partial" in result.output
    result = runner.invoke(
        args=["import-xlsform", str(partial), "--association", association.slug, "--partial"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["import-xlsform", str(path), "--association", "nope"])
    assert result.exit_code != 0 and "nope" in result.output
    other = AssociationFactory()
    assert other.slug
    empty = Workbook()
    empty_path = tmp_path / "empty.xlsx"
    empty.save(empty_path)
    result = runner.invoke(args=["import-xlsform", str(empty_path), "--association", other.slug])
    assert result.exit_code != 0


def test_export_of_document_loaded_is_stable(consultation):
    first = export_xlsform(consultation)
    document = load_document(read_xlsform(first).document)
    assert document == load_document(qs.questionnaire_document(consultation))


def test_texts_over_the_limits_are_reported_not_raised(author):
    long_label = "x" * 3000
    form = read_xlsform(
        md_workbook(
            f"""
| survey |
| | type | name | label |
| | text | a | A |
| | text | b | {long_label} |
"""
        )
    )
    assert [q["code"] for q in form.document["sections"][0]["questions"]] == ["a"]
    assert any("Question b is not imported" in i.reason and i.blocking for i in form.items)
