"""The People pages (the chairman's), and the successor's page of a hand-over of the chair."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.access.decorators import role_required
from core.access.roles import STAFF_KEEPERS, Role
from core.sensitive import sensitive_post
from core.ui.refusals import act, attempt, show_refusal, submit
from tenants.staff import selectors, services
from tenants.staff.forms import AppointForm, HandoverForm, RolesForm

PAGE_SIZE = 50


@role_required(*STAFF_KEEPERS)
@require_GET
def people(request):
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    page = Paginator(selectors.people(role or None), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "role": role,
        "role_choices": Role.choices,
        "pending": selectors.pending_handover(),
        "history": selectors.history(),
    }
    return render(request, "staff/people.html", context)


@role_required(*STAFF_KEEPERS)
def person(request, pk):
    member = selectors.person(pk)
    if member is None:
        raise Http404
    form = RolesForm(
        request.POST or None, initial={"roles": [r for r in member.roles if r != Role.CHAIRMAN]}
    )
    done = submit(
        request,
        form,
        lambda: services.set_staff_roles(
            member, roles=form.cleaned_data["roles"], actor=request.user
        ),
        done=_("The roles have been saved."),
        then=reverse("staff:people"),
    )
    status = 400 if form.is_bound and form.errors else 200
    context = {"member": member, "form": form}
    return done or render(request, "staff/person.html", context, status=status)


@sensitive_post
@role_required(*STAFF_KEEPERS)
def appoint(request):
    form = AppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = attempt(
            lambda: services.appoint(
                email=form.cleaned_data["email"],
                roles=form.cleaned_data["roles"],
                actor=request.user,
                site_url=request.build_absolute_uri("/"),
            )
        )
        if not outcome.refused:
            if outcome.result.invitation is not None:
                messages.success(
                    request, _("The invitation has been sent. The roles apply once it is accepted.")
                )
            else:
                messages.success(request, _("The roles have been given."))
            return redirect("staff:people")
        show_refusal(form, outcome.error)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "staff/appoint.html", {"form": form}, status=status)


@role_required(*STAFF_KEEPERS)
def handover(request):
    """The chairman names a successor, or withdraws the pending hand-over."""
    candidates = selectors.successor_choices(exclude=request.user)
    form = HandoverForm(request.POST or None, candidates=candidates)
    done = submit(
        request,
        form,
        lambda: services.propose_handover(
            successor=form.cleaned_data["successor"], actor=request.user
        ),
        done=_("The successor has been asked to accept the chair. Until then nothing changes."),
        then=reverse("staff:handover"),
    )
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "pending": selectors.pending_handover(), "candidates": candidates}
    return done or render(request, "staff/handover.html", context, status=status)


@role_required(*STAFF_KEEPERS)
@require_POST
def handover_withdraw(request, pk):
    pending = selectors.pending_handover()
    if pending is None or str(pending.pk) != str(pk):
        raise Http404
    return act(
        request,
        lambda: services.withdraw_handover(pending, actor=request.user),
        done=_("The hand-over has been withdrawn."),
        then=reverse("staff:handover"),
    )


@login_required
def handover_answer(request, pk):
    """The successor's page: accept or decline the chair (anyone else: 404)."""
    offer = selectors.handover_for(request.user, pk)
    if offer is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("answer") == "accept":
            return act(
                request,
                lambda: services.accept_handover(offer, actor=request.user),
                done=_("You are now the chairman of the association."),
                then=reverse("portal:dashboard"),
                refused=reverse("staff:handover-answer", kwargs={"pk": offer.pk}),
            )
        return act(
            request,
            lambda: services.decline_handover(offer, actor=request.user),
            done=_("You have declined the chair. Nothing has changed."),
            then=reverse("portal:dashboard"),
            refused=reverse("staff:handover-answer", kwargs={"pk": offer.pk}),
        )
    return render(request, "staff/handover_answer.html", {"offer": offer})
