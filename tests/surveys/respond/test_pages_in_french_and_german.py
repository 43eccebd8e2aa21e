"""The responding pages in the respondent's interface language: inbox, answer form (hints and
errors), in French and German; the consultation's own texts follow its languages."""

from __future__ import annotations

import pytest

from tests.compiled_catalogues import compile_catalogues
from tests.surveys.respond.helpers import save, start


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogues():
    compile_catalogues()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", ["Mes consultations", "Non commencée", "Date limite\u00a0:"]),
        ("de", ["Meine Konsultationen", "Nicht begonnen", "Frist:"]),
    ],
)
def test_inbox_in_the_respondent_language(client, auth, world, db, locale, expected):
    world.official.locale = locale
    db.session.commit()
    auth.login(world.official)
    page = client.get("/my-consultations").get_data(as_text=True)
    assert f'<html lang="{locale}">' in page
    for text in expected:
        assert text in page
    assert "My consultations" not in page and "Not started" not in page


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr", ["Choisissez jusqu’à 2 options.", "Choisissez oui ou non.", "Enregistrer"]),
        ("de", ["Wählen Sie bis zu 2 Optionen.", "Wählen Sie Ja oder Nein.", "Speichern"]),
    ],
)
def test_answer_form_hints_and_errors_in_the_respondent_language(
    client, auth, world, db, locale, expected
):
    world.official.locale = locale
    db.session.commit()
    auth.login(world.official)
    start(client, world)
    page = save(client, world, 1, {"has_plan": "perhaps"}, action="next").get_data(as_text=True)
    for text in expected:
        assert text in page
    assert "Choose up to 2 options." not in page
