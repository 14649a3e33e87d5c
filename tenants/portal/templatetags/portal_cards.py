"""``{% dashboard_cards sections %}``: the dashboard's cards, one per section the reader's roles
open. They depend only on the sections (frozen declarations), the language and the URL map, so
each such combination is rendered once in a process and kept (``portal/_cards.html``)."""

from django import template
from django.template.loader import render_to_string
from django.urls import get_urlconf
from django.utils.translation import get_language

register = template.Library()

_cards: dict = {}
CARDS_MEMO_SIZE = 1024


@register.simple_tag
def dashboard_cards(sections):
    key = (tuple(sections), get_language(), get_urlconf())
    html = _cards.get(key)
    if html is None:
        if len(_cards) >= CARDS_MEMO_SIZE:
            _cards.clear()
        html = _cards[key] = render_to_string("portal/_cards.html", {"sections": sections})
    return html
