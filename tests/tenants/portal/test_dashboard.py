"""The dashboard shows what each role opens, in Russian unless English was chosen."""

from __future__ import annotations

import pytest

from core.access.roles import Role

pytestmark = pytest.mark.django_db


def section_keys(response) -> list[str]:
    return [section.key for section in response.context["sections"]]


@pytest.mark.parametrize(
    ("roles", "shown", "hidden"),
    [
        ([Role.OWNER], {"home"}, {"registry", "invitations", "import", "accounts", "export"}),
        ([Role.ACCOUNTANT], {"accounts"}, {"home", "registry", "invitations", "export"}),
        ([Role.DISPATCHER], set(), {"home", "registry", "accounts", "export"}),
        ([Role.CHAIRMAN], {"registry", "invitations", "import", "export"}, {"home", "accounts"}),
        ([Role.OWNER, Role.ACCOUNTANT], {"home", "accounts"}, {"registry", "export"}),
    ],
)
def test_sections_follow_the_roles(alpha, client_of, make_user, roles, shown, hidden):
    """Every role's exact list is checked against the declarations in
    tests/core/ui/test_navigation.py; here, the sections that must (not) be there."""
    keys = section_keys(client_of(alpha, make_user(alpha, roles=roles)).get("/"))
    assert shown <= set(keys)
    assert not hidden & set(keys)


def test_no_roles_no_sections(alpha, client_of, make_user):
    assert section_keys(client_of(alpha, make_user(alpha, roles=[])).get("/")) == []


def test_cards_link_to_real_pages_only(alpha, client_of, make_user):
    """No placeholder cards: a section is shown once its page exists, and its card links to it."""
    client = client_of(alpha, make_user(alpha, roles=list(Role.values)))
    response = client.get("/")
    html = response.content.decode()
    for section in response.context["sections"]:
        assert section.url
        assert f'<a href="{section.url}">' in html


def test_dashboard_is_russian_by_default_even_for_an_english_browser(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ru">' in html
    assert "Мой дом" in html


def test_english_after_the_switch(alpha, client_of, make_user):
    client = client_of(alpha, make_user(alpha, roles=[Role.OWNER]))
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "My home" in html


def test_api_me_names_roles_and_association(alpha, client_of, make_user):
    user = make_user(alpha, roles=[Role.ACCOUNTANT, Role.OWNER])
    data = client_of(alpha, user).get("/api/v1/me/").json()
    assert data == {"id": str(user.pk), "roles": ["accountant", "owner"], "association": "alpha"}
