"""The dispatch desk's pages: a member's requests, the desk's queue and its work on a request.

Thin: the services decide and refuse (``core.ui.refusals``), the selectors scope what a reader
sees (someone else's request is a 404). Pages that take what a member writes are marked
``sensitive_post`` (their values never reach an error report).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core.access.decorators import role_required
from core.access.roles import BOARD, DISPATCH_DESK, MEMBER_ROLES, has_role
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit
from core.uploads import upload_too_large
from tenants.dispatch import forms, reports, selectors, services, sla
from tenants.dispatch.models import OPEN_STATUSES, Category, Place, Request, Status, Urgency
from tenants.files.purposes import MB

PAGE_SIZE = 50
#: The most one request's body may carry (ten photos and the form); one photo is limited by its
#: purpose (``purposes.REQUEST_PHOTO``: 10 MB).
UPLOAD_LIMIT = 50 * MB


def _detail_url(request_obj) -> str:
    return reverse("dispatch:request", kwargs={"pk": request_obj.pk})


def _too_large_message() -> str:
    return _("The photos are too large: at most %(size)d MB together.") % {
        "size": UPLOAD_LIMIT // MB
    }


# -- members ------------------------------------------------------------------------------------


@role_required(*MEMBER_ROLES)
@require_GET
def mine(request):
    """The member's requests and complaints with their status."""
    rows = selectors.my_requests(request.user)
    return render(
        request,
        "dispatch/mine.html",
        {"rows": rows, "has_homes": bool(selectors.home_choices(request.user))},
    )


@csrf_exempt  # checked by ``_post_new`` once the upload limit is in place
@sensitive_post
@role_required(*MEMBER_ROLES)
def new(request):
    """File a request or complaint, with photos: it lands whole or not at all."""
    homes = selectors.home_choices(request.user)
    if request.method == "POST":
        if upload_too_large(request, UPLOAD_LIMIT):
            context = {
                "form": forms.RequestForm(homes=homes),
                "homes": homes,
                "refusal": _too_large_message(),
            }
            return render(request, "dispatch/new.html", context, status=413)
        return _post_new(request, homes)
    initial = {"premises": str(homes[0].pk)} if homes else {}
    form = forms.RequestForm(homes=homes, initial=initial)
    return render(request, "dispatch/new.html", {"form": form, "homes": homes})


@csrf_protect
def _post_new(request, homes):
    form = forms.RequestForm(request.POST, request.FILES, homes=homes)
    done = submit(
        request,
        form,
        lambda: services.file_request(actor=request.user, **form.service_kwargs()),
        done=_("Your request is filed. We will tell you of every change."),
        then=_detail_url,
    )
    if done:
        return done
    return render(request, "dispatch/new.html", {"form": form, "homes": homes}, status=400)


@role_required(*DISPATCH_DESK, *MEMBER_ROLES)
@require_GET
def detail(request, pk):
    found = selectors.request_for(request.user, pk)
    if found.is_collective and not selectors.is_desk(request.user):
        # A member reads a collective request through their own request on it.
        own = Request.objects.filter(collective=found, author=request.user).first()
        if own is None:
            raise Http404
        return redirect(_detail_url(own))
    page = selectors.request_page(request.user, found)
    context = {
        "page": page,
        "r": found,
        "work": page.working,
        "comment_form": forms.CommentForm(),
        "photos_form": forms.PhotosForm(),
        "rating_form": forms.RatingForm(),
        "reopen_form": forms.ReopenForm(),
        "now": services._now(),
    }
    if page.desk:
        context.update(_desk_forms(page))
    return render(request, "dispatch/request.html", context)


def _desk_forms(page) -> dict:
    work = page.working
    suppliers = selectors.suppliers_for_assignment()
    return {
        "assign_form": forms.AssignForm(
            suppliers=suppliers,
            initial={
                "supplier": str(work.supplier_id or ""),
                "work_description": (
                    work.description if work.is_collective else work.work_description
                )
                or "",
            },
        ),
        "classify_form": forms.ClassifyForm(initial={"category": page.request.category}),
        "status_labels": {value: label for value, label in Status.choices},
    }


