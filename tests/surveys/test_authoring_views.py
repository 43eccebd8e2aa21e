"""Authoring pages: wiring, what people see, permissions across associations, CSRF, forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.accounts.models import Role
from consult.db import utcnow
from consult.jobs import Job
from consult.surveys.models import (
    AudienceMember,
    Consultation,
    ConsultationStatus,
    Invitation,
    Response,
    ResponseStatus,
)
from tests.factories import (
    AuthorityFactory,
    ConsultationFactory,
    UserFactory,
)
from tests.surveys.test_lifecycle import ready_consultation


def base(consultation: Consultation) -> str:
    return f"/associations/{consultation.association.slug}/consultations/{consultation.slug}"


def reload(db, consultation) -> Consultation:
    db.session.expire_all()
    return db.session.get(Consultation, consultation.id)


@pytest.fixture
def author(app):
    return UserFactory(role=Role.AUTHOR, timezone=None)


FORM = {
    "slug": "integration-2026",
    "default_language": "en",
    "languages": ["en", "fr"],
    "title_en": "Local integration",
    "title_fr": "Intégration locale",
    "description_en": "Tell us **how** it goes.",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-03-01T17:00",
    "results_visibility": "staff",
    "k_threshold": "5",
    "reference_prefix": "MIG",
    "action": "save",
}


def new_url(author) -> str:
    return f"/associations/{author.organisation.slug}/consultations/new"


def test_an_author_creates_a_consultation_in_their_time_zone(client, auth, author, db):
    auth.login(author)
    url = new_url(author)
    page = client.get(url).get_data(as_text=True)
    assert "Times are in your time zone, Europe/Brussels" in page
    response = client.post_form(url, FORM, token_from=url)
    assert response.status_code == 302
    consultation = db.session.scalar(sa.select(Consultation))
    assert response.headers["Location"] == base(consultation)
    assert consultation.association_id == author.organisation_id
    assert consultation.title == {"en": "Local integration", "fr": "Intégration locale"}
    # 09:00 in Brussels in January is 08:00 UTC; 17:00 on 1 March is 16:00 UTC.
    assert consultation.opens_at == datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2027, 3, 1, 16, 0, tzinfo=UTC)
    overview = client.get(base(consultation)).get_data(as_text=True)
    assert "Local integration" in overview and "<strong>how</strong>" in overview
    assert "Draft" in overview and "Before opening" in overview


def test_dates_are_entered_and_shown_in_the_authors_own_time_zone(client, auth, db):
    author = UserFactory(role=Role.AUTHOR, timezone="Europe/Helsinki")
    auth.login(author)
    url = new_url(author)
    client.post_form(url, {**FORM, "closes_at": "2027-07-01T12:00"}, token_from=url)
    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.closes_at == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    assert consultation.timezone == "Europe/Helsinki"
    edit = client.get(f"{base(consultation)}/edit").get_data(as_text=True)
    assert 'value="2027-07-01T12:00"' in edit


def test_the_form_shows_every_validation_message(client, auth, author, db):
    auth.login(author)
    url = new_url(author)
    bad = {
        **FORM,
        "slug": "Not A Slug",
        "k_threshold": "1",
        "reference_prefix": "mig",
        "title_en": "",
        "closes_at": "tomorrow",
    }
    page = client.post_form(url, bad, token_from=url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "There is a problem" in html
    assert "Enter a number from 2 to 100." in html
    assert "Enter a date and time, for example 2026-05-31 17:00." in html
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 0
    page = client.post_form(url, {**bad, "k_threshold": "5", "closes_at": ""}, token_from=url)
    html = page.get_data(as_text=True)
    assert "lower-case letters, digits and single hyphens" in html
    assert "2 to 8 capital letters" in html
    assert "Enter the title in English." in html
    assert 'aria-invalid="true"' in html and 'href="#slug"' in html


def test_a_time_in_the_skipped_hour_is_refused_with_a_message(client, auth, author, db):
    auth.login(author)
    url = new_url(author)
    page = client.post_form(url, {**FORM, "closes_at": "2027-03-28T02:30"}, token_from=url)
    assert "2027-03-28 02:30 does not exist in Europe/Brussels" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 0


def test_a_repeated_time_is_resolved_by_the_authors_explicit_choice(client, auth, author, db):
    auth.login(author)
    url = new_url(author)
    data = {**FORM, "opens_at": "", "closes_at": "2027-10-31T02:30"}
    page = client.post_form(url, data, token_from=url).get_data(as_text=True)
    assert "2027-10-31 02:30 happens twice in Europe/Brussels" in page
    assert "Which closing time?" in page and "UTC+02:00" in page and "UTC+01:00" in page
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 0
    client.post_form(url, {**data, "closes_at_fold": "1"}, token_from=url)
    consultation = db.session.scalar(sa.select(Consultation))
    assert consultation.closes_at == datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    # Shown again, the choice is kept and saving unchanged keeps the same instant.
    edit_url = f"{base(consultation)}/edit"
    edit = client.get(edit_url).get_data(as_text=True)
    assert '<input checked id="closes_at_fold-1" name="closes_at_fold"' in edit
    fields = {**data, "closes_at_fold": "1", "slug": consultation.slug}
    assert client.post_form(edit_url, fields, token_from=edit_url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).closes_at == datetime(
        2027, 10, 31, 1, 30, tzinfo=UTC
    )


def test_update_languages_shows_the_new_text_fields_without_saving(client, auth, author, db):
    auth.login(author)
    url = new_url(author)
    data = {**FORM, "languages": ["en", "de"], "action": "languages"}
    page = client.post_form(url, data, token_from=url).get_data(as_text=True)
    assert "Title in German" in page and "Title in French" not in page
    assert "There is a problem" not in page
    assert db.session.scalar(sa.select(sa.func.count(Consultation.id))) == 0


def test_editing_saves_and_wording_after_opening_is_accepted(client, auth, db):
    consultation = ready_consultation()
    author = UserFactory(role=Role.AUTHOR, organisation=consultation.association)
    auth.login(author)
    url = f"{base(consultation)}/edit"
    form_page = client.get(url).get_data(as_text=True)
    assert 'value="MIG"' in form_page
    data = {
        "slug": consultation.slug,
        "default_language": "en",
        "languages": ["en", "fr"],
        "title_en": "New wording",
        "title_fr": consultation.title["fr"],
        "description_en": "About.",
        "description_fr": "À propos.",
        "closes_at": "",
        "results_visibility": "participants",
        "k_threshold": "6",
        "reference_prefix": "MIG",
        "action": "save",
    }
    assert client.post_form(url, data, token_from=url).status_code == 302
    consultation = reload(db, consultation)
    assert consultation.title["en"] == "New wording" and consultation.k_threshold == 6
    assert consultation.closes_at is None


def test_the_list_shows_status_dates_and_counts_without_n_plus_one(client, auth, author, db):
    auth.login(author)
    url = f"/associations/{author.organisation.slug}/consultations"
    empty = client.get(url).get_data(as_text=True)
    assert "There is no consultation yet." in empty and "New consultation" in empty

    def statements() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    open_one = ConsultationFactory(
        association=author.organisation,
        status=ConsultationStatus.OPEN,
        closes_at=utcnow() + timedelta(days=3),
        title={"en": "Housing survey"},
    )
    authority = AuthorityFactory()
    db.session.add(
        Response(
            consultation_id=open_one.id,
            authority_id=authority.id,
            seq=1,
            status=ResponseStatus.SUBMITTED,
        )
    )
    db.session.commit()
    few = statements()
    ConsultationFactory.create_batch(8, association=author.organisation)
    assert statements() == few
    html = client.get(url).get_data(as_text=True)
    assert "Housing survey" in html and "<caption>" in html and 'scope="col"' in html
    assert client.get(f"{url}?status=open").get_data(as_text=True).count("<tr>") == 2
    assert "No consultation matches" in client.get(f"{url}?q=zzz").get_data(as_text=True)
    ConsultationFactory.create_batch(15, association=author.organisation)
    assert "Page 1 of 2" in client.get(url).get_data(as_text=True)


def test_the_manage_link_leads_authors_home_and_admins_to_every_association(client, auth, db):
    author = UserFactory(role=Role.AUTHOR)
    auth.login(author)
    response = client.get("/consultations/manage")
    assert response.headers["Location"] == f"/associations/{author.organisation.slug}/consultations"
    auth.logout()
    admin = UserFactory(role=Role.ADMIN)
    mine = ConsultationFactory(title={"en": "First association's"})
    theirs = ConsultationFactory(title={"en": "Second association's"})
    auth.login(admin)
    html = client.get("/consultations/manage").get_data(as_text=True)
    assert "First association" in html and "Second association" in html
    assert mine.association.name in html and theirs.association.name in html
    assert "New consultation" not in html


def urls(consultation: Consultation, authority_id: int = 1, job_id: int = 1) -> list[tuple]:
    b = base(consultation)
    a = f"/associations/{consultation.association.slug}/consultations"
    return [
        ("get", a),
        ("get", f"{a}/new"),
        ("post", f"{a}/new"),
        ("get", b),
        ("get", f"{b}/edit"),
        ("post", f"{b}/edit"),
        ("get", f"{b}/open"),
        ("post", f"{b}/open"),
        ("get", f"{b}/close"),
        ("post", f"{b}/close"),
        ("get", f"{b}/reopen"),
        ("post", f"{b}/reopen"),
        ("get", f"{b}/archive"),
        ("post", f"{b}/archive"),
        ("get", f"{b}/clone"),
        ("post", f"{b}/clone"),
        ("get", f"{b}/audience"),
        ("post", f"{b}/audience"),
        ("get", f"{b}/audience/count?countries=FR"),
        ("post", f"{b}/audience/mode"),
        ("get", f"{b}/audience/list"),
        ("post", f"{b}/audience/list/add"),
        ("post", f"{b}/audience/list/upload"),
        ("get", f"{b}/audience/list/{authority_id}/remove"),
        ("post", f"{b}/audience/list/{authority_id}/remove"),
        ("get", f"{b}/invitations"),
        ("post", f"{b}/invitations/send"),
        ("post", f"{b}/invitations/remind"),
        ("get", f"{b}/jobs/{job_id}"),
        ("get", f"{b}/jobs/{job_id}/status"),
    ]


@pytest.fixture
def foreign(app, db):
    """A consultation of another association, with a list member and a job."""
    consultation = ConsultationFactory(status=ConsultationStatus.OPEN)
    authority = AuthorityFactory()
    db.session.add(AudienceMember(consultation_id=consultation.id, authority_id=authority.id))
    job = Job(kind=f"invitations:{consultation.id}")
    db.session.add(job)
    db.session.commit()
    return consultation, authority.id, job.id


@pytest.mark.parametrize("role", [Role.AUTHOR, Role.RESPONDENT, Role.ANALYST])
def test_other_organisations_get_404_on_every_authoring_url(client, auth, foreign, role, db):
    consultation, authority_id, job_id = foreign
    auth.login(UserFactory(role=role))
    token = client.csrf_token()
    for method, url in urls(consultation, authority_id, job_id):
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        assert response.status_code == 404, (method, url)
    assert reload(db, consultation).status == ConsultationStatus.OPEN


def test_anonymous_people_are_sent_to_sign_in(client, foreign):
    consultation, authority_id, job_id = foreign
    for method, url in urls(consultation, authority_id, job_id):
        response = getattr(client, method)(url)
        if method == "post":
            assert response.status_code in (302, 400), url  # CSRF first, or sign in
        else:
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_admins_read_everything_and_change_nothing(client, auth, foreign, db):
    consultation, authority_id, job_id = foreign
    auth.login(UserFactory(role=Role.ADMIN))
    token = client.csrf_token()
    readable = {
        base(consultation),
        f"/associations/{consultation.association.slug}/consultations",
        f"{base(consultation)}/audience",
        f"{base(consultation)}/audience/count?countries=FR",
        f"{base(consultation)}/audience/list",
        f"{base(consultation)}/invitations",
        f"{base(consultation)}/jobs/{job_id}",
        f"{base(consultation)}/jobs/{job_id}/status",
    }
    for method, url in urls(consultation, authority_id, job_id):
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token})
        expected = 200 if method == "get" and url in readable else 403
        assert response.status_code == expected, (method, url)
    overview = client.get(base(consultation)).get_data(as_text=True)
    assert "read-only" in overview and "Close the consultation" not in overview
    criteria = client.get(f"{base(consultation)}/audience").get_data(as_text=True)
    assert "<dt>Only members of the association</dt><dd>yes</dd>" in criteria
    assert "Save the criteria" not in criteria


def test_the_association_in_the_address_must_match(client, auth, db):
    mine = ConsultationFactory()
    author = UserFactory(role=Role.AUTHOR, organisation=mine.association)
    other = ConsultationFactory()
    auth.login(author)
    assert client.get(base(mine)).status_code == 200
    forged = f"/associations/{mine.association.slug}/consultations/{other.slug}"
    assert client.get(forged).status_code == 404
    assert client.get(f"/associations/{other.association.slug}/consultations").status_code == 404
    assert client.get("/associations/no-such-thing/consultations").status_code == 404


def test_forged_ids_answer_404(client, auth, foreign, db):
    _consultation, _authority_id, foreign_job = foreign
    mine = ConsultationFactory()
    auth.login(UserFactory(role=Role.AUTHOR, organisation=mine.association))
    not_a_member = AuthorityFactory()
    assert client.get(f"{base(mine)}/audience/list/{not_a_member.id}/remove").status_code == 404
    assert client.get(f"{base(mine)}/jobs/{foreign_job}").status_code == 404
    assert client.get(f"{base(mine)}/jobs/999999/status").status_code == 404


def test_posts_without_a_csrf_token_are_refused(client, auth, db):
    consultation = ready_consultation()
    auth.login(UserFactory(role=Role.AUTHOR, organisation=consultation.association))
    for path in ("/open", "/archive", "/audience/mode", "/invitations/send", "/edit"):
        response = client.post(f"{base(consultation)}{path}", data={"mode": "list"})
        assert response.status_code == 400, path
        assert "Form expired" in response.get_data(as_text=True)
    assert reload(db, consultation).status == ConsultationStatus.DRAFT


def test_opening_shows_every_problem_first_then_opens(client, auth, db):
    consultation = ConsultationFactory(title={"en": "Only English"}, description={})
    author = UserFactory(role=Role.AUTHOR, organisation=consultation.association)
    auth.login(author)
    url = f"{base(consultation)}/open"
    page = client.get(url).get_data(as_text=True)
    assert "problems keep the consultation from opening" in page
    for message in (
        "Set a closing date and time.",
        "Write the description in English.",
        "No authority is in the audience yet.",
        "The questionnaire has no questions.",
    ):
        assert message in page
    refused = client.post_form(url, token_from=url)
    assert refused.status_code == 422
    assert "Set a closing date and time." in refused.get_data(as_text=True)
    assert reload(db, consultation).status == ConsultationStatus.DRAFT

    ready = ready_consultation()
    auth.logout()
    auth.login(UserFactory(role=Role.AUTHOR, organisation=ready.association))
    url = f"{base(ready)}/open"
    assert "Everything is ready." in client.get(url).get_data(as_text=True)
    assert reload(db, ready).status == ConsultationStatus.DRAFT  # GET changes nothing
    assert client.post_form(url, token_from=url).status_code == 302
    assert reload(db, ready).status == ConsultationStatus.OPEN


def test_close_reopen_archive_and_clone_through_their_pages(client, auth, db):
    consultation = ready_consultation()
    author = UserFactory(role=Role.AUTHOR, organisation=consultation.association)
    auth.login(author)
    b = base(consultation)
    client.post_form(f"{b}/open", token_from=f"{b}/open")
    page = client.get(f"{b}/close").get_data(as_text=True)
    assert "Close the consultation now" in page
    assert reload(db, consultation).status == ConsultationStatus.OPEN
    client.post_form(f"{b}/close", token_from=f"{b}/close")
    assert reload(db, consultation).status == ConsultationStatus.CLOSED
    past = client.post_form(
        f"{b}/reopen", {"closes_at": "2020-01-01T10:00"}, token_from=f"{b}/reopen"
    )
    assert "The new closing date must be in the future." in past.get_data(as_text=True)
    later = (utcnow() + timedelta(days=40)).strftime("%Y-%m-%dT12:00")
    assert (
        client.post_form(f"{b}/reopen", {"closes_at": later}, token_from=f"{b}/reopen")
    ).status_code == 302
    assert reload(db, consultation).status == ConsultationStatus.OPEN
    refused = client.post_form(f"{b}/archive", token_from=f"{b}/archive", follow_redirects=True)
    assert "Close the consultation before archiving it." in refused.get_data(as_text=True)
    copy = client.post_form(f"{b}/clone", {"slug": "the-copy"}, token_from=f"{b}/clone")
    clone = db.session.scalar(sa.select(Consultation).where(Consultation.slug == "the-copy"))
    assert copy.headers["Location"] == base(clone) and clone.cloned_from_id == consultation.id
    assert f'value="{consultation.slug}-2"' in client.get(f"{b}/clone").get_data(as_text=True)


def test_the_audience_count_without_and_with_javascript(client, auth, db):
    consultation = ConsultationFactory()
    members = [AuthorityFactory(country=country) for country in ("FR", "FR", "DE")]
    consultation.association.members.extend(members)
    AuthorityFactory(country="FR")  # not a member
    db.session.commit()
    auth.login(UserFactory(role=Role.AUTHOR, organisation=consultation.association))
    url = f"{base(consultation)}/audience"
    page = client.get(url).get_data(as_text=True)
    assert "Update the count" in page and "audience-count.js" in page
    assert "<legend>Countries</legend>" in page
    counted = client.post_form(
        url, {"countries": ["FR"], "members_only": "y", "action": "count"}, token_from=url
    )
    assert "2 authorities match." in counted.get_data(as_text=True)
    assert reload(db, consultation).audience_criteria == {}  # counting saves nothing
    live = client.get(f"{url}/count?countries=FR&countries=DE")
    assert live.get_json() == {"count": 4, "message": "4 authorities match."}
    assert client.get(f"{url}/count?countries=FR&members_only=1").get_json()["count"] == 2
    saved = client.post_form(
        url, {"countries": ["DE"], "members_only": "y", "action": "save"}, token_from=url
    )
    assert saved.status_code == 302
    assert reload(db, consultation).audience_criteria["countries"] == ["DE"]


def test_the_audience_list_search_add_upload_and_remove(client, auth, db):
    consultation = ConsultationFactory()
    paris = AuthorityFactory(name="Paris", lau_code="75056")
    lyon = AuthorityFactory(name="Lyon", lau_code="69123")
    auth.login(UserFactory(role=Role.AUTHOR, organisation=consultation.association))
    url = f"{base(consultation)}/audience/list"
    found = client.get(f"{url}?q=par").get_data(as_text=True)
    assert "Paris" in found and "Lyon" not in found
    client.post_form(f"{url}/add", {"authority_ids": [paris.id]}, token_from=url)
    assert reload(db, consultation).audience_mode.value == "list"
    from io import BytesIO

    bad = client.post_form(
        f"{url}/upload",
        {"file": (BytesIO(b"country,lau_code\nFR,69123\nFR,00000\n"), "codes.csv")},
        token_from=url,
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Nothing was added from the file" in html
    assert "Line 3: no authority has LAU code 00000 in FR." in html
    good = client.post_form(
        f"{url}/upload",
        {"file": (BytesIO(b"FR,69123\n"), "codes.csv")},
        token_from=url,
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    remove = f"{url}/{lyon.id}/remove"
    assert "Remove Lyon from the audience?" in client.get(remove).get_data(as_text=True)
    client.post_form(remove, token_from=remove)
    members = db.session.scalars(sa.select(AudienceMember.authority_id)).all()
    assert members == [paris.id]


def test_invitations_page_starts_a_job_with_a_progress_page(client, auth, db, drain_jobs):
    consultation = ready_consultation()
    authority = consultation.association.members[0]
    UserFactory(role=Role.RESPONDENT, organisation=authority)
    auth.login(UserFactory(role=Role.AUTHOR, organisation=consultation.association))
    b = base(consultation)
    draft_page = client.get(f"{b}/invitations").get_data(as_text=True)
    assert "once the consultation is open" in draft_page
    client.post_form(f"{b}/open", token_from=f"{b}/open")
    page = client.get(f"{b}/invitations").get_data(as_text=True)
    assert "Invite the 1 authority not invited yet" in page
    response = client.post_form(f"{b}/invitations/send", token_from=f"{b}/invitations")
    job = db.session.scalar(sa.select(Job))
    assert response.headers["Location"] == f"{b}/jobs/{job.id}"
    drain_jobs()
    progress = client.get(f"{b}/jobs/{job.id}").get_data(as_text=True)
    assert "<progress" in progress and 'value="100"' in progress
    assert "Authorities reached" in progress
    status = client.get(f"{b}/jobs/{job.id}/status").get_json()
    assert status["finished"] is True and status["percent"] == 100
    table = client.get(f"{b}/invitations").get_data(as_text=True)
    assert authority.name in table and "Not started" in table
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1


def test_descriptions_are_sanitised_on_the_overview(client, auth, db):
    consultation = ConsultationFactory(
        description={"en": "Hi <script>alert(1)</script> [x](javascript:alert(2))"}
    )
    auth.login(UserFactory(role=Role.AUTHOR, organisation=consultation.association))
    html = client.get(base(consultation)).get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript' not in html


def test_authors_and_admins_see_the_consultations_entry(client, auth):
    auth.login(UserFactory(role=Role.AUTHOR))
    assert 'href="/consultations/manage"' in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(UserFactory(role=Role.RESPONDENT))
    assert 'href="/consultations/manage"' not in client.get("/").get_data(as_text=True)
