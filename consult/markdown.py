"""Markdown written by authors (consultation descriptions), rendered to sanitised HTML.

markdown-it-py renders CommonMark with raw HTML turned off; nh3 then keeps only a short list of
tags and attributes and only http, https and mailto links, so neither `<script>` nor
`javascript:` links survive, whatever the author typed. Headings are shifted down two levels so a
description never competes with the page's own `<h1>`/`<h2>`.
"""

from __future__ import annotations

import functools

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)


def _shift_headings(html: str) -> str:
    for level in range(6, 0, -1):
        shifted = min(level + 2, 6)
        html = html.replace(f"<h{level}>", f"<h{shifted}>").replace(
            f"</h{level}>", f"</h{shifted}>"
        )
    return html


def sanitise_html(html: str) -> Markup:
    """`html` with only the allowed tags, attributes and link schemes left."""
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)


def render_markdown(text: str | None) -> Markup:
    """Safe HTML for `text` written in Markdown (empty for None or blank text)."""
    if not text or not text.strip():
        return Markup("")
    return _rendered(text)


@functools.lru_cache(maxsize=4096)
def _rendered(text: str) -> Markup:
    # Pages render the same help texts at every request (answer pages: one per question);
    # the result depends on the text alone and Markup is immutable, so it is shared.
    return sanitise_html(_shift_headings(_parser.render(text)))


def register(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
