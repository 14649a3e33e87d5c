"""``{% portal_navigation as nav %}``: the association portal's menu for this request (or None on
the public site, in the console and for visitors who are not signed in). See
``core.ui.navigation``.

``{% portal_menu nav %}``: the menu's HTML. It depends on nothing but the menu (its entries and
which one is current, all in ``nav``, a frozen value) and the language, so it is rendered once
per such pair in a process and kept: every page shows it, and rendering its loop of a dozen
entries cost more than most pages' own content (``ui/menu.html`` stays the one template).
"""

from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from core.ui.navigation import navigation

register = template.Library()

#: (menu, language) → its HTML; emptied when it grows past ``MENU_MEMO_SIZE`` entries.
_menus: dict = {}
MENU_MEMO_SIZE = 2048


@register.simple_tag(takes_context=True)
def portal_navigation(context):
    return navigation(context.get("request"))


@register.simple_tag
def portal_menu(nav):
    if not nav:
        return ""
    key = (nav, get_language())
    html = _menus.get(key)
    if html is None:
        if len(_menus) >= MENU_MEMO_SIZE:
            _menus.clear()
        html = _menus[key] = render_to_string("ui/menu.html", {"nav": nav})
    return html
