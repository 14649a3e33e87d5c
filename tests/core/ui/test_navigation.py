"""The portal's menu: built from the apps' declarations, filtered by role, real pages only."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, set_urlconf

from core import extensions
from core.access.roles import Role
from core.extensions import AppDeclaration, DashboardSection, declarations
from core.ui.navigation import build

TENANT_URLCONF = "config.urls_tenant"

MENU = re.compile(r'<nav class="portal-menu".*?</nav>', re.S)
ENTRY = re.compile(r'<a href="(?P<href>[^"]+)" data-section="(?P<key>[^"]+)"')


def menu_entries(html: str) -> list[tuple[str, str]]:
    """(section key, link) of every entry of the page's menu, the dashboard's first."""
    menus = MENU.findall(html)
    assert len(menus) == 1, "one menu on the page"
    return [(m["key"], m["href"]) for m in ENTRY.finditer(menus[0])]


def declared_for(roles) -> list[str]:
    """What the declarations promise these roles, worked out from them directly: every
    section one of the roles may see whose page resolves, in the declared order."""
    sections = sorted(
        (s for d in declarations() for s in d.sections), key=lambda section: section.order
    )
    return [
        s.key for s in sections if s.roles & set(roles) and s.url_name and _resolves(s.url_name)
    ]


def _resolves(url_name: str) -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse(url_name, urlconf=TENANT_URLCONF)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def tenant_urls():
    set_urlconf(TENANT_URLCONF)
    yield
    set_urlconf(None)


@pytest.fixture
def fake_section():
    """A declaration of an app that does not exist, registered as discovery would."""
    extensions.declarations()  # discover the real ones first
    fake = AppDeclaration(
        label="fake_app",
        sections=(
            DashboardSection(
                "fake-section",
                "Fake section",
                "Registered by the test only.",
                frozenset({Role.DISPATCHER}),
                # An existing page: the fake app has none of its own.
                url_name="notifications:inbox",
                order=5,
            ),
            DashboardSection(
                "fake-coming",
                "Fake section without a page",
                "Not shown anywhere.",
                frozenset({Role.DISPATCHER}),
                order=6,
            ),
            DashboardSection(
                "fake-typo",
                "Fake section whose page does not resolve",
                "Not shown anywhere.",
                frozenset({Role.DISPATCHER}),
                url_name="fake_app:nowhere",
                order=7,
            ),
        ),
    )
    extensions._declarations["fake_app"] = fake
    yield fake
    extensions._declarations.pop("fake_app", None)


# -- every declared section resolves --------------------------------------------------------------


def test_every_declared_section_names_a_page_of_the_portal():
    """A section is shown only once its page exists; a url_name that does not resolve is a typo
    (or a page not yet mounted) that would hide the section silently."""
    for declaration in declarations():
        for section in declaration.sections:
            assert section.url_name, f"{declaration.label}: section {section.key} has no page"
            assert _resolves(section.url_name), f"{section.url_name} does not resolve"


def test_section_keys_are_unique():
    keys = [s.key for d in declarations() for s in d.sections]
    assert len(keys) == len(set(keys))


# -- the menu of each role, rendered ------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role.values))
def test_menu_has_exactly_the_sections_the_role_may_see(alpha, client_of, make_user, role):
    client = client_of(alpha, make_user(alpha, roles=[role]))
    html = client.get("/").content.decode()
    entries = menu_entries(html)
    assert entries[0] == ("dashboard", "/")
    assert [key for key, _href in entries[1:]] == declared_for([role])
    for key, href in entries:
        resolve(href, urlconf=TENANT_URLCONF)  # a real page of the portal
        answer = client.get(href)
        assert answer.status_code == 200, f"{role}: the menu's {key} answers {answer.status_code}"


@pytest.mark.django_db
def test_menu_and_dashboard_show_the_same_sections(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.CHAIRMAN, Role.OWNER])
    response = client_of(alpha, user).get("/")
    cards = [section.key for section in response.context["sections"]]
    menu = [key for key, _href in menu_entries(response.content.decode())[1:]]
    assert cards == menu == declared_for([Role.CHAIRMAN, Role.OWNER])
    assert {"home", "registry", "invitations"} <= set(menu)


@pytest.mark.django_db
def test_owner_sees_no_board_section(alpha, client_of, make_user):
    html = client_of(alpha, make_user(alpha, roles=[Role.OWNER])).get("/").content.decode()
    keys = {key for key, _href in menu_entries(html)}
    assert "home" in keys
    assert not keys & {"registry", "invitations", "import", "accounts", "export"}


@pytest.mark.django_db
def test_no_menu_for_a_visitor_or_on_the_public_site(alpha, client_of, client):
    login_page = client_of(alpha).get("/accounts/login/").content.decode()
    assert 'class="portal-menu"' not in login_page
    assert 'class="breadcrumbs"' not in login_page
    landing = client.get("/").content.decode()
    assert 'class="portal-menu"' not in landing


# -- a new declaration needs no central edit -------------------------------------------------------


@pytest.mark.django_db
def test_a_new_declaration_appears_in_menu_and_dashboard(alpha, client_of, make_user, fake_section):
    response = client_of(alpha, make_user(alpha, roles=[Role.DISPATCHER])).get("/")
    menu = menu_entries(response.content.decode())
    assert ("fake-section", "/notifications/") in menu
    assert "fake-section" in [section.key for section in response.context["sections"]]
    # Declared without a page, or with one that does not resolve: shown nowhere.
    keys = {key for key, _href in menu} | {s.key for s in response.context["sections"]}
    assert not keys & {"fake-coming", "fake-typo"}
    # Only to the roles it names.
    other = client_of(alpha, make_user(alpha, roles=[Role.OWNER])).get("/").content.decode()
    assert "fake-section" not in {key for key, _href in menu_entries(other)}


# -- the current section ------------------------------------------------------------------------


def test_current_section_is_the_longest_matching_page(tenant_urls):
    nav = build("/registry/import/", "imports", {Role.CHAIRMAN})
    current = [(item.key, item.current) for item in nav.items if item.current]
    assert current == [("import", "page")]
    nav = build("/registry/premises/1/", "residents", {Role.CHAIRMAN})
    assert [(i.key, i.current) for i in nav.items if i.current] == [("registry", "true")]
    assert not nav.on_dashboard
    assert build("/", "portal", {Role.OWNER}).on_dashboard


def test_a_page_outside_every_section_marks_none(tenant_urls):
    nav = build("/accounts/password/", "access", {Role.OWNER})
    assert nav.current is None


@pytest.mark.django_db
def test_breadcrumbs_lead_home_then_to_the_section(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.CHAIRMAN]))
    html = client.get("/registry/import/").content.decode()
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert 'href="/"' in crumbs
    assert 'aria-current="page"' in crumbs
    dashboard = client.get("/").content.decode()
    assert 'class="breadcrumbs"' not in dashboard


def test_a_section_without_a_page_has_no_url(tenant_urls):
    assert DashboardSection("k", "T", "D", frozenset({Role.OWNER})).url == ""
    typo = DashboardSection("k", "T", "D", frozenset({Role.OWNER}), url_name="nowhere:page")
    assert typo.url == ""


@pytest.mark.django_db
def test_the_menu_costs_no_query(alpha, make_user, rf, tenant_urls, django_assert_num_queries):
    from core.ui.navigation import navigation

    request = rf.get("/registry/")
    request.tenant = alpha
    request.user = make_user(alpha, roles=[Role.CHAIRMAN])
    with django_assert_num_queries(0):
        nav = navigation(request)
        assert navigation(request) is nav  # once per request
    assert nav.current.key == "registry"
