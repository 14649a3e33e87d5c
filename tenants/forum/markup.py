"""Posts' text: Markdown made into HTML, then sanitised by an allow-list (``nh3``).

``markdown`` turns what the member wrote into HTML (raw HTML in the text passes through it), and
``nh3`` (the Rust ``ammonia`` sanitiser) keeps only the tags and attributes listed here: no
script, style, frame, form, image or event handler survives, links keep only http(s) and mailto
targets and get ``rel="nofollow noopener noreferrer ugc"``. Images are left out on purpose: a
picture is an attachment (a private file), never a request to someone else's server.
"""

from __future__ import annotations

from html import unescape

import markdown
import nh3

#: The longest post, in characters of Markdown.
MAX_LENGTH = 20_000

TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "b",
    "em",
    "i",
    "del",
    "s",
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
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def render(text: str) -> str:
    """The safe HTML of a post's Markdown."""
    html = markdown.markdown(
        text,
        extensions=["fenced_code", "tables", "sane_lists", "nl2br"],
        output_format="html",
    )
    return sanitise(html)


def plain(html: str) -> str:
    """The text of sanitised HTML without its tags, spaces folded."""
    return " ".join(unescape(nh3.clean(html, tags=set())).split())


def excerpt(html: str, length: int = 200) -> str:
    """The beginning of a post's HTML as plain text (for search results)."""
    plain_text = plain(html)
    return plain_text if len(plain_text) <= length else plain_text[: length - 1].rstrip() + "…"
