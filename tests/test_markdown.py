"""Descriptions in Markdown become sanitised HTML: no script, no javascript: links."""

from __future__ import annotations

from consult.markdown import render_markdown, sanitise_html


def test_markdown_renders_the_usual_formatting():
    html = render_markdown(
        "# Aim\n\n**Bold**, *italic* and [a link](https://example.org).\n\n- one"
    )
    assert "<h3>Aim</h3>" in html  # shifted below the page's own headings
    assert "<strong>Bold</strong>" in html and "<em>italic</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "<li>one</li>" in html


def test_script_tags_and_inline_html_are_stripped():
    html = render_markdown('Hello <script>alert("x")</script> <img src=x onerror=alert(1)>')
    assert "<script" not in html and "onerror=" not in html.replace("onerror=alert", "")
    assert "<img" not in html


def test_javascript_links_are_removed():
    for text in (
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "<javascript:alert(1)>",
        "[click](data:text/html,<script>alert(1)</script>)",
    ):
        html = render_markdown(text).lower()
        assert "<a" not in html and "href" not in html, html


def test_the_sanitiser_removes_what_markdown_could_never_produce():
    html = sanitise_html(
        '<a href="javascript:alert(1)">x</a><script>alert(2)</script>'
        '<p onclick="alert(3)" style="color:red">y</p><iframe src="https://e.org"></iframe>'
    )
    assert html == '<a rel="noopener noreferrer nofollow">x</a><p>y</p>'


def test_empty_text_renders_nothing():
    assert render_markdown(None) == "" and render_markdown("  \n") == ""


def test_the_jinja_filter_is_registered(app):
    template = app.jinja_env.from_string("{{ text | markdown }}")
    assert template.render(text="<b>x</b> *y*") == "<p>&lt;b&gt;x&lt;/b&gt; <em>y</em></p>\n"
