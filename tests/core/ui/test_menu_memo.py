"""The menu's and the dashboard cards' HTML are rendered once per menu (or set of sections) and
language in a process, and are exactly what their templates render."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from core.ui.navigation import MenuItem, Navigation
from core.ui.templatetags import portal_nav
from tenants.portal.templatetags import portal_cards


def test_the_menu_is_rendered_once_per_menu_and_language(monkeypatch):
    calls = []

    def counting(name, context):
        calls.append(name)
        return render_to_string(name, context)

    monkeypatch.setattr(portal_nav, "_menus", {})
    monkeypatch.setattr(portal_nav, "render_to_string", counting)
    nav = Navigation(
        items=(MenuItem("home", "Мой дом", "/home/", "page"), MenuItem("money", "Деньги", "/m/")),
        on_dashboard=False,
    )
    with translation.override("ru"):
        first = portal_nav.portal_menu(nav)
        assert portal_nav.portal_menu(nav) == first
        assert first == render_to_string("ui/menu.html", {"nav": nav})
        assert 'aria-current="page"' in first and "/home/" in first
    assert len(calls) == 1
    with translation.override("en"):
        portal_nav.portal_menu(nav)
    other = Navigation(items=nav.items[1:], on_dashboard=True)
    with translation.override("ru"):
        assert "/home/" not in portal_nav.portal_menu(other)
    assert len(calls) == 3
    assert portal_nav.portal_menu(None) == ""


def test_the_cards_are_rendered_once_per_set_of_sections(monkeypatch):
    from core.extensions import dashboard_sections

    calls = []

    def counting(name, context):
        calls.append(name)
        return render_to_string(name, context)

    monkeypatch.setattr(portal_cards, "_cards", {})
    monkeypatch.setattr(portal_cards, "render_to_string", counting)
    sections = dashboard_sections()[:3]
    with translation.override("ru"):
        first = portal_cards.dashboard_cards(sections)
        assert portal_cards.dashboard_cards(list(sections)) == first
        assert first == render_to_string("portal/_cards.html", {"sections": sections})
        assert portal_cards.dashboard_cards(sections[:1]) != first
    assert len(calls) == 2
