"""Answer pages: every question type's markup, saving section by section without JavaScript,
conditions decided on the server, the autosave endpoint."""

from __future__ import annotations

import re

from tests.surveys.respond.helpers import start, version_on


def test_start_then_first_section_has_every_hook(client, auth, world):
    auth.login(world.official)
    page = start(client, world)
    assert "Section 1 of 3" in page
    assert 'data-autosave-url="/respond/' in page
    assert 'id="save-status" role="status" aria-live="polite"' in page
    assert 'data-code="plan_year"' in page
    assert 'data-relevant="{&#34;type&#34;:&#34;cmp&#34;' in page
    # Not relevant until has_plan is yes: rendered hidden, the browser script reveals it.
    assert re.search(r'id="question-plan_year"[^>]*hidden', page)
    assert '<legend>Question has_plan? <span class="required-mark">(required)</span></legend>' in (
        page
    )
    assert 'name="services.other"' in page
    assert version_on(page) == 1
