"""Content-Security-Policy without 'unsafe-inline', and pages that comply with it.

The policy (config/settings.py) allows scripts and styles from the portal's own origin only: no
inline ``<script>``, no ``<style>`` element, no ``style=""`` attribute, no ``on…=""`` handler.
Three proofs:

* every GET page of the access matrix that answers 200 to someone is fetched as that someone and
  its header and markup are checked (the matrix grows with every feature, so does this walk);
* every template a browser receives is read for the forbidden markup, since an empty test
  schema leaves many branches unrendered (templates rendered only into PDFs by WeasyPrint are
  exempt: no browser applies their policy);
* the browser scenario (test_no_personal_data.py) fails on any CSP violation Chromium reports.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.access_expectations import (
    PUBLIC_ACTORS,
    PUBLIC_URLCONF,
    TENANT_ACTORS,
    TENANT_URLCONF,
    collect,
)

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = collect()

#: Templates rendered only into PDFs (WeasyPrint), never sent to a browser.
PDF_ONLY = {
    "letters/application_pdf.html",
    "budget/justification.html",
    "budget/report.html",
    "ledger/reconciliation.html",
    "ledger/receipts/receipt.html",
    "documents/register_pdf.html",
}
PDF_DIRS = ("voting/pdf/", "plans/pdf/")

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def markup_problems(html: str) -> list[str]:
    found = []
    for label, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("<style> element", STYLE_ELEMENT),
        ("style attribute", STYLE_ATTRIBUTE),
        ("event handler attribute", HANDLER),
    ):
        found += [f"{label}: {m.group(0)[:120]}" for m in pattern.finditer(html)]
    return found


def policy_problems(header: str) -> list[str]:
    directives = {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}
    problems = []
    for name in ("script-src", "style-src", "default-src"):
        sources = directives.get(name)
        if sources is None and name != "default-src":
            sources = directives.get("default-src")
        if sources is None:
            problems.append(f"no {name}")
        elif "'unsafe-inline'" in sources or "'unsafe-eval'" in sources or "*" in sources:
            problems.append(f"{name} {' '.join(sources)}")
    return problems


def test_the_checks_can_fail():
    assert markup_problems('<p style="color:red" onclick="x()">')
    assert markup_problems("<script>alert(1)</script>")
    assert not markup_problems('<script src="/static/a.js" defer></script>')
    assert policy_problems("default-src 'self'; style-src 'self' 'unsafe-inline'")
    assert not policy_problems(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:"
    )


def test_the_policy_has_no_unsafe_inline():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name in ("default-src", "script-src", "style-src"):
        assert directives[name] == ["'self'"], name


def browser_templates() -> list[Path]:
    found = []
    for folder in ("core", "tenants", "platform", "billing"):
        for path in sorted((ROOT / folder).rglob("templates/**/*.html")):
            name = str(path).split("/templates/", 1)[1]
            if name in PDF_ONLY or name.startswith(PDF_DIRS):
                continue
            found.append(path)
    return found


def test_no_template_sent_to_a_browser_carries_inline_script_or_style():
    problems = {
        str(path.relative_to(ROOT)): markup_problems(path.read_text())
        for path in browser_templates()
    }
    assert len(problems) > 100  # the walk found the templates
    assert {path: found for path, found in problems.items() if found} == {}


def test_pdf_only_templates_are_really_rendered_for_pdfs_only():
    """An exemption must not hide a page: a view module naming one renders a PDF with it."""
    used_by_views = []
    for name in PDF_ONLY:
        for source in ROOT.glob("*/**/views*.py"):
            text = source.read_text()
            if f'"{name}"' in text and "write_pdf" not in text:
                used_by_views.append((name, str(source.relative_to(ROOT))))
    assert used_by_views == []


def _pages(urlconf, actors, preference):
    pages = []
    for (conf, name), (_kwargs, answers) in EXPECTATIONS.items():
        if conf != urlconf:
            continue
        ok = [actor for actor in preference if answers.get(actor) == 200]
        if ok:
            pages.append((name, ok[0]))
    return sorted(pages)


#: The board sees the most of a page; anonymous visitors the public forms.
TENANT_PREFERENCE = ("chairman", *[a for a in TENANT_ACTORS if a != "chairman"])
TENANT_PAGES = _pages(TENANT_URLCONF, TENANT_ACTORS, TENANT_PREFERENCE)
PUBLIC_PAGES = _pages(PUBLIC_URLCONF, PUBLIC_ACTORS, ("operator", "member", "anonymous"))


def check_response(response):
    assert response.status_code == 200, response.status_code
    header = response.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    assert policy_problems(header) == []
    if response.get("Content-Type", "").startswith("text/html"):
        assert markup_problems(response.content.decode()) == []


def test_the_walk_covers_the_portal():
    assert len(TENANT_PAGES) > 100 and len(PUBLIC_PAGES) > 5


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "actor"), TENANT_PAGES)
def test_every_portal_page_carries_the_policy_and_complies(
    name, actor, alpha, client_of, make_user
):
    kwargs, _answers = EXPECTATIONS[(TENANT_URLCONF, name)]
    if actor == "anonymous":
        client = client_of(alpha)
    else:
        client = client_of(alpha, make_user(alpha, roles=[actor]))
    if callable(kwargs):
        connection.set_tenant(alpha)
        kwargs = kwargs(alpha)
    check_response(client.get(reverse(name, urlconf=TENANT_URLCONF, kwargs=kwargs)))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "actor"), PUBLIC_PAGES)
def test_every_public_page_carries_the_policy_and_complies(
    name, actor, alpha, client_of, public_client, make_user
):
    from tests.conftest import verify_second_factor
    from tests.factories import TEST_PASSWORD, UserFactory

    kwargs, _answers = EXPECTATIONS[(PUBLIC_URLCONF, name)]
    client = public_client
    if actor == "operator":
        connection.set_schema_to_public()
        operator = UserFactory(roles=[], is_staff=True)
        assert client.login(username=operator.email, password=TEST_PASSWORD)
        verify_second_factor(client, operator)
    elif actor == "member":
        client = client_of(alpha, make_user(alpha, roles=["chairman"]))
        client.defaults["HTTP_HOST"] = settings.BASE_DOMAIN
    if callable(kwargs):
        connection.set_schema_to_public()
        kwargs = kwargs(None)
    check_response(client.get(reverse(name, urlconf=PUBLIC_URLCONF, kwargs=kwargs)))
