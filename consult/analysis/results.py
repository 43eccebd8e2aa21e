"""What the analysis returns: plain, frozen dataclasses (the contract for pages, report, exports).

Counts are respondents (authorities) unless said otherwise. A suppressed figure has `count` and
`share` None and `suppressed` True. Labels are translations ``{language: text}``; generated labels
(scale points without a label, bins, months) use the key ``""``; `label_text()` picks one.

Every result with a breakdown has `groups` (the columns), and each row has one `Cell` per group in
the same order, plus `total` for the whole (filtered) set of respondents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

Label = dict[str, str]


def label_text(label: Label | None, language: str | None, default_language: str = "en") -> str:
    """A label in `language`, else the default language, else any text it has."""
    if not label:
        return ""
    if language and label.get(language):
        return label[language]
    return label.get(default_language) or next((v for v in label.values() if v), "")


@dataclass(frozen=True)
class Cell:
    """A count and its share of the base (respondents who answered, in its group)."""

    count: int | None
    share: float | None
    suppressed: bool = False
    share_of_selections: float | None = None  # multiple choice only

    @classmethod
    def hidden(cls) -> Cell:
        return cls(None, None, True)


@dataclass(frozen=True)
class Group:
    """A column of a breakdown: a value of the dimension (None: unknown / no association)."""

    key: str | int | None
    label: str
    n: int | None  # respondents of this group who answered the question
    suppressed: bool = False


@dataclass(frozen=True)
class Row:
    """One line of a distribution: an option, a scale point, a bin, a month."""

    key: str
    label: Label
    total: Cell
    cells: tuple[Cell, ...] = ()


@dataclass(frozen=True)
class Stats:
    """Summary of numeric answers (scale points excluding "don't know", numbers, ranks).

    Quartiles and median: linear interpolation between order statistics (R's type 7, the
    definition of PostgreSQL's `percentile_cont`): the p-quantile of n sorted values x₁…xₙ is
    x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋₊₁ − x_⌊h⌋) with h = (n − 1)p + 1.
    """

    n: int | None
    mean: float | None = None
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    min: float | None = None
    max: float | None = None
    suppressed: bool = False

    @classmethod
    def hidden(cls) -> Stats:
        return cls(None, suppressed=True)


@dataclass(frozen=True, kw_only=True)
class QuestionResult:
    """What every question's result has."""

    question_id: int
    code: str
    type: str
    label: Label
    default_language: str
    k: int
    n: int | None  # respondents who answered (None when suppressed)
    groups: tuple[Group, ...] = ()
    breakdown: str | None = None
    suppressed: bool = False  # the whole result is hidden (fewer than k respondents)
    any_suppressed: bool = False  # at least one figure is hidden


@dataclass(frozen=True, kw_only=True)
class ChoiceResult(QuestionResult):
    """Single choice, yes/no and multiple choice: one row per option ("yes"/"no" for yes/no).

    Shares are of respondents who answered. For multiple choice `selections` counts the options
    selected (total and per group), and each cell's `share_of_selections` is its part of them.
    """

    rows: tuple[Row, ...]
    selections: Cell | None = None
    group_selections: tuple[Cell, ...] = ()
    other_texts: int = 0  # "other, please specify" texts given


@dataclass(frozen=True, kw_only=True)
class ScaleRows:
    """The distribution of one scale (a scale question, or one row of a matrix)."""

    key: str
    label: Label
    rows: tuple[Row, ...]  # one per point, shares of all who answered (don't know included)
    dont_know: Row | None  # None when the scale offers no "don't know"
    stats: Stats  # over points only
    group_stats: tuple[Stats, ...] = ()
    n: int | None = None
    group_n: tuple[int | None, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScaleResult(QuestionResult):
    """A scale question (`scales` has one item) or a matrix (one item per matrix row)."""

    points: tuple[int, ...]
    point_labels: tuple[Label, ...]
    scales: tuple[ScaleRows, ...]

    @property
    def scale(self) -> ScaleRows:
        return self.scales[0]


@dataclass(frozen=True, kw_only=True)
class RankedOption:
    key: str
    label: Label
    first: Row  # respondents ranking it first, share of respondents who answered
    ranked: int | None  # respondents who ranked it at all
    mean_rank: float | None
    group_mean_rank: tuple[float | None, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RankingResult(QuestionResult):
    options: tuple[RankedOption, ...]


@dataclass(frozen=True, kw_only=True)
class NumberResult(QuestionResult):
    """Numbers: summary and a histogram (`bins`, edges in `edges`: bin i is [eᵢ, eᵢ₊₁), the last
    one closed)."""

    stats: Stats
    group_stats: tuple[Stats, ...]
    edges: tuple[float, ...]
    bins: tuple[Row, ...]


@dataclass(frozen=True, kw_only=True)
class DateResult(QuestionResult):
    """Dates by month ("YYYY-MM" keys, ascending; months with no answer left out)."""

    months: tuple[Row, ...]
    first: date | None = None
    last: date | None = None


@dataclass(frozen=True, kw_only=True)
class TextResult(QuestionResult):
    """Short and long texts: how many answered, and how many may be published."""

    answered: Row
    publishable: int | None


@dataclass(frozen=True)
class TextAnswer:
    text: str
    authority: str | None  # only when the respondent consented to publication with its name
    group: str | None = None  # the breakdown group's label, with a breakdown
    response_id: int | None = None  # named texts only


@dataclass(frozen=True)
class TextPage:
    """One page of the publishable texts of a question (or of its "other" texts)."""

    items: tuple[TextAnswer, ...]
    total: int
    page: int
    per_page: int
    search: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class NoteResult:
    question_id: int
    code: str
    type: str = "note"


@dataclass(frozen=True)
class ParticipationRow:
    """Participation of one group (or of all): audience, invited, started, submitted, rate.

    `started` counts responses in any state; `rate` is submitted / audience.
    """

    key: str | None
    label: str
    audience: int
    invited: int
    started: Cell
    submitted: Cell
    rate: float | None


@dataclass(frozen=True)
class Participation:
    total: ParticipationRow
    by: dict[str, tuple[ParticipationRow, ...]]  # dimension name → rows
    k: int
    any_suppressed: bool = False
