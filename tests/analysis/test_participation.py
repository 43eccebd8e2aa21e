"""Participation and the audience query."""

from __future__ import annotations

import sqlalchemy as sa

from consult.analysis.audience import audience_query
from consult.analysis.participation import participation
from consult.analysis.spec import AnswerFilter, Filters, ResultSpec
from consult.extensions import db
from consult.surveys.models import AudienceMember, AudienceMode, Invitation, ResponseStatus
from tests.analysis.builders import Survey, association_with


def ids(consultation):
    return set(
        db.session.scalars(
            audience_query(consultation).with_only_columns(sa.text("organisations.id"))
        )
    )


def test_audience_by_criteria_and_by_list(app):
    survey = Survey()
    fr = [survey.authority(country="FR", population=3_000) for _ in range(3)]
    de = [survey.authority(country="DE", population=300_000) for _ in range(2)]
    inactive = survey.authority(country="FR", active=False)
    association_with(*fr[:2], de[0])  # another association
    consultation = survey.consultation
    consultation.audience_criteria = {"countries": ["FR", "DE"], "members_only": False}
    assert {a.id for a in fr + de} <= ids(consultation) and inactive.id not in ids(consultation)
    consultation.audience_criteria = {
        "countries": ["fr"],
        "size_classes": ["lt5k"],
        "members_only": False,
    }
    assert ids(consultation) & {a.id for a in fr + de} == {a.id for a in fr}
    # members_only (the default) keeps the owning association's members.
    db.session.execute(
        sa.insert(
            sa.table("association_members", sa.column("association_id"), sa.column("authority_id"))
        ),
        [
            {"association_id": consultation.association_id, "authority_id": a.id}
            for a in (fr[0], de[1])
        ],
    )
    consultation.audience_criteria = {}
    assert ids(consultation) == {fr[0].id, de[1].id}
    consultation.audience_mode = AudienceMode.LIST
    db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=de[0].id))
    db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=inactive.id))
    db.session.flush()
    assert ids(consultation) == {de[0].id}


def test_participation_counts_rates_and_suppression(app):
    survey = Survey(k=3)
    survey.question("yn", "yes_no")
    consultation = survey.consultation
    consultation.audience_criteria = {"members_only": False, "countries": ["FR", "DE", "IT"]}
    fr = [survey.authority(country="FR") for _ in range(8)]
    de = [survey.authority(country="DE", level="region", population=900_000) for _ in range(4)]
    it = [survey.authority(country="IT") for _ in range(2)]
    for authority in fr + de + it:
        db.session.add(Invitation(consultation_id=consultation.id, authority_id=authority.id))
    db.session.commit()
    for authority in fr[:6]:
        survey.respond(authority, {"yn": "yes"})
    survey.respond(fr[6], {}, status=ResponseStatus.DRAFT)
    for authority in de[:3]:
        survey.respond(authority, {"yn": "no"})
    survey.respond(it[0], {"yn": "yes"})

    result = participation(db.session, consultation)
    assert (result.total.audience, result.total.invited) == (14, 14)
    assert (result.total.started.count, result.total.submitted.count) == (11, 10)
    assert result.total.rate == 10 / 14
    by_country = {row.key: row for row in result.by["country"]}
    assert by_country["FR"].submitted.count == 6 and by_country["FR"].rate == 6 / 8
    # IT has 1 submission (< 3): hidden, and so is the next smallest (DE, 3) so IT cannot be
    # recovered as 10 - 6 - 3.
    assert by_country["IT"].submitted.suppressed and by_country["IT"].rate is None
    assert by_country["DE"].submitted.suppressed
    assert by_country["IT"].audience == 2 and by_country["IT"].invited == 2
    levels = {row.key: row for row in result.by["level"]}
    assert levels["region"].audience == 4
    assert result.any_suppressed

    unsuppressed = participation(db.session, consultation, show_unsuppressed=True)
    assert {r.key: r.submitted.count for r in unsuppressed.by["country"]} == {
        "DE": 3,
        "FR": 6,
        "IT": 1,
    }

    # Answer filters apply to submitted counts; attribute filters to everything.
    spec = ResultSpec(None, Filters(answers=(AnswerFilter("yn", ("yes",)),)))
    filtered = participation(db.session, consultation, spec, show_unsuppressed=True)
    assert filtered.total.submitted.count == 7 and filtered.total.started.count == 11
    spec = ResultSpec(None, Filters(countries=("FR",)))
    france = participation(db.session, consultation, spec)
    assert (france.total.audience, france.total.started.count, france.total.submitted.count) == (
        8,
        7,
        6,
    )
