"""Writing the incremental aggregates of submitted answers (`answer_tallies`).

The responding services call `record()` in their own transaction: `-1` rows for the answer rows a
submission, amendment or withdrawal removes, `+1` rows for the ones it adds. Each call first bumps
the consultation's `answer_tally_states.version` (a row lock, so `compact()` and `rebuild()`,
which lock the same row, never interleave with a submission).

A consultation's tallies are complete only while its state row exists. It is created by the first
submission of a consultation that has no submitted response yet, or by `rebuild()` (a recount
from `answers`). Anything that writes answers another way (bulk loads, demo data) must call
`invalidate()`: results then scan `answers` until the next `rebuild()`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.db import utcnow
from consult.surveys.models import Answer, Response, ResponseStatus
from consult.surveys.tally_models import ANSWER, RESPONDENT, AnswerTally, AnswerTallyState

tallies = AnswerTally.__table__
states = AnswerTallyState.__table__
answers = Answer.__table__
responses = Response.__table__

ATTRIBUTES = ("consent", "country", "nuts_code", "level", "size_class", "urbanisation")
ANSWER_KEYS = ("option_id", "row_id", "value_num", "value_date", "dont_know")
COLUMNS = (
    "consultation_id",
    "question_id",
    "kind",
    *ANSWER_KEYS,
    "has_text",
    *ATTRIBUTES,
    "delta",
)


def is_complete(session: Session, consultation_id: int) -> bool:
    """Whether results of the consultation may be read from its tallies."""
    return (
        session.scalar(
            sa.select(sa.literal(True)).where(states.c.consultation_id == consultation_id)
        )
        is not None
    )


def state_version(session: Session, consultation_id: int) -> int | None:
    """The tallies' change counter, or None when they are incomplete."""
    return session.scalar(
        sa.select(states.c.version).where(states.c.consultation_id == consultation_id)
    )


def _sources(where, sign: int | None) -> list[sa.Select]:
    """INSERT … SELECT sources of the answer rows and the respondent rows of the answers
    matching `where`: one row per answer with `sign`, or (`sign` None) counted groups."""
    # Only as fine as the results need, so that rows merge: NUTS codes to their NUTS 2 prefix
    # (breakdowns and filters go down to NUTS 2), consent only where a text was given
    # (it decides which texts may be published).
    nuts2 = sa.func.substr(responses.c.nuts_code, 1, 4)
    attrs = [nuts2 if name == "nuts_code" else responses.c[name] for name in ATTRIBUTES[1:]]
    text_consent = sa.case((answers.c.value_text.is_not(None), responses.c.consent))
    join = answers.join(responses, responses.c.id == answers.c.response_id)
    row_keys = [
        responses.c.consultation_id,
        answers.c.question_id,
        sa.literal(ANSWER, sa.SmallInteger),
        *(answers.c[name] for name in ANSWER_KEYS),
        answers.c.value_text.is_not(None),
        text_consent,
        *attrs,
    ]
    person_keys = [
        responses.c.consultation_id,
        answers.c.question_id,
        sa.literal(RESPONDENT, sa.SmallInteger),
        sa.cast(sa.null(), sa.Integer),
        sa.cast(sa.null(), sa.Integer),
        sa.cast(sa.null(), sa.Float),
        sa.cast(sa.null(), sa.Date),
        sa.false(),
        sa.false(),
        sa.cast(sa.null(), sa.String),
        *attrs,
    ]
    if sign is not None:
        return [
            sa.select(*row_keys, sa.literal(sign)).select_from(join).where(where),
            sa.select(*person_keys, sa.literal(sign)).select_from(join).where(where).distinct(),
        ]
    row_groups = [c for c in row_keys if not isinstance(c, sa.sql.elements.BindParameter)]
    return [  # ordered: each question's rows together on disk
        sa.select(*row_keys, sa.func.count())
        .select_from(join)
        .where(where)
        .group_by(*row_groups)
        .order_by(answers.c.question_id),
        sa.select(*person_keys, sa.func.count(sa.distinct(answers.c.response_id)))
        .select_from(join)
        .where(where)
        .group_by(responses.c.consultation_id, answers.c.question_id, *attrs)
        .order_by(answers.c.question_id),
    ]


def _bump(session: Session, consultation_id: int) -> bool:
    """Count a change (locking the state row until commit); False when there is no state."""
    result = session.execute(
        sa.update(states)
        .where(states.c.consultation_id == consultation_id)
        .values(version=states.c.version + 1)
    )
    return result.rowcount == 1


def record(session: Session, response_id: int, sign: int) -> None:
    """Add the response's current answer rows to the tallies with `sign`: -1 before a service
    deletes or replaces them (with the response's attributes and consent before the change),
    +1 after it inserted the new ones (flushed). Then call `finish()` before committing."""
    for source in _sources(answers.c.response_id == response_id, sign):
        session.execute(sa.insert(tallies).from_select(list(COLUMNS), source))


