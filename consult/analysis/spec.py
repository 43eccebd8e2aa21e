"""What to compute: the breakdown and the filters of a results view (`ResultSpec`).

Several values in one filter mean *any of them*; different filters must all hold. Filters on
authority attributes use the attributes frozen on the response at submission (association
membership is the authority's current one). Every filter applies to every aggregate.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field


class Dimension(enum.StrEnum):
    """A way to split respondents into groups."""

    COUNTRY = "country"
    NUTS1 = "nuts1"
    NUTS2 = "nuts2"
    LEVEL = "level"
    SIZE_CLASS = "size_class"
    URBANISATION = "urbanisation"
    ASSOCIATION = "association"

    @property
    def partitions(self) -> bool:
        """True when every respondent falls in exactly one group (None counts as a group).

        An authority can belong to several associations, or none, so association groups overlap.
        """
        return self is not Dimension.ASSOCIATION


@dataclass(frozen=True)
class AnswerFilter:
    """Respondents who answered `question` (a code) with any of `values`.

    Values are option codes for single and multiple choice, and "yes"/"no" for yes/no questions.
    """

    question: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(sorted(set(self.values))))


@dataclass(frozen=True)
class Filters:
    countries: tuple[str, ...] = ()
    nuts1: tuple[str, ...] = ()
    nuts2: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    size_classes: tuple[str, ...] = ()
    urbanisations: tuple[str, ...] = ()
    associations: tuple[int, ...] = ()  # association organisation ids
    answers: tuple[AnswerFilter, ...] = ()

    def __post_init__(self) -> None:
        # Canonical order, so equal filters have equal keys (cache) whatever order they came in.
        for name in ("countries", "nuts1", "nuts2", "levels", "size_classes", "urbanisations"):
            object.__setattr__(self, name, tuple(sorted({str(v) for v in getattr(self, name)})))
        object.__setattr__(self, "associations", tuple(sorted({int(v) for v in self.associations})))
        answers = sorted(self.answers, key=lambda f: (f.question, f.values))
        object.__setattr__(self, "answers", tuple(answers))

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def as_dict(self) -> dict:
        data = {
            name: list(getattr(self, name))
            for name in self.__dataclass_fields__
            if name != "answers" and getattr(self, name)
        }
        if self.answers:
            data["answers"] = [
                {"question": f.question, "values": list(f.values)} for f in self.answers
            ]
        return data


@dataclass(frozen=True)
class ResultSpec:
    """A results view: an optional breakdown and filters."""

    breakdown: Dimension | None = None
    filters: Filters = field(default_factory=Filters)

    def __post_init__(self) -> None:
        if self.breakdown is not None:
            object.__setattr__(self, "breakdown", Dimension(self.breakdown))

    @property
    def cell_level(self) -> bool:
        """Whether figures are cells of a larger table (a breakdown, or a filtered subset).

        A filtered view is one cell of the breakdown by that filter: small counts in it are
        suppressed as they would be in the breakdown, or the filter would undo the suppression.
        """
        return self.breakdown is not None or self.filters.active

    def key(self) -> str:
        """A canonical string for cache keys."""
        return json.dumps(
            {"breakdown": self.breakdown.value if self.breakdown else None}
            | self.filters.as_dict(),
            sort_keys=True,
            separators=(",", ":"),
        )

    def without_breakdown(self) -> ResultSpec:
        return ResultSpec(None, self.filters)
