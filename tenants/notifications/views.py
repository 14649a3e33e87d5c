"""Notification pages: the person's list and settings, the board's failed deliveries, and the
one-click unsubscribe page that works without signing in."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.access.decorators import role_required
from core.access.roles import BOARD
from core.ui.refusals import attempt, submit
from tenants.notifications import selectors, services
from tenants.notifications.forms import PreferencesForm

PAGE_SIZE = 30


@role_required()
@require_GET
def inbox(request):
    """The person's notifications, newest first; showing them marks them read."""
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    unread = {item.pk for item in items if item.read_at is None}
    for item in items:
        item.kind_label = selectors.kind_label(item.message.kind)
    services.mark_read(actor=request.user, items=items)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "items": items, "unread": unread},
    )


@role_required()
def preferences(request):
    choices, attachments = selectors.settings_of(request.user)
    form = PreferencesForm(request.POST or None, choices=choices, attachments=attachments)
    return submit(
        request,
        form,
        lambda: services.set_preferences(
            actor=request.user,
            user=request.user,
            choices=form.choices(),
            attachments=form.attachments(),
        ),
        done=_("Your notification settings are saved."),
        then=request.path,
    ) or render(request, "notifications/preferences.html", {"form": form})


@role_required(*BOARD)
@require_GET
def failed_deliveries(request):
    page = Paginator(selectors.failed_deliveries(), PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row.kind_label = selectors.kind_label(row.message.kind)
    return render(
        request,
        "notifications/deliveries.html",
        {"page": page, "counts": selectors.delivery_counts()},
    )


@csrf_exempt  # the signed token is the authority; mail clients POST it (RFC 8058) with no form
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET: what the link will switch off, and a button. POST (the button, or a mail client's
    one-click ``List-Unsubscribe=One-Click``): switch it off. Mail scanners that open links with
    GET change nothing. A refused link answers 200 with its message: a 4xx would put the token
    (the URL) into Django's request log."""
    if request.method == "GET":
        outcome = attempt(lambda: services.unsubscribe_target(token))
        if outcome.refused:
            return render(request, "notifications/unsubscribe.html", {"refusal": outcome.message})
        _user, kind = outcome.result
        return render(request, "notifications/unsubscribe.html", {"kind": kind})
    outcome = attempt(lambda: services.unsubscribe(token))
    if outcome.refused:
        return render(request, "notifications/unsubscribe.html", {"refusal": outcome.message})
    return render(
        request,
        "notifications/unsubscribe.html",
        {"done": True, "kind": outcome.result.kind},
    )
