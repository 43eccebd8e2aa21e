"""Participation: audience, invited, started, submitted and response rate, overall and by country,
level, size class and urbanisation. Three GROUP BY queries (audience, invitations, responses),
each over the four attributes at once; the per-dimension sums are taken over their few rows.

Audience and invitations are grouped by the authorities' current attributes; responses by the
attributes frozen at their last submission (the current ones for responses never submitted).
Attribute filters apply to all four counts; answer filters to the submitted count only (drafts
have no answers), so the rate is then "submitted and answered so". Started and submitted counts
by group are suppressed below k with complements (`suppress_line`), and so is a total below k; a
rate is hidden with its submitted count. Audience and invitations are not about respondents and
are shown.
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.accounts.models import Organisation
from consult.analysis.audience import audience_conditions
from consult.analysis.base import (
    answer_conditions,
    attribute,
    attribute_conditions,
    tune_for_results,
)
from consult.analysis.labels import group_labels, group_order
from consult.analysis.results import Cell, Participation, ParticipationRow
from consult.analysis.spec import Dimension, ResultSpec
from consult.analysis.suppression import suppress_line
from consult.surveys.models import Consultation, Invitation, Response, ResponseStatus

DIMENSIONS = (Dimension.COUNTRY, Dimension.LEVEL, Dimension.SIZE_CLASS, Dimension.URBANISATION)
ATTRIBUTES = ("country", "nuts_code", "level", "size_class", "urbanisation")
organisations = Organisation.__table__
responses = Response.__table__
invitations = Invitation.__table__


def _combos(session: Session, table, measures, conditions) -> list:
    keys = [attribute(d, table) for d in DIMENSIONS]
    stmt = sa.select(*keys, *measures).where(*conditions).group_by(*keys)
    return session.execute(stmt).all()


def _plain(value):
    return getattr(value, "value", value)


def participation(
    session: Session,
    consultation: Consultation | int,
    spec: ResultSpec | None = None,
    *,
    show_unsuppressed: bool = False,
) -> Participation:
    if not isinstance(consultation, Consultation):
        consultation = session.get(Consultation, consultation)
    spec = spec or ResultSpec()
    filters, k = spec.filters, consultation.k_threshold
    tune_for_results(session)

    audience = (
        sa.select(
            *(organisations.c[a] for a in ATTRIBUTES), organisations.c.id.label("authority_id")
        )
        .where(*audience_conditions(consultation))
        .subquery("aud")
    )
    invited = (
        sa.select(
            *(organisations.c[a] for a in ATTRIBUTES), organisations.c.id.label("authority_id")
        )
        .select_from(
            invitations.join(organisations, organisations.c.id == invitations.c.authority_id)
        )
        .where(invitations.c.consultation_id == consultation.id)
        .subquery("inv")
    )
    passes = answer_conditions(session, consultation.id, filters)
    submitted = responses.c.status == ResponseStatus.SUBMITTED.value
    # Frozen attributes for responses ever submitted (no join: a million responses are read
    # once), the authority's current ones for drafts never submitted.
    flag = sa.case((sa.and_(submitted, *passes), 1), else_=0).label("submitted")
    started = sa.union_all(
        sa.select(*(responses.c[a] for a in ATTRIBUTES), responses.c.authority_id, flag).where(
            responses.c.consultation_id == consultation.id, responses.c.submitted_at.is_not(None)
        ),
        sa.select(*(organisations.c[a] for a in ATTRIBUTES), responses.c.authority_id, flag)
        .select_from(responses.join(organisations, organisations.c.id == responses.c.authority_id))
        .where(responses.c.consultation_id == consultation.id, responses.c.submitted_at.is_(None)),
    ).subquery("rs")
    counts: dict[str, dict] = {name: defaultdict(int) for name in ("aud", "inv", "start", "sub")}

    def add(measure, row_keys, value):
        counts[measure][None] += value
        for dimension, key in zip(DIMENSIONS, row_keys, strict=True):
            counts[measure][(dimension, _plain(key))] += value

    count = [sa.func.count()]
    for *keys, value in _combos(session, audience, count, attribute_conditions(filters, audience)):
        add("aud", keys, value)
    for *keys, value in _combos(session, invited, count, attribute_conditions(filters, invited)):
        add("inv", keys, value)
    measures = [sa.func.count(), sa.func.sum(started.c.submitted)]
    for *keys, n_started, n_submitted in _combos(
        session, started, measures, attribute_conditions(filters, started)
    ):
        add("start", keys, n_started)
        add("sub", keys, int(n_submitted or 0))

    hide = not show_unsuppressed
    total_hidden = {m: hide and counts[m][None] < k for m in ("start", "sub")}
    total = _row(None, "All", counts, None, total_hidden)
    by = {}
    for dimension in DIMENSIONS:
        keys = sorted(
            {
                key
                for measure in counts.values()
                for (d, key) in (x for x in measure if x is not None)
                if d == dimension
            },
            key=lambda key, d=dimension: group_order(d, key),
        )
        labels = group_labels(session, dimension, keys)
        hidden = {}
        for measure in ("start", "sub"):
            values = [counts[measure].get((dimension, key), 0) for key in keys]
            if not hide:
                hidden[measure] = (False,) * len(keys)
            elif total_hidden[measure]:
                hidden[measure] = (True,) * len(keys)
            else:
                hidden[measure] = suppress_line(values, counts[measure][None], k)
        by[dimension.value] = tuple(
            _row(key, labels[key], counts, (dimension, key), {m: hidden[m][j] for m in hidden})
            for j, key in enumerate(keys)
        )
    any_hidden = any(total_hidden.values()) or any(
        r.started.suppressed or r.submitted.suppressed for rows in by.values() for r in rows
    )
    return Participation(total=total, by=by, k=k, any_suppressed=any_hidden)


def _row(key, label, counts, index, hidden) -> ParticipationRow:
    audience = counts["aud"].get(index, 0)
    started, submitted = counts["start"].get(index, 0), counts["sub"].get(index, 0)
    started_cell = Cell.hidden() if hidden["start"] else Cell(started, None)
    if hidden["sub"]:
        submitted_cell, rate = Cell.hidden(), None
    else:
        rate = submitted / audience if audience else None
        submitted_cell = Cell(submitted, rate)
    return ParticipationRow(
        key=key,
        label=label,
        audience=audience,
        invited=counts["inv"].get(index, 0),
        started=started_cell,
        submitted=submitted_cell,
        rate=rate,
    )
