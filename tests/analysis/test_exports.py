"""Data exports: every value equals a recount of what was submitted, the codebook matches the
columns, formulas are neutralised, consent is respected, and nothing is built in memory."""

from __future__ import annotations

import csv
import io
import json
import types

import pytest
from openpyxl import load_workbook

from consult.analysis import exports
from consult.extensions import db
from consult.surveys.models import Consent, ResponseStatus
from tests.analysis.builders import Survey

CONSENTS = (Consent.PUBLIC_NAMED, Consent.PUBLIC_ANONYMOUS, Consent.NOT_PUBLISHED)


def build(k: int = 3) -> tuple[Survey, list[dict]]:
    survey = Survey(k=k)
    survey.question("tool", "single_choice", options=("plan", "desk", "other"), other="other")
    survey.question("needs", "multiple_choice", options=("housing", "jobs", "else"), other="else")
    survey.question("funded", "yes_no")
    survey.question("agree", "scale", settings={"points": 5, "dont_know": True})
    survey.question(
        "rate", "matrix", rows=("schools", "health"), settings={"points": 4, "dont_know": True}
    )
    survey.question("rank", "ranking", options=("a", "b", "c"))
    survey.question("staff", "number", settings={"integer": True})
    survey.question("budget", "number")
    survey.question("story", "long_text")
    survey.question("since", "date")
    expected = []
    for i in range(12):
        country = ("FR", "IT", "DE")[i % 3]
        answers = {
            "tool": ("plan", "desk", "other")[i % 3],
            "needs": [("housing",), ("housing", "jobs"), ("else",)][i % 3],
            "funded": "yes" if i % 2 else "no",
            "agree": "dont_know" if i == 5 else 1 + i % 5,
            "rate": {"schools": 1 + i % 4, "health": "dont_know" if i % 4 == 0 else 2},
            "rank": ["c", "a", "b"] if i % 2 else ["a", "b"],
            "staff": -3 if i == 0 else i * 10,
            "budget": 1234.5 + i,
            "story": '=HYPERLINK("x")' if i == 1 else f'Story {i}, with "quotes"\nand a line',
            "since": f"2025-0{1 + i % 9}-15",
        }
        if i == 11:
            answers = {"funded": "yes"}  # answered one question only
        other = {"tool": f"@other {i}", "needs": f"+else {i}"}
        consent = CONSENTS[i % 3]
        authority = survey.authority(country=country, name=f"-Town {i}", nuts_code=f"{country}1")
        response = survey.respond(authority, answers, other, consent=consent)
        expected.append({"answers": answers, "other": other, "consent": consent, "r": response})
    # Drafts and withdrawn responses are not exported.
    survey.respond(survey.authority(), {"funded": "yes"}, status=ResponseStatus.DRAFT)
    return survey, expected


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


@pytest.fixture
def built(app):
    return build()


def test_csv_values_equal_what_was_submitted(built):
    survey, expected = built
    chunks = exports.csv_chunks(db.session, survey.consultation)
    assert isinstance(chunks, types.GeneratorType)
    rows = read_csv(b"".join(chunks))
    assert len(rows) == len(expected) == 12
    for row, exp in zip(rows, expected, strict=True):
        a = exp["answers"]
        public = exp["consent"] != Consent.NOT_PUBLISHED
        assert row["reference"] == (exp["r"].reference or "")
        assert row["consent"] == exp["consent"].value
        if "tool" not in a:
            assert all(row[c] == "" for c in row if c.startswith(("tool", "needs", "agree")))
            assert row["funded"] == "1"
            continue
        assert row["tool"] == a["tool"]
        assert row["tool_other"] == (
            ("'" + exp["other"]["tool"]) if a["tool"] == "other" and public else ""
        )
        for option in ("housing", "jobs", "else"):
            assert row[f"needs__{option}"] == ("1" if option in a["needs"] else "0")
        assert row["needs_other"] == (
            ("'" + exp["other"]["needs"]) if "else" in a["needs"] and public else ""
        )
        assert row["funded"] == ("1" if a["funded"] == "yes" else "0")
        if a["agree"] == "dont_know":
            assert (row["agree"], row["agree_dk"]) == ("", "1")
        else:
            assert (row["agree"], row["agree_dk"]) == (str(a["agree"]), "0")
        assert row["rate__schools"] == str(a["rate"]["schools"])
        assert row["rate__health_dk"] == ("1" if a["rate"]["health"] == "dont_know" else "0")
        for rank, option in enumerate(a["rank"], start=1):
            assert row[f"rank__{option}"] == str(rank)
        assert all(row[f"rank__{o}"] == "" for o in "abc" if o not in a["rank"])
        assert row["staff"] == str(a["staff"])  # -3: a number, not neutralised
        assert float(row["budget"]) == a["budget"]
        assert row["since"] == a["since"]
        story = a["story"]
        if not public:
            assert row["story"] == ""
        elif story.startswith("="):
            assert row["story"] == "'" + story
        else:
            assert row["story"] == story
        assert row["submitted_at"].endswith("Z") and "T" in row["submitted_at"]


