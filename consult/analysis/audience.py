"""Who a consultation is for (its audience), for the analysis: the rules live in
`consult.surveys.audience_rules`, which imports no Flask."""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import Organisation
from consult.surveys.audience_rules import audience_select
from consult.surveys.models import Consultation


def audience_conditions(consultation: Consultation) -> list:
    """WHERE conditions on `organisations` selecting the consultation's audience."""
    return [Organisation.id.in_(audience_select(consultation))]


def audience_query(consultation: Consultation) -> sa.Select:
    """`SELECT organisations…` of the authorities in the audience (add columns, count, join)."""
    return sa.select(Organisation).where(*audience_conditions(consultation))
