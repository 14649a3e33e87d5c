"""``{% load forum %}{% discussion_for "budget.estimate" estimate %}``: the link to an object's
thread (with its number of posts), or to start one, for a page of another app.

The kind must be declared by some app (``core.extensions.DiscussionTarget``); nothing shows for
a reader who does not read the forum, or whose roles the kind does not admit. One query per
kind and rendering: the threads of a kind are read once and kept while the page renders, so a
page listing many objects of a kind (an estimate's lines) costs the same for two and a hundred.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from core import extensions
from core.access.roles import roles_of
from tenants.forum import access, selectors

register = template.Library()


@register.inclusion_tag("forum/_discussion_for.html", takes_context=True)
def discussion_for(context, kind, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    target = extensions.discussion_target(kind)
    if target is None or obj is None or not access.reads_forum(user):
        return {"shown": False}
    if not target.visible_to(roles_of(user)):
        return {"shown": False}
    topic = _topics(context, kind).get(str(obj.pk))
    if topic is not None and topic.is_hidden and not access.moderates(user):
        return {"shown": False}
    return {
        "shown": True,
        "topic": topic,
        "url": reverse("forum:discuss", kwargs={"kind": kind, "object_id": obj.pk}),
    }


def _topics(context, kind: str) -> dict:
    """The threads attached to objects of ``kind``, by object id, read once per rendering."""
    cache = context.render_context.setdefault("forum_targets", {})
    if kind not in cache:
        cache[kind] = {topic.target_id: topic for topic in selectors.topics_for_targets(kind)}
    return cache[kind]