def test_identity_and_attributes_follow_consent(built):
    survey, expected = built
    rows = read_csv(b"".join(exports.csv_chunks(db.session, survey.consultation)))
    for row, exp in zip(rows, expected, strict=True):
        authority = exp["r"].authority
        if exp["consent"] == Consent.PUBLIC_NAMED:
            assert row["authority_name"] == "'" + authority.name  # "-Town …" neutralised
            assert row["nuts_code"] == authority.nuts_code
            assert row["country"] == authority.country
        else:
            assert row["authority_name"] == row["lau_code"] == row["nuts_code"] == ""
    # k = 3: 8 unnamed responses, 2-3 per country: no combination reaches 3 except where the
    # country alone does; every released combination is shared by at least k unnamed rows.
    unnamed = [
        r for r, e in zip(rows, expected, strict=True) if e["consent"] != Consent.PUBLIC_NAMED
    ]
    combos: dict[tuple, int] = {}
    for row in unnamed:
        key = tuple(row[c] for c in ("country", "nuts2", "level", "size_class", "urbanisation"))
        combos[key] = combos.get(key, 0) + 1
    for key, count in combos.items():
        assert count >= 3 or not any(key), key


def test_generalisation_keeps_detail_where_groups_are_large(app):
    survey = Survey(k=3)
    survey.question("funded", "yes_no")
    for _ in range(4):
        authority = survey.authority(country="FR", nuts_code="FR10", urbanisation="city")
        survey.respond(authority, {"funded": "yes"}, consent=Consent.NOT_PUBLISHED)
    lone = survey.authority(country="FR", nuts_code="FR21", urbanisation="rural")
    survey.respond(lone, {"funded": "no"}, consent=Consent.NOT_PUBLISHED)
    rows = read_csv(b"".join(exports.csv_chunks(db.session, survey.consultation)))
    assert [r["nuts2"] for r in rows[:4]] == ["FR10"] * 4
    assert [r["urbanisation"] for r in rows[:4]] == ["city"] * 4
    # The lone rural authority shares nothing with k-1 others: every attribute withheld.
    assert (rows[4]["country"], rows[4]["nuts2"], rows[4]["urbanisation"]) == ("", "", "")


def test_codebook_describes_every_column_and_code(built):
    survey, _ = built
    data = b"".join(exports.csv_chunks(db.session, survey.consultation))
    header = next(csv.reader(io.StringIO(data.decode())))
    book = read_csv(b"".join(exports.codebook_chunks(db.session, survey.consultation)))
    described = [r["column"] for r in book if r["code"] == ""]
    assert described == header
    codes = {(r["column"], r["code"]) for r in book if r["code"]}
    assert {("tool", "plan"), ("tool", "other"), ("funded", "1"), ("agree", "5")} <= codes
    assert ("agree_dk", "1") in codes and ("consent", "not_published") in codes


def test_xlsx_has_data_and_codebook_sheets(built, tmp_path):
    survey, _ = built
    path = tmp_path / "export.xlsx"
    assert exports.write_xlsx(db.session, survey.consultation, str(path)) == 12
    book = load_workbook(path, read_only=True)
    assert book.sheetnames == ["data", "codebook"]
    rows = list(book["data"].iter_rows(values_only=True))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 13
    assert first["staff"] == -3 and first["funded"] == 0 and first["budget"] == 1234.5
    second = dict(zip(header, rows[2], strict=True))
    assert second["story"] == '\'=HYPERLINK("x")'  # text, never a formula
    book_rows = book["codebook"].iter_rows(min_row=2, values_only=True)
    described = [r[0] for r in book_rows if len(r) < 6 or not r[5]]
    assert tuple(described) == header


def test_json_is_streamed_and_typed(built):
    survey, _ = built
    chunks = exports.json_chunks(db.session, survey.consultation)
    assert isinstance(chunks, types.GeneratorType)
    data = json.loads(b"".join(chunks))
    assert data["consultation"] == survey.consultation.slug
    assert len(data["responses"]) == 12
    first = data["responses"][0]
    assert first["staff"] == -3 and first["needs__housing"] == 1 and first["budget"] == 1234.5
    assert data["responses"][2]["consent"] == "not_published"
    assert data["responses"][2]["story"] is None and first["story"].startswith("Story 0")
    assert [c["name"] for c in data["columns"]][:4] == [
        "reference",
        "submitted_at",
        "language",
        "consent",
    ]


def test_neutralise():
    assert exports.neutralise("=1+1") == "'=1+1"
    assert [exports.neutralise(v) for v in ("+a", "-a", "@a", "\ta", "\ra")] == [
        "'+a", "'-a", "'@a", "'\ta", "'\ra"
    ]  # fmt: skip
    assert exports.neutralise("plain") == "plain" and exports.neutralise(-3) == -3


def test_no_responses_gives_a_header_only(app):
    survey = Survey(k=3)
    survey.question("funded", "yes_no")
    data = b"".join(exports.csv_chunks(db.session, survey.consultation)).decode()
    assert data.splitlines() == [",".join(c.name for c in exports.ATTRIBUTE_COLUMNS) + ",funded"]


def test_postgresql_copy_writes_the_same_csv_as_python(built):
    survey, _ = built
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    columns = exports.export_columns(db.session, survey.consultation)
    stmt = exports.export_select(db.session, survey.consultation, columns)
    copied = b"".join(exports._copy_chunks(db.session, stmt))
    written = b"".join(exports._writer_chunks(db.session, stmt))
    assert copied == written and copied.count(b"\n") > 12
