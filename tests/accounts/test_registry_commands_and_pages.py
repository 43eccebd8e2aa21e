"""The registry import from the command line and the admin upload page (a background job)."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from consult.accounts.models import AuditEvent, Organisation, Role
from consult.jobs import Job, JobStatus
from tests.accounts.test_registry import HEADER, ROWS, count, make_csv
from tests.factories import UserFactory


def test_cli_imports_and_reports_counts(db, runner, tmp_path):
    path = tmp_path / "authorities.csv"
    path.write_bytes(make_csv(ROWS))
    result = runner.invoke(args=["import-authorities", str(path)])
    assert result.exit_code == 0, result.output
    assert "6 line(s) imported (consult layout): 6 created, 0 updated, 0 unchanged." in (
        result.output
    )
    assert count(db) == 6
    result = runner.invoke(args=["import-authorities", str(path)])
    assert "0 created, 0 updated, 6 unchanged" in result.output
    assert count(db) == 6


def test_cli_lists_problems_and_fails_without_writing(db, runner, tmp_path):
    rows = [row[:] for row in ROWS]
    rows[1][0] = "ZZ"
    rows[3][4] = "lots"
    path = tmp_path / "bad.csv"
    path.write_bytes(make_csv(rows))
    result = runner.invoke(args=["import-authorities", str(path), "--max-problems", "1"])
    assert result.exit_code == 1
    assert "bad.csv: line 3, country: “ZZ” is not a country code we know" in result.output
    assert "… and 1 more." in result.output
    assert "2 problem(s) found in 6 line(s); nothing was saved." in result.output
    assert count(db) == 0


def test_cli_dry_run_checks_only(db, runner, tmp_path):
    path = tmp_path / "authorities.csv"
    path.write_bytes(make_csv(ROWS))
    result = runner.invoke(args=["import-authorities", "--dry-run", str(path)])
    assert result.exit_code == 0
    assert "6 line(s) checked (consult layout): no problems." in result.output
    assert count(db) == 0


def test_cli_refuses_a_non_utf8_file(db, runner, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(make_csv(ROWS).decode().encode("latin-1"))
    result = runner.invoke(args=["import-authorities", str(path)])
    assert result.exit_code == 1
    assert "line 3: The file is not UTF-8 text" in result.output


@pytest.fixture
def admin(db, auth):
    user = UserFactory(role=Role.ADMIN)
    auth.login(user)
    return user


def upload(client, data: bytes, filename: str = "registry.csv"):
    return client.post_form(
        "/admin/registry",
        {"file": (io.BytesIO(data), filename)},
        token_from="/admin/registry",
        content_type="multipart/form-data",
    )


def test_upload_runs_a_job_and_shows_the_counts(db, client, admin, drain_jobs):
    response = upload(client, make_csv(ROWS))
    assert response.status_code == 302
    drain_jobs()
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"/admin/registry/imports/{job.id}"
    db.session.expire_all()
    assert job.status == JobStatus.DONE and job.created_by_id == admin.id
    assert job.total > 0 and job.done == job.total
    assert count(db, Organisation.kind == "authority") == 6
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "registry.csv" in page
    assert "saved: 6 new, 0 updated, 0 unchanged" in page
    assert "<caption>What changed in the registry</caption>" in page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "registry.imported"))
    assert event.actor_id == admin.id and event.details["source"] == "web"
    assert event.details["created"] == 6
    recent = client.get("/admin/registry").get_data(as_text=True)
    assert f'href="/admin/registry/imports/{job.id}"' in recent


def test_upload_with_problems_shows_the_first_ones_and_the_count(db, client, admin, drain_jobs):
    rows = [["FR", str(n), "Town", "FR101", "many", "1", "municipality"] for n in range(60)]
    response = upload(client, make_csv(rows))
    drain_jobs()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The file has 60 problems. Nothing was saved" in page
    assert "The first 50 are listed below." in page
    assert page.count("is not a population") == 50
    assert '<th scope="row" class="num">2</th>' in page
    assert "<code>population</code>" in page
    assert count(db, Organisation.kind == "authority") == 0


def test_upload_of_a_non_utf8_file_is_reported(db, client, admin, drain_jobs):
    response = upload(client, make_csv(ROWS).decode().encode("utf-16"))
    drain_jobs()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not UTF-8 text" in page


def test_upload_needs_a_csv_file(db, client, admin):
    response = upload(client, b"x", filename="registry.xlsx")
    assert response.status_code == 200
    assert "Choose a file ending in .csv." in response.get_data(as_text=True)
    response = client.post_form("/admin/registry", {}, token_from="/admin/registry")
    assert "Choose a CSV file." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def test_job_page_of_another_kind_of_job_is_404(db, client, admin):
    job = Job(kind="something_else")
    db.session.add(job)
    db.session.commit()
    assert client.get(f"/admin/registry/imports/{job.id}").status_code == 404


def test_job_page_shows_progress_while_running(db, client, admin):
    job = Job(kind="registry_import", status=JobStatus.RUNNING, total=1000, done=250)
    job.result = {"filename": "big.csv"}
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/admin/registry/imports/{job.id}").get_data(as_text=True)
    assert '<progress id="job-progress" class="progress" max="1000" value="250">' in page
    assert "Checked 250 of about 1,000 lines" in page
    assert "Refresh" in page


def test_non_admins_cannot_see_import_jobs(db, client, auth):
    job = Job(kind="registry_import")
    db.session.add(job)
    db.session.commit()
    auth.login(UserFactory(role=Role.ANALYST))
    assert client.get(f"/admin/registry/imports/{job.id}").status_code == 403


# A real sample of Eurostat's LAU 2019 file: its first 2,000 lines, and every line of countries
# whose NUTS 3 codes changed in 2021 (HR, EE, Sardinia) or that lack data (CY: DEGURBA 9, TR:
# empty DEGURBA, AL: short NUTS codes), plus Paris (no population in the FR data).
SAMPLE_COUNTRIES = {"HR", "EE", "CY", "TR", "AL"}


def lau_sample(shared_data) -> tuple[bytes, list[dict]]:
    with (shared_data / "lau2019.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames
        rows = [
            row
            for n, row in enumerate(reader)
            if n < 2000
            or row["country"] in SAMPLE_COUNTRIES
            or row["nuts3_2016"].startswith("ITG2")
            or (row["country"], row["lau_code"]) == ("FR", "75056")
        ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8"), rows


def test_real_eurostat_sample_imports_with_nuts_2021_codes(db, runner, tmp_path, shared_data):
    data, rows = lau_sample(shared_data)
    path = tmp_path / "lau2019-sample.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["import-authorities", str(path)])
    assert result.exit_code == 0, result.output
    assert count(db) == len(rows)
    nuts2021 = {
        row["nuts_id"]
        for row in csv.DictReader((shared_data / "nuts2021.csv").open(encoding="utf-8"))
    }
    stored = dict(
        db.session.execute(
            sa.select(Organisation.country + ":" + Organisation.lau_code, Organisation.nuts_code)
        ).all()
    )
    by_country = {}
    for row in rows:
        key = f"{row['country']}:{row['lau_code']}"
        by_country.setdefault(row["country"], set()).add(stored[key])
    # Every NUTS code of the sample's EU countries exists in NUTS 2021 (Mount Athos is ELZZZ).
    unknown = {code for codes in by_country.values() for code in codes} - nuts2021
    assert unknown <= {"ELZZZ"}, unknown
    assert not any(code.startswith("HR04") for code in by_country["HR"])
    assert by_country["EE"] >= {"EE009", "EE00A"}
    zagreb = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "hr-01333"))
    assert (zagreb.name, zagreb.nuts_code) == ("GRAD ZAGREB", "HR050")  # HR041 in NUTS 2016
    samobor = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "hr-03808"))
    assert samobor.nuts_code == "HR065"  # HR042 in NUTS 2016
    assert by_country["AL"] <= {c for c in nuts2021 if c.startswith("AL0") and len(c) == 5}
    sardinia = {stored[f"IT:{r['lau_code']}"] for r in rows if r["nuts3_2016"].startswith("ITG2")}
    assert sardinia <= {"ITG2D", "ITG2E", "ITG2F", "ITG2G", "ITG2H"}
    paris = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "fr-75056"))
    assert (paris.name, paris.population, paris.size_class) == ("Paris", None, None)
    unknown_degurba = {f"{r['country']}:{r['lau_code']}" for r in rows if r["degurba"] in ("", "9")}
    stored_unknown = set(
        db.session.scalars(
            sa.select(Organisation.country + ":" + Organisation.lau_code).where(
                Organisation.urbanisation.is_(None)
            )
        )
    )
    assert stored_unknown == unknown_degurba and len(unknown_degurba) == 182 + 973  # CY 9, TR ""
    # Re-importing the same file changes nothing.
    result = runner.invoke(args=["import-authorities", str(path)])
    assert f"0 created, 0 updated, {len(rows)} unchanged" in result.output


def test_real_eurostat_header_with_our_header_row_is_recognised(db, shared_data):
    with (shared_data / "lau2019.csv").open(encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    assert set(HEADER) - set(header) == {"name", "nuts3", "level"}
