"""The authority registry import: both layouts, every bad input, idempotent re-imports."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from consult.accounts import registry
from consult.accounts.models import (
    AuditEvent,
    AuthorityLevel,
    Organisation,
    OrgKind,
    SizeClass,
    Urbanisation,
)
from consult.accounts.registry_report import ImportReport
from tests.factories import AssociationFactory, AuthorityFactory

HEADER = ["country", "lau_code", "name", "nuts3", "population", "degurba", "level"]
ROWS = [
    ["FR", "69123", "Lyon", "FRK26", "516092", "1", "municipality"],
    ["DE", "09162000", "München", "DE212", "1471508", "1", "municipality"],
    ["IT", "015146", "Milano", "ITC4C", "1352000", "1", "municipality"],
    ["EL", "EL30", "Attiki", "EL30", "3792000", "", "region"],
    ["AT", "30101", "Baden", "AT127", "", "2", "intermediate"],
    ["SE", "0180", "Stockholm", "SE110", "975551", "9", "municipality"],
]


def make_csv(rows, header=HEADER, *, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def count(db, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(*where))


def authority(db, country, lau) -> Organisation:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Organisation).where(Organisation.country == country, Organisation.lau_code == lau)
    )


def problems(report: ImportReport) -> list[tuple]:
    return [(p.line, p.column, p.code) for p in report.problems]


def test_import_our_layout(db):
    report = registry.import_authorities(make_csv(ROWS), actor=None, filename="mine.csv")
    assert report.ok and report.saved, problems(report)
    assert (report.layout, report.rows, report.created, report.updated, report.unchanged) == (
        "consult",
        6,
        6,
        0,
        0,
    )
    lyon = authority(db, "FR", "69123")
    assert (lyon.kind, lyon.name, lyon.nuts_code, lyon.slug) == (
        OrgKind.AUTHORITY,
        "Lyon",
        "FRK26",
        "fr-69123",
    )
    assert (lyon.population, lyon.size_class, lyon.urbanisation, lyon.level) == (
        516_092,
        SizeClass.XL,
        Urbanisation.CITY,
        AuthorityLevel.MUNICIPALITY,
    )
    attiki = authority(db, "EL", "EL30")
    assert (attiki.level, attiki.urbanisation, attiki.slug) == (
        AuthorityLevel.REGION,
        None,
        "el-el30",
    )
    baden = authority(db, "AT", "30101")
    assert (baden.population, baden.size_class, baden.level) == (
        None,
        None,
        AuthorityLevel.INTERMEDIATE,
    )
    assert authority(db, "SE", "0180").urbanisation is None  # degurba 9: unknown
    [event] = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "registry.imported")
    ).all()
    assert event.details == {
        "layout": "consult",
        "rows": 6,
        "created": 6,
        "updated": 0,
        "unchanged": 0,
        "filename": "mine.csv",
        "source": "cli",
    }


def test_reimport_updates_by_country_and_lau_code_without_duplicates(db):
    registry.import_authorities(make_csv(ROWS), actor=None)
    before = authority(db, "FR", "69123")
    created_at, slug = before.created_at, before.slug

    same = registry.import_authorities(make_csv(ROWS), actor=None)
    assert (same.created, same.updated, same.unchanged) == (0, 0, 6)

    changed = [row[:] for row in ROWS]
    changed[0][2], changed[0][4] = "Lyon (Métropole)", "4000"
    changed[1][5] = "2"
    changed.append(["PT", "1106", "Lisboa", "PT170", "545796", "1", "municipality"])
    again = registry.import_authorities(make_csv(changed), actor=None)
    assert (again.created, again.updated, again.unchanged) == (1, 2, 4)
    assert count(db) == 7
    lyon = authority(db, "FR", "69123")
    assert (lyon.name, lyon.population, lyon.size_class) == ("Lyon (Métropole)", 4000, SizeClass.XS)
    assert (lyon.created_at, lyon.slug) == (created_at, slug)
    assert lyon.updated_at > created_at
    assert authority(db, "DE", "09162000").urbanisation == Urbanisation.TOWN
    actions = db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "registry.imported")
    ).all()
    assert [(d["created"], d["updated"], d["unchanged"]) for d in actions] == [
        (6, 0, 0),
        (0, 0, 6),
        (1, 2, 4),
    ]


def test_existing_memberships_and_other_authorities_survive_a_reimport(db):
    registry.import_authorities(make_csv(ROWS), actor=None)
    association = AssociationFactory()
    lyon = authority(db, "FR", "69123")
    association.members.append(lyon)
    other = AuthorityFactory(country="FR", lau_code="99999")
    db.session.commit()
    registry.import_authorities(make_csv(ROWS[:1]), actor=None)
    assert [m.id for m in db.session.get(Organisation, association.id).members] == [lyon.id]
    assert db.session.get(Organisation, other.id) is not None


def test_slugs_stay_unique_when_sanitised_codes_collide(db):
    AssociationFactory(slug="fr-69123")
    rows = [
        ["FR", "69123", "Lyon", "FRK26", "1", "1", "municipality"],
        ["PT", "11.06", "A", "PT170", "1", "1", "municipality"],
        ["PT", "11_06", "B", "PT170", "1", "1", "municipality"],
    ]
    report = registry.import_authorities(make_csv(rows), actor=None)
    assert report.ok, problems(report)
    slugs = {authority(db, c, lau).slug for c, lau, *_ in rows}
    assert slugs == {"fr-69123-2", "pt-11-06", "pt-11-06-2"}


def test_semicolons_bom_blank_lines_and_trailing_empty_fields_are_accepted(db):
    data = "\ufeff" + make_csv(ROWS[:2], delimiter=";").decode() + "\n\n"
    data = data.replace("municipality\n", "municipality;;\n", 1)
    report = registry.import_authorities(data.encode("utf-8"), actor=None)
    assert report.ok, problems(report)
    assert report.created == 2


def test_iso_codes_for_greece_and_the_uk_are_accepted(db):
    rows = [["GR", "9186", "Athina", "EL303", "664046", "1", "municipality"]]
    assert registry.import_authorities(make_csv(rows), actor=None).ok
    assert authority(db, "EL", "9186").name == "Athina"


# Each bad line: (row, line number 2, column, problem code). Nothing may be written.
BAD_LINES = [
    (["XX", "1", "A", "FR101", "1", "1", "municipality"], "country", "unknown_country"),
    (["", "1", "A", "FR101", "1", "1", "municipality"], "country", "required"),
    (["FR", "", "A", "FR101", "1", "1", "municipality"], "lau_code", "required"),
    (["FR", "1 2", "A", "FR101", "1", "1", "municipality"], "lau_code", "bad_lau"),
    (["FR", "1" * 21, "A", "FR101", "1", "1", "municipality"], "lau_code", "too_long"),
    (["FR", "1", "", "FR101", "1", "1", "municipality"], "name", "required"),
    (["FR", "1", "A" * 201, "FR101", "1", "1", "municipality"], "name", "too_long"),
    (["FR", "1", "A\x00B", "FR101", "1", "1", "municipality"], "name", "control_chars"),
    (["FR", "1", "A", "", "1", "1", "municipality"], "nuts3", "required"),
    (["FR", "1", "A", "FR1011", "1", "1", "municipality"], "nuts3", "bad_nuts"),
    (["FR", "1", "A", "DE300", "1", "1", "municipality"], "nuts3", "nuts_country"),
    (["FR", "1", "A", "FR101", "12k", "1", "municipality"], "population", "bad_population"),
    (["FR", "1", "A", "FR101", "-5", "1", "municipality"], "population", "bad_population"),
    (["FR", "1", "A", "FR101", "1.5", "1", "municipality"], "population", "bad_population"),
    (
        ["FR", "1", "A", "FR101", "9" * 12, "1", "municipality"],
        "population",
        "population_too_large",
    ),
    (["FR", "1", "A", "FR101", "1", "4", "municipality"], "degurba", "bad_degurba"),
    (["FR", "1", "A", "FR101", "1", "x", "municipality"], "degurba", "bad_degurba"),
    (["FR", "1", "A", "FR101", "1", "1", "city"], "level", "bad_level"),
    (["FR", "1", "A", "FR101", "1", "1", ""], "level", "required"),
    (["FR", "1", "A", "FR101", "1", "1"], None, "field_count"),
    (["FR", "1", "A", "FR101", "1", "1", "municipality", "extra"], None, "field_count"),
]


@pytest.mark.parametrize(("row", "column", "code"), BAD_LINES)
def test_every_bad_value_is_reported_with_line_and_column_and_nothing_is_written(
    db, row, column, code
):
    good = ["FR", "69123", "Lyon", "FRK26", "516092", "1", "municipality"]
    report = registry.import_authorities(
        make_csv([good, row, [*good[:1], "2", *good[2:]]]), actor=None
    )
    assert not report.ok and not report.saved
    assert problems(report) == [(3, column, code)]
    assert report.problems[0].message  # a sentence, not only a code
    assert count(db) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_one_bad_line_among_many_writes_nothing(db):
    rows = [[*ROWS[0][:1], str(n), *ROWS[0][2:]] for n in range(1, 3000)]
    rows[2500][4] = "many"
    report = registry.import_authorities(make_csv(rows), actor=None)
    assert problems(report) == [(2502, "population", "bad_population")]
    assert count(db) == 0


def test_duplicate_rows_in_the_file_are_reported_on_the_second(db):
    rows = [ROWS[0], ROWS[1], ["fr", " 69123 ", "Lyon bis", "FRK26", "1", "1", "municipality"]]
    report = registry.import_authorities(make_csv(rows), actor=None)
    assert problems(report) == [(4, "lau_code", "duplicate_row")]
    assert "line 2" in report.problems[0].message
    assert count(db) == 0


def test_several_problems_on_one_line_are_all_reported(db):
    rows = [["XX", "", "A", "FR1", "x", "7", "town"]]
    report = registry.import_authorities(make_csv(rows), actor=None)
    assert problems(report) == [
        (2, "country", "unknown_country"),
        (2, "lau_code", "required"),
        (2, "population", "bad_population"),
        (2, "degurba", "bad_degurba"),
        (2, "level", "bad_level"),
    ]


def test_non_utf8_file_is_reported_with_its_line(db):
    data = make_csv(ROWS[:2]).replace("München".encode(), "München".encode("latin-1"))
    report = registry.import_authorities(data, actor=None)
    assert problems(report) == [(3, None, "not_utf8")]
    assert "UTF-8" in report.problems[0].message
    assert count(db) == 0


@pytest.mark.parametrize("data", [b"", b"   \n\n", "\ufeff".encode()])
def test_empty_file(db, data):
    assert problems(registry.import_authorities(data, actor=None)) == [(1, None, "empty")]


def test_header_only(db):
    report = registry.import_authorities(make_csv([]), actor=None)
    assert problems(report) == [(1, None, "no_rows")]


def test_wrong_header_names_the_missing_columns(db):
    header = ["country", "code", "name", "nuts3", "population", "degurba", "level"]
    report = registry.import_authorities(make_csv(ROWS, header), actor=None)
    assert problems(report) == [(1, None, "bad_header")]
    assert "lau_code missing" in report.problems[0].message
    report = registry.import_authorities(b"a,b,c\n1,2,3\n", actor=None)
    assert problems(report) == [(1, None, "bad_header")]
    assert count(db) == 0


def test_duplicate_header_column(db):
    report = registry.import_authorities(make_csv(ROWS, [*HEADER[:-1], "name"]), actor=None)
    assert problems(report) == [(1, "name", "duplicate_column")]


def test_a_binary_file_is_a_problem_not_a_crash(db):
    report = registry.import_authorities(bytes(range(256)) * 4, actor=None)
    assert not report.ok and count(db) == 0


def test_a_lau_code_of_a_non_authority_is_refused(db):
    AssociationFactory(country="FR", lau_code="69123", name="Odd association")
    report = registry.import_authorities(make_csv(ROWS), actor=None)
    assert problems(report) == [(2, "lau_code", "not_authority")]


def test_problem_list_is_capped_but_counted(db):
    rows = [["XX", str(n), "A", "FR101", "1", "1", "municipality"] for n in range(1500)]
    report = registry.import_authorities(make_csv(rows), actor=None)
    assert report.problem_count == 1500
    assert len(report.problems) == 1000
    stored = report.as_dict()
    assert stored["problem_count"] == 1500 and len(stored["problems"]) == 50
    again = ImportReport.from_dict(stored)
    assert again.problems[0].message == report.problems[0].message


EUROSTAT_HEADER = [
    "country", "lau_code", "gisco_id", "lau_name_national", "lau_name_latin", "nuts3_2016",
    "population", "total_area_m2", "degurba", "coastal_area",
]  # fmt: skip


def test_eurostat_layout_maps_nuts_2016_to_2021_and_unknowns(db):
    rows = [
        ["HR", "00001", "HR_00001", "Grad Zagreb", "", "HR041", "790017", "1", "1", "no"],
        ["BE", "57081", "BE_57081", "Tournai", "Doornik", "BE327", "69554", "1", "2", "no"],
        ["IT", "090064", "IT_090064", "Olbia", "", "ITG29", "60346", "1", "2", "yes"],
        ["AL", "AL112", "AL_AL112", "DIBËR", "DIBER", "AL11", "", "1", "3", "no"],
        ["FR", "75056", "FR_75056", "Paris", "", "FR101", "", "1", "1", "no"],
        ["CY", "1000", "CY_1000", "Λευκωσία", "Lefkosia", "CY000", "", "1", "9", "no"],
        ["TR", "TR1", "TR_TR1", "", "Adalar", "TR100", "16033", "1", "", "yes"],
    ]
    report = registry.import_authorities(make_csv(rows, EUROSTAT_HEADER), actor=None)
    assert report.ok, problems(report)
    assert report.layout == "eurostat"
    assert authority(db, "HR", "00001").nuts_code == "HR050"
    assert authority(db, "BE", "57081").nuts_code == "BE328"
    assert authority(db, "BE", "57081").name == "Tournai"  # the national name first
    assert authority(db, "IT", "090064").nuts_code == "ITG2D"
    assert authority(db, "AL", "AL112").nuts_code == "AL011"
    paris = authority(db, "FR", "75056")
    assert (paris.population, paris.size_class, paris.level) == (
        None,
        None,
        AuthorityLevel.MUNICIPALITY,
    )
    assert authority(db, "CY", "1000").urbanisation is None
    turkey = authority(db, "TR", "TR1")
    assert (turkey.name, turkey.urbanisation) == ("Adalar", None)


def test_eurostat_layout_problems_name_its_columns(db):
    rows = [["BE", "1", "BE_1", "", "", "BE100", "n/a", "1", "1", "no"]]
    report = registry.import_authorities(make_csv(rows, EUROSTAT_HEADER), actor=None)
    assert problems(report) == [
        (2, "lau_name_national", "required"),
        (2, "population", "bad_population"),
    ]


def test_check_file_reports_progress_and_writes_nothing(db):
    rows = [[*ROWS[0][:1], str(n), *ROWS[0][2:]] for n in range(12_000)]
    calls = []
    checked = registry.check_file(make_csv(rows), progress=lambda done, total: calls.append(done))
    assert checked.report.ok and len(checked.rows) == 12_000
    assert calls == [5000, 10000, 12001]
    assert count(db) == 0
    saved = []
    report = registry.save(checked, actor=None, progress=lambda done, total: saved.append(done))
    assert report.created == 12_000 and saved[-1] == 12_000
    assert count(db) == 12_000


def test_an_authority_added_between_check_and_save_aborts_the_whole_save(db):
    checked = registry.check_file(make_csv(ROWS))
    AuthorityFactory(country="SE", lau_code="0180")  # someone else was quicker
    report = registry.save(checked, actor=None)
    assert not report.saved and problems(report) == [(0, None, "conflict")]
    assert count(db, Organisation.kind == OrgKind.AUTHORITY) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


def test_a_huge_field_is_a_problem_not_a_crash(db):
    data = make_csv(ROWS[:2]) + b"FR,1," + b"x" * 200_000 + b",FR101,1,1,municipality\n"
    report = registry.import_authorities(data, actor=None)
    assert problems(report) == [(4, None, "unreadable")]
    assert "field larger than field limit" in report.problems[0].message
    assert count(db) == 0


def test_a_stored_report_with_an_unknown_code_still_shows():
    report = ImportReport.from_dict(
        {
            "problem_count": 1,
            "problems": [{"line": 2, "column": None, "code": "retired_code", "params": {}}],
        }
    )
    assert report.problems[0].message == "retired_code"
