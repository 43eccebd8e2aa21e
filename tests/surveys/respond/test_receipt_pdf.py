"""The receipt page offers the PDF copy to the authority's officials only; submitting through
the pages e-mails one receipt with the PDF; answer pages carry what respond.js needs."""

from __future__ import annotations

import io
import json
import re

from pypdf import PdfReader

from consult.surveys.models import Consent
from tests.surveys.respond.helpers import start, version_on


def _form_version(page: str) -> int:
    match = re.search(r'<input[^>]*name="version"[^>]*value="(\d+)"', page)
    assert match, "no version on the page"
    return int(match.group(1))


ANSWERS = {"has_plan": "no", "services": "language", "contact": "office"}


def _submit_through_pages(client, world) -> None:
    page = start(client, world)
    url = world.url("/sections/1")
    saved = client.post_form(
        url, {**ANSWERS, "version": version_on(page), "action": "save"}, token_from=url
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)[:500]
    review = client.get(world.url("/review")).get_data(as_text=True)
    submitted = client.post_form(
        world.url("/submit"),
        {
            "version": _form_version(review),
            "consent": Consent.PUBLIC_ANONYMOUS.value,
            "submitter_name": "Olga <Official>",
            "submitter_function": "Mayor",
        },
        token_from=world.url("/review"),
    )
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]
    assert submitted.headers["Location"].endswith("/receipt")


def test_the_receipt_page_links_the_pdf_and_the_pdf_has_the_answers(
    client, auth, world, mailbox, drain_jobs
):
    auth.login(world.official)
    _submit_through_pages(client, world)
    receipt = client.get(world.url("/receipt")).get_data(as_text=True)
    assert f'href="{world.url("/receipt.pdf")}"' in receipt
    download = client.get(world.url("/receipt.pdf"))
    assert download.status_code == 200
    assert download.mimetype == "application/pdf"
    assert "attachment;" in download.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(download.data)).pages)
    assert "Olga <Official>, Mayor" in text
    assert "Option office" in text and "Question has_plan?" in text

    drain_jobs()
    assert len(mailbox) == 1  # one receipt, to who submitted
    assert mailbox[0]["To"] == world.official.email
    assert any(p.get_filename() for p in mailbox[0].walk())


def test_the_pdf_is_for_the_authority_only(client, auth, world):
    auth.login(world.official)
    _submit_through_pages(client, world)
    auth.logout()
    auth.login(world.colleague)
    assert client.get(world.url("/receipt.pdf")).status_code == 200
    for someone in (world.stranger, world.outsider):
        auth.logout()
        auth.login(someone)
        assert client.get(world.url("/receipt.pdf")).status_code == 404
    auth.logout()
    assert client.get(world.url("/receipt.pdf")).status_code == 302  # to sign-in


def test_no_pdf_before_the_first_submission(client, auth, world):
    auth.login(world.official)
    start(client, world)
    assert client.get(world.url("/receipt.pdf")).status_code == 404


def test_answer_pages_load_respond_js_with_the_answers_of_earlier_sections(client, auth, world):
    auth.login(world.official)
    page = start(client, world)
    url = world.url("/sections/1")
    client.post_form(
        url, {**ANSWERS, "version": version_on(page), "action": "save"}, token_from=url
    )
    second = client.get(world.url("/sections/2")).get_data(as_text=True)
    assert '<script src="/static/js/respond.js"></script>' in second
    prior = re.search(r'data-prior-answers="([^"]*)"', second).group(1)
    assert json.loads(prior.replace("&#34;", '"')) == {
        "has_plan": "no",
        "services": ["language"],
        "contact": "office",
    }
    assert client.get("/static/js/respond.js").status_code == 200


def test_the_review_shows_dates_and_numbers_in_the_readers_locale(client, auth, world, db):
    world.official.locale = "de"
    db.session.commit()
    auth.login(world.official)
    page = start(client, world)
    url = world.url("/sections/1")
    client.post_form(
        url,
        {"has_plan": "yes", "plan_year": "2020", "version": version_on(page), "action": "save"},
        token_from=url,
    )
    url = world.url("/sections/3")
    version = version_on(client.get(url).get_data(as_text=True))
    client.post_form(
        url, {"adopted_on": "2021-05-04", "version": version, "action": "save"}, token_from=url
    )
    review = client.get(world.url("/review")).get_data(as_text=True)
    assert "4. Mai 2021" in review and "2021-05-04" not in review
    assert ">2020<" in review  # a year, not "2.020"
