"""``{% load agenda %}{% agenda_material question %}``: a question's material (another app's
object, ``core.extensions.AgendaMaterial``): its title linked to its page for a reader who may
open it, and the hash of the content as it was put to the meeting (with a warning when the
object's content no longer has that hash)."""

from __future__ import annotations

from django import template

from core import extensions

register = template.Library()


@register.inclusion_tag("voting/_material.html", takes_context=True)
def agenda_material(context, question):
    if not question.material_kind:
        return {"shown": False}
    material = extensions.agenda_material(question.material_kind)
    found = material.resolve(question.material_id) if material is not None else None
    if found is None:
        return {"shown": True, "gone": True, "digest": question.material_digest}
    request = context.get("request")
    user = getattr(request, "user", None)
    view = material.describe(found)
    return {
        "shown": True,
        "gone": False,
        "label": material.label,
        "title": view.title,
        "url": view.url if user is not None and material.can_read(user, found) else "",
        "digest": question.material_digest,
        "changed": bool(view.digest and view.digest != question.material_digest),
        "takes_effect_on": question.takes_effect_on,
    }
