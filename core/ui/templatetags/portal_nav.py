"""``{% portal_navigation as nav %}``: the association portal's menu for this request (or None on
the public site, in the console and for visitors who are not signed in). See
``core.ui.navigation``."""

from django import template

from core.ui.navigation import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_navigation(context):
    return navigation(context.get("request"))
