"""Choice questions (single, multiple, yes/no), rankings and text counts: one or two GROUP BY
queries per question over `answers` joined to the filtered respondents."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from consult.analysis import tallied
from consult.analysis.results import (
    Cell,
    ChoiceResult,
    RankedOption,
    RankingResult,
    TextResult,
)
from consult.analysis.tables import Context, assemble
from consult.surveys.models import Answer, OptionRole, Question, QuestionType

answers = Answer.__table__

YES = {
    "bg": "Да", "cs": "Ano", "da": "Ja", "de": "Ja", "el": "Ναι", "en": "Yes", "es": "Sí",
    "et": "Jah", "fi": "Kyllä", "fr": "Oui", "ga": "Tá", "hr": "Da", "hu": "Igen", "it": "Sì",
    "lt": "Taip", "lv": "Jā", "mt": "Iva", "nl": "Ja", "pl": "Tak", "pt": "Sim", "ro": "Da",
    "sk": "Áno", "sl": "Da", "sv": "Ja",
}  # fmt: skip
NO = {
    "bg": "Не", "cs": "Ne", "da": "Nej", "de": "Nein", "el": "Όχι", "en": "No", "es": "No",
    "et": "Ei", "fi": "Ei", "fr": "Non", "ga": "Níl", "hr": "Ne", "hu": "Nem", "it": "No",
    "lt": "Ne", "lv": "Nē", "mt": "Le", "nl": "Nee", "pl": "Nie", "pt": "Não", "ro": "Nu",
    "sk": "Nie", "sl": "Ne", "sv": "Nej",
}  # fmt: skip


def grouped(ctx: Context, question_id: int, keys=(), *, measures=None, where=(), total=False):
    """Rows of (*keys, grp, *measures) for one question, grouped by the keys and the group."""
    measures = measures if measures is not None else [sa.func.count().label("count")]
    if ctx.tallied:
        try:
            return tallied.grouped(
                ctx, question_id, keys, measures=measures, where=where, total=total
            )
        except tallied.NotTallied:
            pass  # this aggregate scans the answers
    resp = ctx.resp_total if total else ctx.resp
    stmt = (
        sa.select(*keys, resp.c.grp, *measures)
        .select_from(answers.join(resp, answers.c.response_id == resp.c.response_id))
        .where(answers.c.question_id == question_id, *where)
        .group_by(*keys, resp.c.grp)
    )
    return ctx.session.execute(stmt).all()


def base_fields(ctx: Context, question: Question, table) -> dict:
    return {
        "question_id": question.id,
        "code": question.code,
        "type": question.type.value,
        "label": question.label,
        "default_language": ctx.default_language,
        "k": ctx.k,
        "n": table.n,
        "groups": table.groups,
        "breakdown": ctx.spec.breakdown.value if ctx.breakdown else None,
        "suppressed": table.all_hidden,
        "any_suppressed": table.any_hidden,
    }


def choice_options(question: Question):
    return [o for o in question.options if o.role == OptionRole.OPTION]


def single_choice(ctx: Context, question: Question) -> ChoiceResult:
    """Single choice and yes/no: respondents per option, shares of those who answered."""
    if question.type == QuestionType.YES_NO:
        key = answers.c.value_num
        rows = [("yes", YES, 1.0), ("no", NO, 0.0)]
    else:
        key = answers.c.option_id
        rows = [(o.code, o.label, o.id) for o in choice_options(question)]
    measures = [sa.func.count().label("count"), sa.func.count(answers.c.value_text).label("texts")]
    counts, group_n, texts = {}, defaultdict(int), 0
    for row_id, grp, count, text_count in grouped(ctx, question.id, [key], measures=measures):
        counts[(row_id, grp)] = count
        group_n[grp] += count
        texts += text_count
    row_totals, n = None, sum(group_n.values())
    if ctx.overlapping:
        total_rows = grouped(ctx, question.id, [key], measures=measures, total=True)
        row_totals = {row_id: count for row_id, _, count, _ in total_rows}
        n = sum(row_totals.values())
        texts = sum(t for *_, t in total_rows)
    table = assemble(ctx, rows, counts, group_n, n, row_totals=row_totals)
    return ChoiceResult(
        **base_fields(ctx, question, table),
        rows=table.rows,
        other_texts=texts if not table.all_hidden else 0,
    )


def multiple_choice(ctx: Context, question: Question) -> ChoiceResult:
    """Respondents selecting each option (share of respondents who answered), and selections."""
    rows = [(o.code, o.label, o.id) for o in choice_options(question)]
    measures = [sa.func.count().label("count"), sa.func.count(answers.c.value_text).label("texts")]
    counts, selections, texts = {}, defaultdict(int), 0
    for option_id, grp, count, text_count in grouped(
        ctx, question.id, [answers.c.option_id], measures=measures
    ):
        counts[(option_id, grp)] = count
        selections[grp] += count
        texts += text_count
    distinct = [sa.func.count(sa.distinct(answers.c.response_id)).label("n")]
    group_n = {grp: n for grp, n in grouped(ctx, question.id, measures=distinct)}
    row_totals, n = None, sum(group_n.values())
    if ctx.overlapping:
        total_rows = grouped(ctx, question.id, [answers.c.option_id], measures=measures, total=True)
        row_totals = {option_id: count for option_id, _, count, _ in total_rows}
        texts = sum(t for *_, t in total_rows)
        n = sum(n for _, n in grouped(ctx, question.id, measures=distinct, total=True))
    total_selections = sum(row_totals.values()) if row_totals else sum(selections.values())
    table = assemble(
        ctx,
        rows,
        counts,
        group_n,
        n,
        row_totals=row_totals,
        group_selections=selections,
        selections=total_selections,
    )
    hidden = table.all_hidden
    group_cells = tuple(
        Cell.hidden() if group.suppressed else Cell(selections.get(key, 0), None)
        for key, group in zip(table.group_keys, table.groups, strict=True)
    )
    return ChoiceResult(
        **base_fields(ctx, question, table),
        rows=table.rows,
        selections=Cell.hidden() if hidden else Cell(total_selections, None),
        group_selections=group_cells,
        other_texts=texts if not hidden else 0,
    )


def ranking(ctx: Context, question: Question) -> RankingResult:
    """Share ranking each option first, and its mean rank (1 = first)."""
    options = choice_options(question)
    measures = [
        sa.func.count().label("ranked"),
        sa.func.sum(answers.c.value_num).label("rank_sum"),
        sa.func.sum(sa.case((answers.c.value_num == 1, 1), else_=0)).label("firsts"),
    ]
    firsts, ranked, rank_sums, group_n = {}, {}, {}, defaultdict(int)
    for option_id, grp, count, rank_sum, first in grouped(
        ctx, question.id, [answers.c.option_id], measures=measures
    ):
        firsts[(option_id, grp)] = first
        ranked[(option_id, grp)] = count
        rank_sums[(option_id, grp)] = rank_sum
        group_n[grp] += first
    total_ranked: dict = defaultdict(int)
    total_sums: dict = defaultdict(float)
    row_totals = None
    if ctx.overlapping:
        row_totals = {}
        for option_id, _, count, rank_sum, first in grouped(
            ctx, question.id, [answers.c.option_id], measures=measures, total=True
        ):
            row_totals[option_id], total_ranked[option_id] = first, count
            total_sums[option_id] = rank_sum
        n = sum(row_totals.values())
    else:
        for (option_id, _), count in ranked.items():
            total_ranked[option_id] += count
            total_sums[option_id] += rank_sums[(option_id, _)]
        n = sum(group_n.values())
    rows = [(o.code, o.label, o.id) for o in options]
    table = assemble(ctx, rows, firsts, group_n, n, row_totals=row_totals)
    cell_level = ctx.spec.cell_level and not ctx.show_unsuppressed
    out = []
    for option, row in zip(options, table.rows, strict=True):
        count = total_ranked.get(option.id, 0)
        shown = table.total_complete and not (cell_level and count < ctx.k)
        group_means = tuple(
            _mean(rank_sums.get((option.id, key)), ranked.get((option.id, key), 0))
            if complete and not (ranked.get((option.id, key), 0) < ctx.k and cell_level)
            else None
            for key, complete in zip(table.group_keys, table.group_complete, strict=True)
        )
        out.append(
            RankedOption(
                key=option.code,
                label=option.label,
                first=row,
                ranked=count if shown else None,
                mean_rank=_mean(total_sums.get(option.id), count) if shown else None,
                group_mean_rank=group_means,
            )
        )
    return RankingResult(**base_fields(ctx, question, table), options=tuple(out))


def _mean(total, count):
    return total / count if count and total is not None else None


def text_counts(ctx: Context, question: Question) -> TextResult:
    """How many answered a text question (per group), and how many texts may be published."""
    from consult.analysis.texts import publishable_count

    counts, group_n = {}, {}
    where = [answers.c.value_text.is_not(None)]
    for grp, count in grouped(ctx, question.id, where=where):
        counts[("answered", grp)] = count
        group_n[grp] = count
    n = sum(group_n.values())
    if ctx.overlapping:
        n = sum(c for _, c in grouped(ctx, question.id, where=where, total=True))
    rows = [("answered", {"": "Answered"}, "answered")]
    table = assemble(ctx, rows, counts, group_n, n, row_totals={"answered": n})
    publishable = None
    if not table.all_hidden:
        publishable = publishable_count(ctx, question, table)
    return TextResult(
        **base_fields(ctx, question, table), answered=table.rows[0], publishable=publishable
    )
