"""The report's notable differences come from the figures shown, with a stated threshold."""

from __future__ import annotations

from consult.analysis.questions import question_result
from consult.analysis.report import NOTABLE_SHARE, build_report, differences
from consult.analysis.spec import Dimension, ResultSpec
from consult.extensions import db
from tests.analysis.builders import Survey


def urban_rural(survey, rural_yes: int, city_yes: int, each: int = 10):
    """Rural and city authorities; on the 2-point scale rural ones answer 2 eight times in ten,
    cities twice in ten (means 1.8 and 1.2)."""
    for index in range(each):
        rural = survey.authority(urbanisation="rural")
        city = survey.authority(urbanisation="city")
        rural_agree, city_agree = (2 if index < 8 else 1), (2 if index < 2 else 1)
        survey.respond(rural, {"need": "yes" if index < rural_yes else "no", "agree": rural_agree})
        survey.respond(city, {"need": "yes" if index < city_yes else "no", "agree": city_agree})


def test_a_large_gap_between_rural_and_city_is_notable(app):
    survey = Survey(k=2)
    survey.question("need", "yes_no")
    survey.question("agree", "scale", settings={"points": 2})
    urban_rural(survey, rural_yes=7, city_yes=3)
    spec = ResultSpec(Dimension.URBANISATION)
    need = question_result(db.session, survey.questions["need"], spec)
    found = differences(need, Dimension.URBANISATION, True, "en")
    yes = next(d for d in found if d.item == "Yes")
    assert (yes.value_a, yes.value_b, yes.n_a, yes.n_b) == (0.7, 0.3, 10, 10)
    assert yes.a_higher and round(yes.gap, 6) == 0.4
    no = next(d for d in found if d.item == "No")
    assert not no.a_higher
    agree = question_result(db.session, survey.questions["agree"], spec)
    (mean,) = differences(agree, Dimension.URBANISATION, True, "en")
    assert (mean.measure, mean.value_a, mean.value_b) == ("mean", 1.8, 1.2)


def test_small_gaps_and_hidden_groups_say_nothing(app):
    survey = Survey(k=2)
    survey.question("need", "yes_no")
    survey.question("agree", "scale", settings={"points": 2})
    urban_rural(survey, rural_yes=5, city_yes=5)  # equal shares
    spec = ResultSpec(Dimension.URBANISATION)
    need = question_result(db.session, survey.questions["need"], spec)
    assert differences(need, Dimension.URBANISATION, True, "en") == []
    # One city only: below k = 2 in a k = 6 consultation, nothing is compared.
    other = Survey(k=6)
    other.question("need", "yes_no")
    for _ in range(6):
        other.respond(other.authority(urbanisation="rural"), {"need": "yes"})
    other.respond(other.authority(urbanisation="city"), {"need": "no"})
    result = question_result(db.session, other.questions["need"], spec)
    assert differences(result, Dimension.URBANISATION, True, "en") == []


def test_threshold_is_inclusive_and_documented():
    assert NOTABLE_SHARE == 0.15


def test_build_report_lists_differences_per_question(app):
    survey = Survey(k=2)
    survey.question("need", "yes_no")
    survey.question("agree", "scale", settings={"points": 2})
    urban_rural(survey, rural_yes=7, city_yes=3)
    steps = []
    report = build_report(db.session, survey.consultation, progress=lambda d, t: steps.append(d))
    assert steps[0] == 0 and steps[-1] == len(report.questions) + 2
    need = report.questions[0]
    assert need.code == "need" and need.svg.startswith("<svg")
    assert {d.dimension for d in need.differences} == {"urbanisation"}
    assert 'id="q-' in need.svg and 'id="p-country' in report.participation_charts[0][1]
