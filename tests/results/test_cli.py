"""`flask export` and `flask report` write complete files, or none."""

from __future__ import annotations

import csv
import json

from openpyxl import load_workbook

from consult.extensions import db
from tests.analysis.builders import Survey


def small_survey():
    survey = Survey(k=2)
    survey.question("funded", "yes_no")
    survey.question("story", "short_text")
    for i in range(3):
        survey.respond(survey.authority(), {"funded": "yes" if i else "no", "story": f"=s{i}"})
    return survey


def test_export_csv_with_codebook(app, runner, tmp_path):
    survey = small_survey()
    out = tmp_path / "data.csv"
    slug = survey.consultation.slug
    result = runner.invoke(
        args=["export", slug, "--format", "csv", "--codebook", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["funded"] for r in rows] == ["0", "1", "1"]
    assert [r["story"] for r in rows] == ["'=s0", "'=s1", "'=s2"]
    book = list(csv.DictReader((tmp_path / "data-codebook.csv").open(encoding="utf-8")))
    assert [r["column"] for r in book if not r["code"]] == list(rows[0])


def test_export_xlsx_and_json(app, runner, tmp_path):
    survey = small_survey()
    slug = survey.consultation.slug
    xlsx, js = tmp_path / "d.xlsx", tmp_path / "d.json"
    assert (
        runner.invoke(args=["export", slug, "--format", "xlsx", "--out", str(xlsx)]).exit_code == 0
    )
    assert runner.invoke(args=["export", slug, "--format", "json", "--out", str(js)]).exit_code == 0
    assert load_workbook(xlsx, read_only=True).sheetnames == ["data", "codebook"]
    assert [r["funded"] for r in json.loads(js.read_text())["responses"]] == [0, 1, 1]


def test_export_refuses_unknown_consultation_and_writes_nothing(app, runner, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "none.csv"
    result = runner.invoke(args=["export", "no-such-thing", "--out", str(out)])
    assert result.exit_code != 0 and "No consultation" in result.output
    assert list(folder.iterdir()) == []
    db.session.rollback()
