"""Free texts (short and long answers, "other, please specify"): the ones that may be published.

A text is listed only when its respondent consented to publication (`public_named` or
`public_anonymous`); only `public_named` ones carry the authority's name. With a breakdown, texts
of groups whose count is suppressed are left out (their group label would otherwise give away
what the suppression hides), and with fewer than k respondents in the view none are listed.
"""

from __future__ import annotations

import sqlalchemy as sa

from consult.accounts.models import Organisation, association_members
from consult.analysis import tallied
from consult.analysis.base import attribute, like_pattern, lower_text, responses
from consult.analysis.choices import answers, grouped
from consult.analysis.results import TextAnswer, TextPage
from consult.analysis.spec import Dimension
from consult.analysis.tables import Context, assemble
from consult.surveys.models import Consent, OptionRole, Question

organisations = Organisation.__table__
PUBLIC = (Consent.PUBLIC_NAMED.value, Consent.PUBLIC_ANONYMOUS.value)


def _text_conditions(question: Question, other: bool) -> list:
    conditions = [answers.c.question_id == question.id, answers.c.value_text.is_not(None)]
    if other:
        ids = [o.id for o in question.options if o.role == OptionRole.OPTION and o.is_other]
        conditions.append(answers.c.option_id.in_(ids))
    return conditions


def published_groups(ctx: Context, question: Question, other: bool = False):
    """(nothing may be listed, keys of the groups whose texts may be listed or None for all)."""
    where = _text_conditions(question, other)[1:]
    counts, group_n = {}, {}
    for grp, count in grouped(ctx, question.id, where=where):
        counts[("texts", grp)] = count
        group_n[grp] = count
    n = sum(group_n.values())
    if ctx.overlapping:
        n = sum(c for _, c in grouped(ctx, question.id, where=where, total=True))
    table = assemble(ctx, [("texts", {}, "texts")], counts, group_n, n, row_totals={"texts": n})
    if table.all_hidden:
        return True, []
    if not ctx.breakdown:
        return False, None
    cells = table.rows[0].cells
    keys = [
        g.key
        for g, cell in zip(table.groups, cells, strict=True)
        if not (g.suppressed or cell.suppressed)
    ]
    return False, keys


def _group_condition(ctx: Context, keys: list):
    dimension = ctx.spec.breakdown
    named = [k for k in keys if k is not None]
    if dimension == Dimension.ASSOCIATION:
        member_of = sa.exists().where(
            association_members.c.authority_id == responses.c.authority_id,
            association_members.c.association_id.in_(named),
        )
        if None in keys:
            alone = ~sa.exists().where(
                association_members.c.authority_id == responses.c.authority_id
            )
            return sa.or_(member_of, alone)
        return member_of
    expression = attribute(dimension)
    condition = expression.in_(named)
    return sa.or_(condition, expression.is_(None)) if None in keys else condition


def _listing(ctx: Context, question: Question, *, other: bool, search: str, keys):
    conditions = [
        *ctx.conditions,
        *_text_conditions(question, other),
        responses.c.consent.in_(PUBLIC),
    ]
    if keys is not None:
        conditions.append(_group_condition(ctx, keys))
    if search.strip():
        pattern = like_pattern(search.strip())
        conditions.append(lower_text(ctx.session, answers.c.value_text).like(pattern, escape="\\"))
    return conditions


def _source():
    return answers.join(responses, answers.c.response_id == responses.c.id).join(
        organisations, organisations.c.id == responses.c.authority_id
    )


def _total(ctx: Context, question: Question, *, other: bool, search: str, keys) -> int:
    """The number of texts listed: from the tallies when there is no search (a sum over a few
    rows instead of a scan of the question's answers)."""
    if ctx.tallied and not search.strip():
        conditions = [*_text_conditions(question, other), responses.c.consent.in_(PUBLIC)]
        if keys is not None:
            conditions.append(_group_condition(ctx, keys))
        try:
            return tallied.count(ctx, question.id, conditions)
        except tallied.NotTallied:
            pass
    conditions = _listing(ctx, question, other=other, search=search, keys=keys)
    return ctx.session.scalar(sa.select(sa.func.count()).select_from(_source()).where(*conditions))


def publishable_count(ctx: Context, question: Question, table=None, *, other: bool = False) -> int:
    hidden, keys = published_groups(ctx, question, other)
    if hidden:
        return 0
    return _total(ctx, question, other=other, search="", keys=keys)


def text_page(
    ctx: Context,
    question: Question,
    *,
    page: int = 1,
    per_page: int = 20,
    search: str = "",
    other: bool = False,
) -> TextPage:
    """One page of publishable texts, oldest submission first; `search` is a case-insensitive
    substring."""
    page, per_page = max(1, int(page)), max(1, min(int(per_page), 500))
    hidden, keys = published_groups(ctx, question, other)
    if hidden:
        return TextPage((), 0, page, per_page, search)
    conditions = _listing(ctx, question, other=other, search=search, keys=keys)
    total = _total(ctx, question, other=other, search=search, keys=keys)
    partition = ctx.breakdown and ctx.spec.breakdown.partitions
    group = attribute(ctx.spec.breakdown) if partition else sa.null()
    stmt = (
        sa.select(
            answers.c.value_text,
            responses.c.id,
            responses.c.consent,
            organisations.c.name,
            group.label("grp"),
        )
        .select_from(_source())
        .where(*conditions)
        .order_by(responses.c.submitted_at, answers.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = tuple(
        TextAnswer(
            text=text,
            authority=name if consent == Consent.PUBLIC_NAMED.value else None,
            group=ctx.group_label(grp) if partition else None,
            response_id=response_id if consent == Consent.PUBLIC_NAMED.value else None,
        )
        for text, response_id, consent, name, grp in ctx.session.execute(stmt)
    )
    return TextPage(items, total, page, per_page, search)
