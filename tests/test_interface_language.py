"""Interface language: the picker on every page (a plain form post with CSRF), remembered on
the account; dates, numbers and durations formatted for the chosen locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template_string

from consult.accounts.models import Role, User
from tests.factories import UserFactory


def _lang(client, path="/") -> str:
    html = client.get(path).get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("path", ["/", "/sign-in", "/accessibility", "/reset-password"])
def test_the_picker_is_a_form_on_every_public_page(client, path):
    html = client.get(path).get_data(as_text=True)
    form = html.split('class="language-form"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrf_token"' in form
    assert 'name="locale"' in form and 'value="fr"' in form and 'value="de"' in form
    assert '<label for="locale-picker"' in form
    assert 'type="submit"' in form


def test_the_choice_is_remembered_on_the_account(app, client, auth, db):
    user = UserFactory(role=Role.RESPONDENT, locale=None)
    auth.login(user)
    html = client.get("/account").get_data(as_text=True)
    assert 'class="language-form"' in html
    response = client.post_form("/language", {"locale": "de", "next": "/account"})
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "de"
    assert _lang(client) == "de"

    # Another browser, in English by its Accept-Language: the account's choice wins.
    other = app.test_client()
    Auth = type(auth)
    Auth(other).login(user)
    assert _lang(other) == "de"


def test_without_signing_in_the_browser_keeps_the_choice(client):
    assert _lang(client) == "en"
    client.post_form("/language", {"locale": "fr", "next": "/sign-in"})
    assert _lang(client, "/sign-in") == "fr"


def test_an_unknown_language_changes_nothing_and_says_so(client, auth, db):
    user = UserFactory(role=Role.RESPONDENT, locale="fr")
    auth.login(user)
    response = client.post_form("/language", {"locale": "xx", "next": "/"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page  # the message, in the language kept
    assert "Cette langue n’est pas disponible." in page
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "fr"


def test_the_choice_needs_the_csrf_token_and_stays_on_this_site(client):
    refused = client.post("/language", data={"locale": "de", "next": "/"})
    assert refused.status_code == 400
    assert _lang(client) == "en"
    response = client.post_form("/language", {"locale": "de", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("locale", "number", "day", "left"),
    [
        ("en", "1,234.5", "Mar 15, 2026", "3 days"),
        ("fr", "1\u202f234,5", "15 mars 2026", "3\xa0jours"),
        ("de", "1.234,5", "15.03.2026", "3 Tage"),
    ],
)
def test_dates_numbers_and_durations_follow_the_locale(app, locale, number, day, left):
    template = "{{ n|decimal }}|{{ d|date }}|{{ t|timedelta }}|{{ w|datetime('short') }}"
    with app.test_request_context("/", headers={"Accept-Language": locale}):
        out = render_template_string(
            template,
            n=1234.5,
            d=date(2026, 3, 15),
            t=timedelta(days=3, hours=2),
            w=datetime(2026, 3, 15, 11, 0, tzinfo=UTC),
        ).split("|")
    assert out[:3] == [number, day, left]
    assert "12:00" in out[3] or "12:00\u202fPM" in out[3]  # Brussels is UTC+1 in March
