"""The association portal's navigation: the menu on every page and the breadcrumbs' first steps.

The menu lists the same sections as the dashboard (``core.extensions.sections_for``): the ones the
apps declare in their ``declaration.py`` that the person's roles open and whose page exists.
Nothing here lists the sections; an app adds one by declaring it.

``navigation(request)`` is computed once per request (the menu and the breadcrumbs share it).
The public site and the operators' console have no association: no menu there.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.access.roles import roles_of
from core.extensions import sections_for


@dataclass(frozen=True)
class MenuItem:
    key: str
    title: str
    url: str
    #: "page" when this is the section's own page, "true" when the page lies inside the
    #: section, "" otherwise (the value of the link's ``aria-current``).
    current: str = ""


@dataclass(frozen=True)
class Navigation:
    items: tuple[MenuItem, ...]
    #: Whether the page is the dashboard (the menu's first entry).
    on_dashboard: bool

    @property
    def current(self) -> MenuItem | None:
        return next((item for item in self.items if item.current), None)


def _current_key(path: str, namespace: str, entries) -> str:
    """The section the page belongs to: the one whose URL is the longest prefix of the path;
    else the first one of the page's app (URL namespace)."""
    best, best_length = "", 0
    for section, url in entries:
        if url != "/" and path.startswith(url) and len(url) > best_length:
            best, best_length = section.key, len(url)
    if best or not namespace:
        return best
    for section, _url in entries:
        if section.url_name.split(":", 1)[0] == namespace:
            return section.key
    return ""


def build(path: str, namespace: str, roles, dashboard_url: str = "/") -> Navigation:
    entries = sections_for(roles)
    current = _current_key(path, namespace, entries)
    items = tuple(
        MenuItem(
            key=section.key,
            title=str(section.title),
            url=url,
            current=("page" if path == url else "true") if section.key == current else "",
        )
        for section, url in entries
    )
    return Navigation(items=items, on_dashboard=path == dashboard_url)


def navigation(request) -> Navigation | None:
    """The menu for this request, or None outside an association's portal or signed out."""
    if request is None:
        return None
    cached = getattr(request, "_portal_navigation", False)
    if cached is not False:
        return cached
    result = None
    user = getattr(request, "user", None)
    if _in_association(request) and user is not None and user.is_authenticated:
        match = getattr(request, "resolver_match", None)
        result = build(request.path, getattr(match, "namespace", "") or "", roles_of(user))
    request._portal_navigation = result
    return result


def _in_association(request) -> bool:
    from django.conf import settings

    tenant = getattr(request, "tenant", None)
    return tenant is not None and tenant.schema_name != settings.PUBLIC_SCHEMA_NAME
