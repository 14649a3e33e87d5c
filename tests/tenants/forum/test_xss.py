"""Members' Markdown is sanitised by an allow-list (nh3): none of these vectors reaches a page or
the API as markup that runs, and the harmless text around it stays."""

from __future__ import annotations

import re

import pytest

from tenants.forum import markup, services
from tenants.forum.models import Post

pytestmark = pytest.mark.django_db

VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<body onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<style>body{display:none}</style>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">hover</p>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "<details open ontoggle=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<input autofocus onfocus=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '"><script>alert(1)</script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<link rel="stylesheet" href="javascript:alert(1)">',
    "`<script>alert(1)</script>`",
]

DANGEROUS = re.compile(
    r"<\s*(script|iframe|img|svg|style|object|embed|form|input|meta|base|link|math|details|body|noscript)\b"
    r"|\son\w+\s*=|javascript:|vbscript:|data:text|style\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("vector", VECTORS)
def test_the_renderer_leaves_nothing_that_runs(vector):
    html = markup.render(f"Текст до {vector} и после")
    assert not DANGEROUS.search(html), html
    assert "Текст до" in markup.plain(html)


def test_every_vector_posted_through_the_api_is_stored_and_shown_safe(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    for vector in VECTORS:
        response = client.post(
            f"/api/v1/forum/topics/{forum.topic.pk}/posts/",
            {"body": f"Сосед пишет: {vector}"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert not DANGEROUS.search(response.json()["html"]), vector
    texts = []
    for number in (1, 2):
        page = client.get(f"/forum/topics/{forum.topic.pk}/?page={number}").content.decode()
        texts += re.findall(r'<div class="forum-text">(.*?)</div>', page, re.S)
    assert len(texts) == 1 + len(VECTORS)
    for text in texts:
        assert not DANGEROUS.search(text), text
    assert Post.objects.filter(topic=forum.topic).count() == 1 + len(VECTORS)


def test_a_post_of_only_script_is_refused_with_a_clear_message(forum, alpha, client_of):
    client = client_of(alpha, forum.boris)
    client.cookies["django_language"] = "ru"
    response = client.post(
        f"/api/v1/forum/topics/{forum.topic.pk}/posts/",
        {"body": "<script>alert(1)</script>"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert Post.objects.filter(topic=forum.topic).count() == 1


def test_links_keep_only_safe_targets_and_get_rel():
    html = markup.render("[сайт](https://example.org) <a href='mailto:a@b.c'>почта</a>")
    assert 'href="https://example.org"' in html and 'href="mailto:a@b.c"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html
    assert services.markup is markup
