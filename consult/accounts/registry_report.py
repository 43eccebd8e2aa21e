"""The report of a registry import: problems with their line and column, and the counts.

Problems keep a code and its values rather than a sentence, so the report (kept as JSON in the
job row) is shown in the language of whoever reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

MAX_PROBLEMS_KEPT = 1000
REPORT_PROBLEMS = 50

MESSAGES = {
    "empty": _l("The file is empty."),
    "no_rows": _l("The file has a header line but no authorities."),
    "not_utf8": _l(
        "The file is not UTF-8 text (byte %(byte)s). Save it as “CSV UTF-8” and try again."
    ),
    "unreadable": _l("This line cannot be read as CSV: %(error)s."),
    "bad_header": _l(
        "The header line is not one we know: %(missing)s missing. Use our columns (%(ours)s) or "
        "Eurostat's LAU file as it is."
    ),
    "duplicate_column": _l("The column “%(column)s” appears more than once."),
    "field_count": _l("This line has %(found)d fields; the header has %(expected)d."),
    "required": _l("The value is missing."),
    "unknown_country": _l(
        "“%(value)s” is not a country code we know; use Eurostat's two-letter codes, e.g. FR, "
        "DE, EL."
    ),
    "bad_lau": _l(
        "“%(value)s” is not a LAU code: use letters, digits, dots, hyphens or underscores."
    ),
    "too_long": _l("The value has %(length)d characters; at most %(max)d are allowed."),
    "control_chars": _l("The value contains control characters."),
    "bad_nuts": _l(
        "“%(value)s” is not a NUTS code: two capital letters and up to three letters or digits, "
        "e.g. FR101."
    ),
    "nuts_country": _l("The NUTS code %(value)s is not in %(country)s."),
    "bad_population": _l(
        "“%(value)s” is not a population: use a whole number of 0 or more, without separators."
    ),
    "population_too_large": _l("%(value)s is too large for a population."),
    "bad_degurba": _l(
        "“%(value)s” is not a degree of urbanisation: use 1 (city), 2 (town or suburb), "
        "3 (rural area), 9 or nothing (unknown)."
    ),
    "bad_level": _l("“%(value)s” is not a level: use municipality, intermediate or region."),
    "duplicate_row": _l("%(country)s %(lau_code)s is already on line %(first)d."),
    "not_authority": _l(
        "%(country)s %(lau_code)s belongs to “%(name)s”, which is not an authority."
    ),
    "conflict": _l(
        "The registry changed while this file was being imported; nothing was saved. Try again."
    ),
}


@dataclass(frozen=True)
class Problem:
    """One problem: line number (1 is the header), column name (None: the whole line)."""

    line: int
    column: str | None
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """The problem in the current interface language."""
        template = MESSAGES.get(self.code)
        if template is None:  # a report stored by another version
            return self.code
        return str(template) % self.params

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "code": self.code, "params": self.params}


@dataclass
class ImportReport:
    """What an import found and did; kept as JSON in the job row."""

    layout: str | None = None
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    saved: bool = False
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, line: int, column: str | None, code: str, /, **params) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(Problem(line, column, code, params))

    def as_dict(self, max_problems: int = REPORT_PROBLEMS) -> dict:
        return {
            "layout": self.layout,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "saved": self.saved,
            "problem_count": self.problem_count,
            "problems": [p.as_dict() for p in self.problems[:max_problems]],
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data and k != "problems"}
        problems = [Problem(**p) for p in data.get("problems", [])]
        return cls(**values, problems=problems)