@sensitive_post
@role_required(*DISPATCH_DESK, *MEMBER_ROLES)
@require_POST
def comment(request, pk):
    desk = selectors.is_desk(request.user)
    found = (
        selectors.desk_request_for(request.user, pk)
        if desk
        else selectors.own_request_for(request.user, pk)
    )
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("text", [])))
        return redirect(_detail_url(found))
    return act(
        request,
        lambda: services.add_comment(
            found, actor=request.user, text=form.cleaned_data["text"], by_desk=desk
        ),
        done=_("Comment added."),
        then=_detail_url(found),
    )


@csrf_exempt  # checked by ``_post_photos`` once the upload limit is in place
@role_required(*MEMBER_ROLES)
def add_photos(request, pk):
    found = selectors.own_request_for(request.user, pk)
    if request.method != "POST":
        return redirect(_detail_url(found))
    if upload_too_large(request, UPLOAD_LIMIT):
        messages.error(request, _too_large_message())
        return redirect(_detail_url(found))
    return _post_photos(request, found)


@csrf_protect
def _post_photos(request, found):
    form = forms.PhotosForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(found))
    return act(
        request,
        lambda: services.add_photos(found, actor=request.user, photos=form.cleaned_data["photos"]),
        done=_("Photos added."),
        then=_detail_url(found),
    )


@sensitive_post
@role_required(*MEMBER_ROLES)
@require_POST
def rate(request, pk):
    found = selectors.own_request_for(request.user, pk)
    form = forms.RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(found))
    return act(
        request,
        lambda: services.rate(
            found,
            actor=request.user,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data.get("comment", ""),
        ),
        done=_("Thank you for the rating."),
        then=_detail_url(found),
    )


@sensitive_post
@role_required(*MEMBER_ROLES)
@require_POST
def reopen(request, pk):
    found = selectors.own_request_for(request.user, pk)
    form = forms.ReopenForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    return act(
        request,
        lambda: services.reopen(found, actor=request.user, reason=reason),
        done=_("The request is reopened."),
        then=_detail_url(found),
    )


@role_required(*MEMBER_ROLES)
@require_POST
def cancel(request, pk):
    found = selectors.own_request_for(request.user, pk)
    return act(
        request,
        lambda: services.cancel(found, actor=request.user),
        done=_("The request is withdrawn."),
        then=_detail_url(found),
    )


# -- the desk -----------------------------------------------------------------------------------


def _queue_filters(form) -> selectors.QueueFilters:
    if not form.is_valid():
        return selectors.QueueFilters()
    data = form.cleaned_data
    return selectors.QueueFilters(
        status=data.get("status") or "",
        category=data.get("category") or "",
        building=data.get("building") or "",
        urgency=data.get("urgency") or "",
        overdue=bool(data.get("overdue")),
    )


@role_required(*DISPATCH_DESK)
@require_GET
def queue(request):
    """The incoming queue: open requests, overdue and soonest due first, with filters."""
    buildings = selectors.buildings()
    form = forms.QueueFilterForm(request.GET or None, buildings=buildings)
    filters = _queue_filters(form)
    counts = selectors.queue_counts()
    paginator = Paginator(selectors.queue(filters), PAGE_SIZE)
    if filters.default:
        paginator.count = counts["open"]  # the same rows: no second count
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.joined_counts(page.object_list)
    now = services._now()
    rows = _queue_rows(page.object_list, now)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "counts": counts,
        "query": query.urlencode(),
    }
    return render(request, "dispatch/queue.html", context)


def _queue_rows(requests, now) -> list[dict]:
    """The queue's rows as the template shows them, worded here once (fifty rows of template
    logic cost more than the page's queries)."""
    zone = sla.association_zone()
    collective = _("collective")
    filed, due = _("filed"), _("due")
    labels = {
        "status": dict(Status.choices),
        "urgency": dict(Urgency.choices),
        "category": dict(Category.choices),
        "place": dict(Place.choices),
    }
    blank = uuid.UUID(int=0)
    url = reverse("dispatch:request", kwargs={"pk": blank}).replace(str(blank), "{}")
    rows = []
    for row in requests:
        meta = []
        if row.is_collective:
            meta.append(f"{collective}: {row.joined_count}")
        meta.append(row.building.name if row.building else str(labels["place"][row.place]))
        if row.premises:
            meta[-1] += f", {row.premises.number}"
        meta.append(f"{filed} {timezone.localtime(row.filed_at, zone):%d.%m %H:%M}")
        if row.due_at:
            meta.append(f"{due} {timezone.localtime(row.due_at, zone):%d.%m %H:%M}")
        if row.supplier:
            meta.append(row.supplier.name)
        rows.append(
            {
                "pk": row.pk,
                "url": url.format(row.pk),
                "number": row.number,
                "category": labels["category"].get(row.category, row.category),
                "status": row.status,
                "status_label": labels["status"].get(row.status, row.status),
                "urgency": row.urgency,
                "urgency_label": labels["urgency"].get(row.urgency, row.urgency),
                "overdue": bool(row.is_open and row.due_at and row.due_at < now),
                "joinable": row.status in (Status.NEW, Status.REOPENED) and not row.is_collective,
                "meta": " · ".join(meta),
            }
        )
    return rows


