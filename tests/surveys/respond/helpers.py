"""Helpers of the responding view tests."""

from __future__ import annotations

import re

import sqlalchemy as sa


def version_on(page: str) -> int:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, "no version on the page"
    return int(match.group(1))


def start(client, world) -> str:
    """Start the authority's response through its page; the first section's HTML."""
    overview = world.url()
    response = client.post_form(f"{overview}/start", token_from=overview)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)


def draft_of(db, world):
    """The authority's stored draft answers (fresh from the database)."""
    from consult.surveys.models import Response

    db.session.expire_all()
    response = db.session.scalar(
        sa.select(Response).where(
            Response.consultation_id == world.consultation.id,
            Response.authority_id == world.official.organisation_id,
        )
    )
    return response


def save(client, world, number: int, data: dict, *, action: str = "next", version=None):
    """Post section `number` as the browser without JavaScript does."""
    url = world.url(f"/sections/{number}")
    if version is None:
        version = version_on(client.get(url).get_data(as_text=True))
    return client.post_form(
        url, {**data, "version": str(version), "action": action}, token_from=url
    )


VALID = {
    1: {"has_plan": "yes", "plan_year": "2020", "services": ["language"], "contact": "office"},
    2: {"satisfaction": "4", "grid.schools": "2", "grid.health": "3", "priorities.b": "1"},
    3: {"name_of_plan": "Welcome plan", "story": "It works.", "adopted_on": "2021-05-04"},
}


def answer_everything(client, world) -> None:
    """A complete, valid draft, saved section by section."""
    start(client, world)
    for number, data in VALID.items():
        result = save(client, world, number, data, action="save")
        assert result.status_code == 200, result.get_data(as_text=True)[:1000]


def submit(client, world, **fields):
    review = world.url("/review")
    page = client.get(review).get_data(as_text=True)
    data = {
        "version": str(version_on(page)),
        "consent": "public_named",
        "submitter_name": "Olga Official",
        "submitter_function": "Mayor",
        **fields,
    }
    return client.post_form(world.url("/submit"), data, token_from=review)