def finish(session: Session, consultation_id: int, response_id: int) -> bool:
    """The last statement before a service commits a change of submitted answers: count it in
    the state's version (the row stays locked until commit, so compaction never interleaves).
    Starts the tallies of a consultation whose only submitted response is this one. Returns
    whether the consultation's tallies are complete."""
    if _bump(session, consultation_id):
        return True
    others = session.scalar(
        sa.select(sa.func.count()).where(
            responses.c.consultation_id == consultation_id,
            responses.c.status == ResponseStatus.SUBMITTED.value,
            responses.c.id != response_id,
        )
    )
    if others:
        return False
    session.execute(sa.delete(tallies).where(tallies.c.consultation_id == consultation_id))
    session.execute(_insert_ignore(session).values(consultation_id=consultation_id, version=0))
    record(session, response_id, +1)
    return _bump(session, consultation_id)


def _insert_ignore(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(states).on_conflict_do_nothing()


def _lock_state(session: Session, consultation_id: int) -> None:
    """Create (if needed) and lock the consultation's state row until the transaction ends."""
    exists = session.execute(
        sa.select(states.c.consultation_id)
        .where(states.c.consultation_id == consultation_id)
        .with_for_update()
    ).first()
    if exists is None:
        session.execute(_insert_ignore(session).values(consultation_id=consultation_id, version=0))
        session.execute(
            sa.select(states.c.consultation_id)
            .where(states.c.consultation_id == consultation_id)
            .with_for_update()
        )


def rebuild(session: Session, consultation_id: int) -> int:
    """Recount the consultation's tallies from its submitted answers (after a bulk load, or to
    repair); commits and returns the number of tally rows."""
    _lock_state(session, consultation_id)
    session.execute(sa.delete(tallies).where(tallies.c.consultation_id == consultation_id))
    where = sa.and_(
        responses.c.consultation_id == consultation_id,
        responses.c.status == ResponseStatus.SUBMITTED.value,
    )
    for source in _sources(where, None):
        session.execute(sa.insert(tallies).from_select(list(COLUMNS), source))
    session.execute(
        sa.update(states)
        .where(states.c.consultation_id == consultation_id)
        .values(version=states.c.version + 1, rebuilt_at=utcnow())
    )
    count = _count(session, consultation_id)
    session.commit()
    return count


def compact(session: Session, consultation_id: int) -> tuple[int, int]:
    """Merge the consultation's +1/-1 rows into one row per distinct key (dropping zeros);
    commits and returns (rows before, rows after). Results are unchanged; incomplete tallies
    are left alone."""
    locked = session.execute(
        sa.select(states.c.consultation_id)
        .where(states.c.consultation_id == consultation_id)
        .with_for_update()
    ).first()
    if locked is None:
        session.rollback()
        return 0, 0
    before = _count(session, consultation_id)
    keys = [tallies.c[name] for name in COLUMNS if name != "delta"]
    merged = (
        sa.select(*keys, sa.func.sum(tallies.c.delta).label("delta"))
        .where(tallies.c.consultation_id == consultation_id)
        .group_by(*keys)
        .having(sa.func.sum(tallies.c.delta) != 0)
    )
    bind = session.get_bind()
    sql = str(merged.compile(bind, compile_kwargs={"literal_binds": True}))
    session.execute(sa.text(f"CREATE TEMPORARY TABLE tally_merge AS {sql}"))
    session.execute(sa.delete(tallies).where(tallies.c.consultation_id == consultation_id))
    merge = sa.table("tally_merge", *(sa.column(name) for name in COLUMNS))
    session.execute(sa.insert(tallies).from_select(list(COLUMNS), sa.select(*merge.c)))
    session.execute(sa.text("DROP TABLE tally_merge"))
    after = _count(session, consultation_id)
    session.commit()
    return before, after


def invalidate(session: Session, consultation_id: int) -> None:
    """Mark the tallies incomplete (answers were written around the services); no commit."""
    session.execute(sa.delete(states).where(states.c.consultation_id == consultation_id))
    session.execute(sa.delete(tallies).where(tallies.c.consultation_id == consultation_id))


def _count(session: Session, consultation_id: int) -> int:
    return session.scalar(
        sa.select(sa.func.count()).where(tallies.c.consultation_id == consultation_id)
    )


def vacuum(session: Session) -> None:
    """After a rebuild or a compaction on PostgreSQL: rewrite the table in question order
    (CLUSTER; submissions wait for it, seconds at a million responses) and refresh the planner's
    statistics, so each question's rows lie on a few pages instead of among freed space."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return
    session.commit()
    with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("CLUSTER answer_tallies USING ix_answer_tallies_question"))
        conn.execute(sa.text("ANALYZE answer_tallies"))
