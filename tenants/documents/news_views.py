"""Pages of the news: the list (emergency notices that have not ended on top), a news item, and
the board's publishing, corrections, ending an emergency and withdrawing news."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access.decorators import role_required
from core.access.roles import BOARD
from core.ui.refusals import act, submit
from tenants.documents import forms, selectors, services
from tenants.documents.declaration import EVERYONE
from tenants.documents.models import NewsKind

PAGE_SIZE = 20


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _detail_url(item) -> str:
    return reverse("documents:news-detail", kwargs={"pk": item.pk})


@role_required(*EVERYONE)
def news(request):
    query = (request.GET.get("q") or "").strip()[: selectors.MAX_SEARCH]
    items = selectors.news_visible_to(request.user)
    now = timezone.now()
    emergencies = list(items.filter(selectors.emergency_q(now)))
    rest = items.exclude(pk__in=[item.pk for item in emergencies])
    if query:
        rest = selectors.search_news(rest, query)
    page = Paginator(rest, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/news.html",
        {
            "emergencies": emergencies if not query else [],
            "page": page,
            "query": query,
            "keeps": selectors.keeps_documents(request.user),
            "now": now,
        },
    )


@role_required(*EVERYONE)
def news_detail(request, pk):
    item = selectors.news_for_reader(request.user, pk)
    return render(
        request,
        "documents/news_detail.html",
        {
            "item": item,
            "active": item.active(),
            "keeps": selectors.keeps_documents(request.user),
        },
    )


@role_required(*BOARD)
def news_new(request):
    initial = {"kind": request.GET.get("kind") or NewsKind.NEWS}
    form = forms.NewsForm(request.POST if request.method == "POST" else None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.publish_news(actor=request.user, **form.cleaned_data),
        done=_("Published."),
        then=_detail_url,
    )
    return done or render(request, "documents/news_form.html", {"form": form}, status=_status(form))


@role_required(*BOARD)
def news_edit(request, pk):
    item = selectors.news_for_reader(request.user, pk)
    initial = {
        "title": item.title,
        "body": item.body,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
    }
    form = forms.NewsEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        emergency=item.is_emergency,
    )
    done = submit(
        request,
        form,
        lambda: services.change_news(actor=request.user, item=item, **form.cleaned_data),
        done=_("The changes have been saved."),
        then=_detail_url(item),
    )
    context = {"form": form, "item": item}
    return done or render(request, "documents/news_form.html", context, status=_status(form))


@role_required(*BOARD)
@require_POST
def news_end(request, pk):
    item = selectors.news_for_reader(request.user, pk)
    return act(
        request,
        lambda: services.end_emergency(actor=request.user, item=item),
        done=_("The notice has ended: it is no longer shown on top of the pages."),
        then=_detail_url(item),
    )


@role_required(*BOARD)
@require_POST
def news_delete(request, pk):
    item = selectors.news_for_reader(request.user, pk)
    return act(
        request,
        lambda: services.delete_news(actor=request.user, item=item),
        done=_("The news item has been withdrawn."),
        then=reverse("documents:news"),
    )
