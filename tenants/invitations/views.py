"""Invitation pages: the board's list and invite form, and the public page behind the link."""

from __future__ import annotations

import hashlib
from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage

from core.access.decorators import role_required
from core.access.roles import INVITERS
from core.sensitive import sensitive_post
from core.ui.refusals import Outcome, answer, attempt, show_refusal, submit
from tenants.invitations import selectors, services
from tenants.invitations.forms import (
    InviteForm,
    SetPasswordForm,
    SignInToAcceptForm,
    premises_from,
)
from tenants.invitations.models import Invitation, InvitationStatus

PAGE_SIZE = 50
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _site_url(request) -> str:
    """The association's own address as the request reached it (its subdomain)."""
    return request.build_absolute_uri("/")


# -- the board's pages ------------------------------------------------------------------------


@role_required(*INVITERS)
@require_GET
def invitation_list(request):
    status = request.GET.get("status", "")
    if status not in InvitationStatus.values:
        status = ""
    page = Paginator(selectors.invitation_list(status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    selectors.open_owner_names(page.object_list)
    return render(
        request,
        "invitations/list.html",
        {"page": page, "status": status, "statuses": InvitationStatus.choices},
    )


@sensitive_post
@role_required(*INVITERS)
def invitation_create(request):
    if request.method == "POST":
        form = InviteForm(request.POST)
    else:
        form = InviteForm(premises=premises_from(request.GET.get("premises")))
    sent = submit(
        request,
        form,
        lambda: services.invite(
            email=form.cleaned_data["email"],
            premises=form.cleaned_data["premises"],
            kind=form.cleaned_data["kind"],
            owner=form.cleaned_data["owner"],
            actor=request.user,
            site_url=_site_url(request),
        ),
        done=_("The invitation has been sent."),
        then=reverse("invitations:list"),
    )
    status = 400 if form.is_bound and form.errors else 200
    return sent or render(request, "invitations/create.html", {"form": form}, status=status)


@sensitive_post
@role_required(*INVITERS)
@require_GET
def owner_options(request):
    """The owner-record picker for a premises (htmx swaps it in when the premises changes)."""
    premises = premises_from(request.GET.get("premises"))
    form = InviteForm(premises=premises)
    context = {"field": form["owner"], "premises": premises, "no_owners": form.no_owners}
    return render(request, "invitations/includes/owner_field.html", context)


@role_required(*INVITERS)
@require_POST
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    outcome = attempt(
        lambda: services.resend(invitation, actor=request.user, site_url=_site_url(request))
    )
    return _row_or_back(request, invitation, outcome, _("The invitation has been sent again."))


@role_required(*INVITERS)
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    outcome = attempt(lambda: services.revoke(invitation, actor=request.user))
    return _row_or_back(request, invitation, outcome, _("The invitation has been revoked."))


def _row_or_back(request, invitation, outcome: Outcome, done: str):
    """htmx: the updated row in place, with what happened; otherwise back to the list with a
    message (``act``)."""
    if request.htmx:
        invitation = selectors.invitation_list().get(pk=invitation.pk)
        selectors.open_owner_names([invitation])
        notice = "" if outcome.refused else done
        context = {"invitation": invitation, "error": outcome.message, "notice": notice}
        return render(request, "invitations/includes/row.html", context)
    return answer(request, outcome, done=done, then=reverse("invitations:list"))


# -- the link ---------------------------------------------------------------------------------


@sensitive_post
@never_cache
def invitation_accept(request, token):
    """The page behind the letter's link: set a password, or sign in, and join.

    Open to anyone holding the link. A bad, expired, revoked, replaced or used link gets a page
    that says which, and nothing changes.
    """
    check = selectors.check_token(token)
    if check.problem:
        return _unusable(request, check.problem)
    invitation = check.invitation
    existing = selectors.user_with_email(invitation.email)
    context = {"invitation": invitation, "premises": invitation.premises}

    if existing is not None and not existing.is_active:
        # Its password would be refused whatever was typed: say why instead.
        return render(request, "invitations/accept_inactive.html", context, status=403)
    if request.user.is_authenticated and (existing is None or existing.pk != request.user.pk):
        return render(request, "invitations/accept_other_user.html", context)
    try:
        if request.user.is_authenticated:
            return _accept_signed_in(request, token, context)
        if existing is not None:
            return _accept_by_signing_in(request, token, invitation, existing, context)
        return _accept_with_new_password(request, token, invitation, context)
    except services.InvitationUnusable as gone:  # became unusable while it was accepted
        return _unusable(request, gone.problem)


def _unusable(request, problem: str):
    status = 404 if problem == selectors.Problem.INVALID else 410
    context = {"problem": problem, "message": selectors.Problem.MESSAGES[problem]}
    return render(request, "invitations/unusable.html", context, status=status)


def _accept_signed_in(request, token, context):
    if request.method == "POST":
        outcome = attempt(lambda: services.accept(token, user=request.user))
        if not outcome.refused:
            return _joined(request)
        context["error"] = outcome.message
    return render(request, "invitations/accept_confirm.html", context)


def _accept_by_signing_in(request, token, invitation, existing, context):
    form = SignInToAcceptForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _sign_in_limited(request, invitation.email):
            form.add_error(None, _rate_limited_message())
            status = 429
        else:
            user = authenticate(
                request, username=invitation.email, password=form.cleaned_data["password"]
            )
            if user is None:
                _count_sign_in_failure(request, invitation.email)
                form.add_error("password", _("The password is wrong. Check it and try again."))
            else:
                joined = _join(request, form, lambda: services.accept(token, user=user))
                if joined:
                    return joined
    context["form"] = form
    return render(request, "invitations/accept_sign_in.html", context, status=status)


def _accept_with_new_password(request, token, invitation, context):
    # The owner record's name is not offered here: if the board mistyped the email, a stranger
    # holds the link, and must not learn who owns the premises (152-ФЗ).
    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        accept = partial(
            services.accept, token, password=data["password1"], full_name=data["full_name"]
        )
        joined = _join(request, form, accept)
        if joined:
            return joined
    context["form"] = form
    return render(request, "invitations/accept_set_password.html", context)


def _join(request, form, accept):
    """Accept (``accept()`` returns the user) and sign the user in; a refusal goes beside the
    form's fields (``None``)."""
    outcome = attempt(accept)
    if outcome.refused:
        show_refusal(form, outcome.error)
        return None
    login(request, outcome.result, backend=MODEL_BACKEND)
    return _joined(request)


def _joined(request):
    messages.success(request, _("Welcome! Your invitation has been accepted."))
    return redirect("portal:dashboard")


# Failed passwords on the accept page count towards the login page's limits (same groups and
# keys), so the link is no way around them.


def _limits(email: str) -> list[dict]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    rate = settings.LOGIN_FAILURE_RATE
    return [
        {"group": "login-ip", "key": "ip", "rate": rate},
        {"group": "login-account", "key": lambda group, request: account, "rate": rate},
    ]


def _sign_in_limited(request, email: str) -> bool:
    for limit in _limits(email):
        usage = get_usage(request, increment=False, **limit)
        if usage and usage["count"] >= usage["limit"]:
            return True
    return False


def _count_sign_in_failure(request, email: str) -> None:
    for limit in _limits(email):
        get_usage(request, increment=True, **limit)


def _rate_limited_message() -> str:
    return _(
        "Too many failed attempts. Wait a few minutes before you try again, or reset your password."
    )