@role_required(*DISPATCH_DESK)
@require_POST
def assign(request, pk):
    found = selectors.desk_request_for(request.user, pk)
    suppliers = selectors.suppliers_for_assignment()
    form = forms.AssignForm(request.POST, suppliers=suppliers)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_detail_url(found))
    chosen = next((s for s in suppliers if str(s.pk) == form.cleaned_data["supplier"]), None)
    return act(
        request,
        lambda: services.assign(
            found,
            actor=request.user,
            supplier=chosen,
            work_description=form.cleaned_data.get("work_description", ""),
        ),
        done=_("Assigned."),
        then=_detail_url(found),
    )


@role_required(*DISPATCH_DESK)
@require_POST
def change_status(request, pk):
    found = selectors.desk_request_for(request.user, pk)
    form = forms.StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the request."))
        return redirect(_detail_url(found))
    target = form.cleaned_data["to"]
    if target == Status.REOPENED:
        action = lambda: services.reopen(found, actor=request.user, by_desk=True)  # noqa: E731
    else:
        action = lambda: services.change_status(  # noqa: E731
            found, actor=request.user, to=target, cost=form.cleaned_data.get("cost")
        )
    return act(request, action, done=_("Status changed."), then=_detail_url(found))


@role_required(*DISPATCH_DESK)
@require_POST
def classify(request, pk):
    found = selectors.desk_request_for(request.user, pk)
    form = forms.ClassifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a category from the list."))
        return redirect(_detail_url(found))
    return act(
        request,
        lambda: services.confirm_category(
            found, actor=request.user, category=form.cleaned_data["category"]
        ),
        done=_("Category confirmed."),
        then=_detail_url(found),
    )


@sensitive_post
@role_required(*DISPATCH_DESK)
def merge(request):
    """Join duplicates (``?r=<id>&r=<id>`` from the queue) into one collective request."""
    ids = request.POST.getlist("r") if request.method == "POST" else request.GET.getlist("r")
    chosen = list(
        Request.objects.filter(pk__in=[i for i in ids if _is_uuid(i)])
        .exclude(status=Status.MERGED)
        .select_related("building", "premises")
        .order_by("number")
    )
    collectives = list(
        Request.objects.filter(is_collective=True, status__in=OPEN_STATUSES).order_by("-number")[
            :50
        ]
    )
    form = forms.MergeForm(request.POST or None, collectives=collectives)
    if request.method == "POST" and form.is_valid():
        into = next((c for c in collectives if str(c.pk) == form.cleaned_data.get("into")), None)
        done = submit(
            request,
            form,
            lambda: services.merge(
                chosen,
                actor=request.user,
                description=form.cleaned_data.get("description", ""),
                into=into,
            ),
            done=_("The requests are joined."),
            then=_detail_url,
        )
        if done:
            return done
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "dispatch/merge.html", {"form": form, "chosen": chosen}, status=status)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@role_required(*DISPATCH_DESK)
@require_GET
def work_order(request, pk):
    """A printable work order: the job, the address, the access time, and the member's phone
    only if they agreed to share it. No name, no member's own words."""
    found = selectors.desk_request_for(request.user, pk)
    if found.status == Status.MERGED:
        return redirect(reverse("dispatch:work-order", kwargs={"pk": found.collective_id}))
    context = {"r": found, "order": selectors.work_order(found)}
    return render(request, "dispatch/work_order.html", context)


