"""The questionnaire builder in Chromium: built without JavaScript, reordered with drag and drop
and the keyboard, edited in place; axe-core finds no serious violation; it fits a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from consult.accounts.models import Role
from consult.surveys import questionnaire as qs
from tests.browser.test_accessibility_base import serious_violations
from tests.browser.test_sign_in_roles import sign_in
from tests.factories import ConsultationFactory, UserFactory
from tests.surveys.test_xlsform import REAL_WORLD, md_workbook

pytestmark = pytest.mark.browser

OPTIONS = [{"code": "x", "label": {"en": "X"}}, {"code": "y", "label": {"en": "Y"}}]
TYPES = [
    "single_choice", "multiple_choice", "yes_no", "scale", "matrix", "ranking", "number",
    "short_text", "long_text", "date", "note",
]  # fmt: skip


@pytest.fixture
def author(db):
    return UserFactory(role=Role.AUTHOR)


@pytest.fixture
def consultation(author):
    return ConsultationFactory(association=author.organisation, languages=["en", "fr"])


@pytest.fixture
def filled(consultation, author):
    """Page 1 with a, b and c; an empty page 2."""
    section = qs.add_section(consultation, actor=author, title={"en": "Housing"})
    for code in ("a", "b", "c"):
        qs.add_question(
            section, actor=author, code=code, type="single_choice", label={"en": f"{code}?"},
            options=OPTIONS,
        )  # fmt: skip
    qs.add_section(consultation, actor=author, title={"en": "Jobs"})
    return consultation


def order(page) -> list[list[str]]:
    """The question codes of each page of the overview, as shown."""
    return page.eval_on_selector_all(
        "ol.question-list",
        "lists => lists.map(l => Array.from(l.querySelectorAll('li[data-item-name]'))"
        ".map(li => li.dataset.itemName))",
    )


@pytest.mark.parametrize("javascript", [False, True], ids=["without-js", "with-js"])
def test_author_builds_a_questionnaire(browser, live_server, author, consultation, javascript):
    """Without JavaScript first: every step is a plain form. With it, the same steps still work."""
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, author)
        page.goto(f"{live_server}/consultations/{consultation.slug}/questionnaire")
        page.get_by_role("link", name="Add a page").click()
        page.get_by_label("Title, English").fill("Housing")
        page.get_by_role("button", name="Save the page").click()
        expect(page.get_by_role("heading", name="Page 1: Housing")).to_be_visible()

        # A single choice question with an "other, please specify" option.
        page.get_by_role("link", name="Add a question to page 1").click()
        page.get_by_label("Single choice").check()
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", name="New question: Single choice")).to_be_visible()
        page.locator("#code").fill("tenure")
        page.get_by_label("Question, English").fill("Who owns the housing?")
        for number, (code, label) in enumerate(
            [("public", "Public"), ("private", "Private"), ("other", "Other")]
        ):
            page.locator(f"#options-{number}-code").fill(code)
            page.locator(f"#options-{number}-label_en").fill(label)
        page.locator("#options-2-is_other").check()
        page.get_by_role("button", name="Save the question").click()
        expect(page.get_by_text("The question tenure was added.")).to_be_visible()

        # A number question with bounds.
        page.get_by_role("link", name="Add a question to page 1").click()
        page.get_by_label("Number").check()
        page.get_by_role("button", name="Continue").click()
        page.locator("#code").fill("size")
        page.get_by_label("Question, English").fill("How many homes?")
        page.get_by_label("Smallest accepted value").fill("0")
        page.get_by_label("Largest accepted value").fill("100000")
        page.keyboard.press("Enter")  # Enter saves (not "Check the condition")
        expect(page.get_by_text("The question size was added.")).to_be_visible()

        # A question shown on a condition: first with a typo, then fixed.
        page.get_by_role("link", name="Add a question to page 1").click()
        page.get_by_label("Yes / no").check()
        page.get_by_role("button", name="Continue").click()
        page.locator("#code").fill("plan")
        page.get_by_label("Question, English").fill("Is there a plan?")
        condition = page.get_by_label("Show this question only if")
        condition.fill("${tenur} = 'public'")
        page.get_by_role("button", name="Save the question").click()
        summary = page.get_by_role("alert")
        assert "${tenur}" in summary.inner_text()
        assert page.locator(".condition-where mark").inner_text() == "${tenur}"
        assert condition.get_attribute("aria-invalid") == "true"
        summary.get_by_role("link").first.click()
        condition.fill("${tenure} = 'public'")
        page.get_by_role("button", name="Check the condition").click()
        expect(page.get_by_text("The condition is correct.")).to_be_visible()
        page.get_by_role("button", name="Save the question").click()
        expect(page.get_by_text("Shown only if ${tenure} = 'public'")).to_be_visible()
        assert order(page) == [["tenure", "size", "plan"]]

        # Reorder with the buttons.
        page.get_by_role("button", name="Down (size)").click()
        assert order(page) == [["tenure", "plan", "size"]]
        page.get_by_role("button", name="Up (plan)").click()  # refused: plan depends on tenure
        assert "comes after this question" in page.locator(".notice-error").inner_text()
        assert order(page) == [["tenure", "plan", "size"]]
        page.get_by_role("button", name="Up (size)").click()
        assert order(page) == [["tenure", "size", "plan"]]

        # Delete with confirmation.
        page.get_by_role("link", name="Delete size").click()
        expect(page.get_by_role("heading", name="Delete the question size?")).to_be_visible()
        page.get_by_role("button", name="Yes, delete").click()
        expect(page.get_by_text("The question size was deleted.")).to_be_visible()
        assert "size" not in order(page)[0]
    finally:
        context.close()


def drag(page, handle, target, *, above: bool = True) -> None:
    """Drag `handle` with the mouse onto the top (or bottom) part of `target`."""
    start = handle.bounding_box()
    box = target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    y = box["y"] + (box["height"] * 0.25 if above else box["height"] * 0.75)
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=8)
    page.mouse.up()


def test_author_reorders_by_drag_and_keyboard_and_edits_in_place(page, live_server, author, filled):
    sign_in(page, live_server, author)
    url = f"{live_server}/consultations/{filled.slug}/questionnaire"
    page.goto(url)
    live = page.locator(".live-region")

    # Drag c above a with the mouse.
    drag(page, page.get_by_role("button", name="Reorder c"), page.locator("li[data-item-name=a]"))
    assert order(page) == [["c", "a", "b"], []]
    expect(live).to_contain_text("moved")
    assert "c moved: position 1 of 3" in live.inner_text()
    assert page.get_by_role("button", name="Up (c)").is_disabled()
    page.reload()
    assert order(page) == [["c", "a", "b"], []]

    # With the keyboard: a goes down one place, then b goes to the next page.
    handle = page.get_by_role("button", name="Reorder a")
    handle.focus()
    page.keyboard.press("Space")
    assert handle.get_attribute("aria-pressed") == "true"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(live).to_contain_text("a moved")
    page.reload()
    assert order(page) == [["c", "b", "a"], []]
    handle = page.get_by_role("button", name="Reorder b")
    handle.focus()
    for key in ("Space", "ArrowDown", "ArrowDown", "Space"):
        page.keyboard.press(key)
    expect(live).to_contain_text("b moved")
    page.reload()
    assert order(page) == [["c", "a"], ["b"]]

    # Escape cancels a keyboard move.
    handle = page.get_by_role("button", name="Reorder c")
    handle.focus()
    for key in ("Space", "ArrowDown", "Escape"):
        page.keyboard.press(key)
    assert order(page) == [["c", "a"], ["b"]]

    # The buttons are still there and still work.
    page.get_by_role("button", name="Down (c)").click()
    assert order(page) == [["a", "c"], ["b"]]

    # In-place editing of a question's text.
    page.get_by_role("button", name="Edit the text a").click()
    field = page.get_by_label("Text of a (en)")
    assert field.input_value() == "a?"
    field.fill("Who owns the housing?")
    page.keyboard.press("Enter")
    label = page.locator("li[data-item-name=a] .question-label")
    expect(label).to_have_text("Who owns the housing?")
    expect(page.get_by_role("button", name="Edit the text a")).to_be_focused()
    expect(page.locator(".live-region")).to_contain_text("Saved.")
    page.get_by_role("button", name="Edit the text a").click()
    page.get_by_label("Text of a (en)").fill("")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Enter the text.")).to_be_visible()
    expect(page.get_by_label("Text of a (en)")).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Escape")
    expect(label).to_have_text("Who owns the housing?")
    page.reload()
    expect(label).to_have_text("Who owns the housing?")


def test_options_are_reordered_by_keyboard(page, live_server, author, filled):
    sign_in(page, live_server, author)
    question = next(q for q in filled.questions if q.code == "a")
    url = f"{live_server}/consultations/{filled.slug}/questionnaire/questions/{question.id}/edit"
    page.goto(url)
    page.get_by_role("button", name="Reorder y").focus()
    for key in ("Space", "ArrowUp", "Space"):
        page.keyboard.press(key)
    expect(page.locator(".live-region")).to_contain_text("y moved")
    page.reload()
    codes = page.eval_on_selector_all(
        ".option-list li", "items => items.map(i => i.dataset.itemName)"
    )
    assert codes == ["y", "x"]


def test_builder_pages_have_no_serious_violations(page, live_server, author, filled):
    sign_in(page, live_server, author)
    slug = filled.slug
    section = qs.sections_in_order(filled)[0]
    question = next(q for q in filled.questions if q.code == "a")
    b = f"{live_server}/consultations/{slug}/questionnaire"
    paths = [
        b,
        f"{b}/sections/new",
        f"{b}/sections/{section.id}/edit",
        f"{b}/sections/{section.id}/delete",
        f"{b}/sections/{section.id}/questions/new",
        f"{b}/questions/{question.id}/edit",
        f"{b}/questions/{question.id}/type",
        f"{b}/questions/{question.id}/delete",
        f"{b}/questions/{question.id}/options/new",
        f"{b}/options/{question.options[0].id}/edit",
        f"{live_server}/consultations/{slug}/translations",
        f"{live_server}/consultations/{slug}/translations/upload",
        f"{live_server}/consultations/{slug}/translations/fr/fallback",
        f"{live_server}/consultations/import-xlsform",
    ] + [f"{b}/sections/{section.id}/questions/new?type={qtype}" for qtype in TYPES]
    for path in paths:
        page.goto(path)
        assert serious_violations(page) == [], path

    # Error states: a refused question with a pointed condition, a refused upload.
    page.goto(f"{b}/sections/{section.id}/questions/new?type=number")
    page.locator("#code").fill("new_q")
    page.get_by_label("Question, English").fill("New?")
    page.get_by_label("Show this question only if").fill("${zz} > 1")
    page.get_by_role("button", name="Save the question").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.locator("mark").count() == 1
    assert serious_violations(page) == []
    page.goto(f"{live_server}/consultations/import-xlsform")
    page.set_input_files(
        "#file", files=[{"name": "x.xlsx", "mimeType": "text/plain", "buffer": b"no"}]
    )
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert serious_violations(page) == []

    # The XLSForm report and the imported page.
    page.goto(f"{live_server}/consultations/import-xlsform")
    page.set_input_files(
        "#file",
        files=[{"name": "real.xlsx", "mimeType": "application/octet-stream",
                "buffer": md_workbook(REAL_WORLD)}],
    )  # fmt: skip
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name=re.compile("cannot be imported"))).to_be_visible()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Import the rest").click()
    expect(page.get_by_role("heading", name="XLSForm imported")).to_be_visible()
    assert serious_violations(page) == []


def test_builder_fits_a_phone(browser, live_server, author, filled):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, live_server, author)
        section = qs.sections_in_order(filled)[0]
        question = next(q for q in filled.questions if q.code == "a")
        b = f"{live_server}/consultations/{filled.slug}/questionnaire"
        for path in (
            b,
            f"{b}/questions/{question.id}/edit",
            f"{b}/sections/{section.id}/questions/new?type=scale",
            f"{live_server}/consultations/{filled.slug}/translations",
        ):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
        page.goto(b)
        expect(page.get_by_role("button", name="Down (a)")).to_be_visible()
    finally:
        context.close()


def test_condition_is_checked_as_it_is_typed(page, live_server, author, filled):
    sign_in(page, live_server, author)
    question = next(q for q in filled.questions if q.code == "b")
    page.goto(
        f"{live_server}/consultations/{filled.slug}/questionnaire/questions/{question.id}/edit"
    )
    condition = page.get_by_label("Show this question only if")
    condition.type("${a} = 'zz'")
    feedback = page.locator("#relevant-feedback")
    expect(feedback).to_contain_text("Option 'zz' at position 8 does not exist in ${a}")
    expect(feedback.locator("mark")).to_have_text("'zz'")
    assert "relevant-feedback" in condition.get_attribute("aria-describedby")
    condition.fill("${a} = 'x'")
    condition.press("End")
    condition.type(" ")
    expect(feedback).to_contain_text("The condition is correct.")
