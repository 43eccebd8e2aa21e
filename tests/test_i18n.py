"""Interface languages: pages render in French and German when that language is chosen (by
Accept-Language, the language picker or the account), and English stays the default."""

from __future__ import annotations

import pytest

from consult.accounts.models import Role
from tests.compiled_catalogues import compile_catalogues
from tests.factories import ConsultationFactory, UserFactory


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    compile_catalogues()


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "lang", "expected"),
    [
        ("fr-BE,fr;q=0.9", "fr", ["Se connecter", "Mot de passe", "Mot de passe oublié ?"]),
        ("de-AT,de;q=0.9", "de", ["Anmelden", "Passwort", "Passwort vergessen?"]),
        ("it-IT,it;q=0.9", "en", ["Sign in", "Password", "Forgotten your password?"]),
    ],
)
def test_sign_in_page_follows_accept_language(client, accept, lang, expected):
    html = page(client.get("/sign-in", headers={"Accept-Language": accept}))
    assert f'<html lang="{lang}">' in html
    for text in expected:
        assert text.replace(" ?", "\u00a0?") in html


def test_language_picker_choice_translates_the_next_pages(client):
    client.post_form("/language", {"locale": "de", "next": "/sign-in"})
    html = page(client.get("/sign-in", headers={"Accept-Language": "fr"}))
    assert "Anmelden" in html and "Zum Hauptinhalt springen" in html
    assert "Se connecter" not in html and "Sign in" not in html


def test_form_errors_are_in_the_chosen_language(client):
    client.post_form("/language", {"locale": "fr", "next": "/"})
    response = client.post_form("/sign-in", {"email": "", "password": ""}, token_from="/sign-in")
    html = response.get_data(as_text=True)
    assert "Saisissez votre adresse électronique." in html
    assert "Saisissez votre mot de passe." in html


def test_account_page_in_the_language_of_the_account(client, auth):
    user = UserFactory(locale="de")
    auth.login(user)
    html = page(client.get("/account", headers={"Accept-Language": "fr"}))
    assert '<html lang="de">' in html
    for text in ("Mein Konto", "Ihre Angaben", "Antwortende Person", "Ändern Sie Ihr Passwort"):
        assert text in html
    assert "My account" not in html


def test_account_choice_follows_the_person_after_signing_in_again(client, auth):
    user = UserFactory(locale="en")
    auth.login(user)
    client.post_form("/language", {"locale": "fr", "next": "/account"})
    auth.logout()
    with client.session_transaction() as session:
        session.clear()
    auth.login(user)
    html = page(client.get("/account"))
    assert "Mon compte" in html and "Vos informations" in html


def test_sign_out_message_is_translated(client, auth):
    auth.login(UserFactory(locale="fr"))
    response = auth.logout()
    html = page(client.get(response.headers["Location"]))
    assert "Vous êtes déconnecté." in html


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", ["Consultations de", "Nouvelle consultation", "Brouillon", "Titre ou adresse"]),
        ("de", ["Konsultationen von", "Neue Konsultation", "Entwurf", "Titel oder Adresse"]),
    ],
)
def test_authoring_list_in_french_and_german(client, auth, locale, expected):
    author = UserFactory(role=Role.AUTHOR, locale=locale)
    ConsultationFactory(association=author.organisation, title={"en": "Housing <b>2026</b>"})
    auth.login(author)
    html = page(client.get(f"/associations/{author.organisation.slug}/consultations"))
    for text in expected:
        assert text in html
    assert "Housing &lt;b&gt;2026&lt;/b&gt;" in html  # the consultation's own text, escaped


@pytest.mark.parametrize(
    ("locale", "one", "two"),
    [
        ("fr", "1 collectivité correspond.", "2 collectivités correspondent."),
        ("de", "1 Gebietskörperschaft entspricht", "2 Gebietskörperschaften entsprechen"),
    ],
)
def test_plural_forms_follow_the_number(app, locale, one, two):
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"), force_locale(locale):
        singular = "%(num)d authority matches."
        plural = "%(num)d authorities match."
        assert ngettext(singular, plural, 1).startswith(one)
        assert ngettext(singular, plural, 2).startswith(two)