@role_required(*DISPATCH_DESK)
def sla_table(request):
    """The deadlines in force (category × urgency → hours); the board sets new dated rows."""
    may_edit = has_role(request.user, *BOARD)
    form = forms.SlaForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        done = submit(
            request,
            form,
            lambda: services.set_sla_hours(actor=request.user, **form.cleaned_data),
            done=_("The deadline is saved."),
            then=reverse("dispatch:sla"),
        )
        if done:
            return done
    context = {
        "form": form,
        "may_edit": may_edit,
        "rows": selectors.sla_rows(),
        "history": selectors.sla_history(),
        "work_start": sla.WORK_START,
        "work_end": sla.WORK_END,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "dispatch/sla.html", context, status=status)


# -- suppliers ----------------------------------------------------------------------------------


@role_required(*DISPATCH_DESK)
@require_GET
def suppliers(request):
    rows = list(selectors.suppliers_visible_to(request.user).order_by("-active", "name"))
    return render(
        request, "dispatch/suppliers.html", {"rows": rows, "categories": Category.choices}
    )


def _supplier_initial(supplier) -> dict:
    return {
        "name": supplier.name,
        "inn": supplier.inn,
        "categories": supplier.categories,
        "contact_person": supplier.contact_person or "",
        "phone": supplier.phone or "",
        "email": supplier.email or "",
        "notes": supplier.notes or "",
        "active": supplier.active,
    }


def _supplier_url(supplier) -> str:
    return reverse("dispatch:supplier", kwargs={"pk": supplier.pk})


@sensitive_post
@role_required(*DISPATCH_DESK)
def supplier_new(request):
    form = forms.SupplierForm(request.POST or None, initial={"active": True})
    done = submit(
        request,
        form,
        lambda: services.save_supplier(None, actor=request.user, **form.cleaned_data),
        done=_("The supplier is added."),
        then=_supplier_url,
    )
    if done:
        return done
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "dispatch/supplier_form.html", {"form": form, "supplier": None}, status=status
    )


@sensitive_post
@role_required(*DISPATCH_DESK)
def supplier_edit(request, pk):
    supplier = selectors.supplier_for(request.user, pk)
    form = forms.SupplierForm(request.POST or None, initial=_supplier_initial(supplier))
    done = submit(
        request,
        form,
        lambda: services.save_supplier(supplier, actor=request.user, **form.cleaned_data),
        done=_("The supplier is saved."),
        then=_supplier_url,
    )
    if done:
        return done
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "dispatch/supplier_form.html",
        {"form": form, "supplier": supplier},
        status=status,
    )


@role_required(*DISPATCH_DESK)
def supplier_detail(request, pk):
    """A supplier's contacts, contracts and scorecard over a period (a year by default)."""
    supplier = selectors.supplier_for(request.user, pk)
    today = services._now().date()
    period = forms.PeriodForm(request.GET or None)
    since, until = today.replace(year=today.year - 1), today
    if period.is_valid():
        since = period.cleaned_data.get("since") or since
        until = period.cleaned_data.get("until") or until
    contract_form = forms.ContractForm(request.POST or None)
    done = submit(
        request,
        contract_form,
        lambda: services.add_contract(supplier, actor=request.user, **contract_form.cleaned_data),
        done=_("The contract is added."),
        then=_supplier_url(supplier),
    )
    if done:
        return done
    context = {
        "supplier": supplier,
        "contracts": list(supplier.contracts.order_by("-valid_from")),
        "card": reports.scorecard(supplier, since=since, until=until),
        "period": period,
        "since": since,
        "until": until,
        "contract_form": contract_form,
        "today": today,
        "categories": Category.choices,
    }
    status = 400 if contract_form.is_bound and contract_form.errors else 200
    return render(request, "dispatch/supplier.html", context, status=status)


# -- analytics ----------------------------------------------------------------------------------


@role_required(*DISPATCH_DESK)
@require_GET
def analytics(request):
    today = services._now().date()
    period = forms.PeriodForm(request.GET or None)
    since, until = today.replace(year=today.year - 1, day=1), today
    if period.is_valid():
        since = period.cleaned_data.get("since") or since
        until = period.cleaned_data.get("until") or until
    context = {
        "figures": reports.analytics(since=since, until=until),
        "period": period,
        "since": since,
        "until": until,
        "chart_width": reports.CHART_WIDTH,
        "chart_height": reports.CHART_HEIGHT,
    }
    return render(request, "dispatch/analytics.html", context)
