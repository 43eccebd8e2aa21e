"""Helpers of the responding view tests."""

from __future__ import annotations

import re


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
