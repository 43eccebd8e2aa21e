"""The SQL every aggregate starts from: the submitted responses of a consultation, filtered, with
the breakdown group of each.

`respondents()` gives a subquery with `response_id` and `grp` (the group key, or NULL). It is
joined to `answers` and grouped; nothing loops over responses in Python.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.accounts.models import association_members
from consult.analysis.spec import Dimension, Filters, ResultSpec
from consult.surveys.models import Option, Question, QuestionType, Response, ResponseStatus

responses = Response.__table__
questions = Question.__table__
options = Option.__table__


class UnknownFilter(ValueError):
    """A filter names a question or an option the consultation does not have."""


def tune_for_results(session: Session) -> None:
    """On PostgreSQL, for the rest of the transaction: room to group and sort in memory (a
    number question groups up to one row per distinct value and group, which spills to disk at
    the default 4 MB), and no JIT compilation (at a million responses it took 1.1 s of the 1.4 s
    participation query; these queries are short scans that never repay it)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL work_mem = '64MB'"))
        session.execute(sa.text("SET LOCAL jit = off"))


def nuts_prefix(column, length: int):
    """The first `length` characters of a NUTS code, or NULL when it is shorter."""
    return sa.case(
        (sa.func.length(column) >= length, sa.func.substr(column, 1, length)), else_=None
    )


def attribute(dimension: Dimension, table=responses):
    """The SQL expression of a (non-association) dimension on a table with authority attributes."""
    return {
        Dimension.COUNTRY: lambda: table.c.country,
        Dimension.NUTS1: lambda: nuts_prefix(table.c.nuts_code, 3),
        Dimension.NUTS2: lambda: nuts_prefix(table.c.nuts_code, 4),
        Dimension.LEVEL: lambda: table.c.level,
        Dimension.SIZE_CLASS: lambda: table.c.size_class,
        Dimension.URBANISATION: lambda: table.c.urbanisation,
    }[dimension]()


def attribute_conditions(filters: Filters, table=responses, authority_id=None) -> list:
    """WHERE conditions for the attribute filters (not the answer filters)."""
    conditions = []
    pairs = (
        (filters.countries, Dimension.COUNTRY),
        (filters.nuts1, Dimension.NUTS1),
        (filters.nuts2, Dimension.NUTS2),
        (filters.levels, Dimension.LEVEL),
        (filters.size_classes, Dimension.SIZE_CLASS),
        (filters.urbanisations, Dimension.URBANISATION),
    )
    for values, dimension in pairs:
        if values:
            conditions.append(attribute(dimension, table).in_(values))
    if filters.associations:
        authority = authority_id if authority_id is not None else table.c.authority_id
        conditions.append(
            sa.exists()
            .where(association_members.c.authority_id == authority)
            .where(association_members.c.association_id.in_(filters.associations))
        )
    return conditions


def answer_conditions(session: Session, consultation_id: int, filters: Filters) -> list:
    """EXISTS conditions on `responses.id` for the answer filters."""
    from consult.surveys.models import Answer

    conditions = []
    for index, answer_filter in enumerate(filters.answers):
        answers = Answer.__table__.alias(f"filter_answers_{index}")
        question = session.execute(
            sa.select(questions.c.id, questions.c.type).where(
                questions.c.consultation_id == consultation_id,
                questions.c.code == answer_filter.question,
            )
        ).first()
        if question is None:
            raise UnknownFilter(f"no question {answer_filter.question!r}")
        match = answers.c.question_id == question.id
        kind = QuestionType(question.type)
        if kind == QuestionType.YES_NO:
            if not set(answer_filter.values) <= {"yes", "no"}:
                raise UnknownFilter(
                    f"{answer_filter.question}: yes/no filter {answer_filter.values}"
                )
            nums = [1.0 if v == "yes" else 0.0 for v in answer_filter.values]
            match = sa.and_(match, answers.c.value_num.in_(nums))
        elif kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            ids = session.scalars(
                sa.select(options.c.id).where(
                    options.c.question_id == question.id,
                    options.c.code.in_(answer_filter.values),
                )
            ).all()
            if len(ids) != len(answer_filter.values):
                raise UnknownFilter(f"{answer_filter.question}: unknown option in filter")
            match = sa.and_(match, answers.c.option_id.in_(ids))
        else:
            raise UnknownFilter(
                f"{answer_filter.question}: only choice and yes/no questions filter"
            )
        # IN (uncorrelated subquery): one index range scan on (question_id, …) per query, not
        # one probe per response (SQLite runs a correlated EXISTS row by row).
        conditions.append(responses.c.id.in_(sa.select(answers.c.response_id).where(match)))
    return conditions


def respondent_conditions(session: Session, consultation_id: int, filters: Filters) -> list:
    """WHERE conditions on `responses`: submitted, of the consultation, passing the filters."""
    return [
        responses.c.consultation_id == consultation_id,
        responses.c.status == ResponseStatus.SUBMITTED.value,
        *attribute_conditions(filters),
        *answer_conditions(session, consultation_id, filters),
    ]


def respondents(session: Session, consultation_id: int, spec: ResultSpec, conditions=None):
    """Submitted, filtered responses as a subquery (`response_id`, `grp`).

    With the association breakdown a response appears once per association of its authority
    (and once with `grp` NULL when it belongs to none).
    """
    if conditions is None:
        conditions = respondent_conditions(session, consultation_id, spec.filters)
    if spec.breakdown is None:
        group = sa.null()
        source = responses
    elif spec.breakdown == Dimension.ASSOCIATION:
        group = association_members.c.association_id
        source = responses.outerjoin(
            association_members, association_members.c.authority_id == responses.c.authority_id
        )
    else:
        group = attribute(spec.breakdown)
        source = responses
    return (
        sa.select(responses.c.id.label("response_id"), group.label("grp"))
        .select_from(source)
        .where(*conditions)
        .subquery("resp")
    )


def lower_text(session: Session, column):
    """`lower(column)` that folds non-ASCII letters the same way on SQLite as on PostgreSQL."""
    if session.get_bind().dialect.name != "sqlite":
        return sa.func.lower(column)
    raw = session.connection().connection.driver_connection
    raw.create_function("consult_lower", 1, _lower, deterministic=True)
    return sa.func.consult_lower(column)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def like_pattern(text: str) -> str:
    """A LIKE pattern (escape `\\`) for a case-insensitive substring search."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
