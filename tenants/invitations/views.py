"""Invitation pages: the board's list and invite form, and the public page behind the link."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import get_usage

from core.access.decorators import role_required
from core.access.roles import Role
from core.sensitive import sensitive_post
from tenants.invitations import selectors, services
from tenants.invitations.forms import (
    InviteForm,
    SetPasswordForm,
    SignInToAcceptForm,
    premises_from,
)
from tenants.invitations.models import Invitation, InvitationStatus

#: Who invites: the board (ЖК РФ ст. 147–148: the board runs the partnership's affairs).
BOARD = (Role.CHAIRMAN, Role.BOARD_MEMBER)
PAGE_SIZE = 50
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _site_url(request) -> str:
    """The association's own address as the request reached it (its subdomain)."""
    return request.build_absolute_uri("/")


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# -- the board's pages ------------------------------------------------------------------------


@role_required(*BOARD)
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
@role_required(*BOARD)
def invitation_create(request):
    if request.method == "POST":
        form = InviteForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.invite(
                    email=data["email"],
                    premises=data["premises"],
                    kind=data["kind"],
                    owner=data["owner"],
                    actor=request.user,
                    site_url=_site_url(request),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The invitation has been sent."))
                return redirect("invitation-list")
        status = 200 if form.is_valid() else 400
    else:
        form = InviteForm(premises=premises_from(request.GET.get("premises")))
        status = 200
    return render(request, "invitations/create.html", {"form": form}, status=status)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@sensitive_post
@role_required(*BOARD)
@require_GET
def owner_options(request):
    """The owner-record picker for a premises (htmx swaps it in when the premises changes)."""
    premises = premises_from(request.GET.get("premises"))
    form = InviteForm(premises=premises)
    context = {"field": form["owner"], "premises": premises, "no_owners": form.no_owners}
    return render(request, "invitations/includes/owner_field.html", context)


@role_required(*BOARD)
@require_POST
def invitation_resend(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation = services.resend(invitation, actor=request.user, site_url=_site_url(request))
    except ValidationError as error:
        return _row_or_back(request, invitation, error=_messages_of(error))
    return _row_or_back(request, invitation, notice=_("The invitation has been sent again."))


@role_required(*BOARD)
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        invitation = services.revoke(invitation, actor=request.user)
    except ValidationError as error:
        return _row_or_back(request, invitation, error=_messages_of(error))
    return _row_or_back(request, invitation, notice=_("The invitation has been revoked."))


def _row_or_back(request, invitation, *, error: str = "", notice: str = ""):
    """htmx: the updated row in place; otherwise back to the list with a message."""
    if request.htmx:
        invitation = selectors.invitation_list().get(pk=invitation.pk)
        selectors.open_owner_names([invitation])
        context = {"invitation": invitation, "error": error, "notice": notice}
        return render(request, "invitations/includes/row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(reverse("invitation-list"))


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
    if request.user.is_authenticated:
        if existing is None or existing.pk != request.user.pk:
            return render(request, "invitations/accept_other_user.html", context)
        return _accept_signed_in(request, token, context)
    if existing is not None:
        return _accept_by_signing_in(request, token, invitation, existing, context)
    return _accept_with_new_password(request, token, invitation, context)


def _unusable(request, problem: str):
    status = 404 if problem == selectors.Problem.INVALID else 410
    context = {"problem": problem, "message": selectors.Problem.MESSAGES[problem]}
    return render(request, "invitations/unusable.html", context, status=status)


def _accept_signed_in(request, token, context):
    if request.method == "POST":
        try:
            services.accept(token, user=request.user)
        except services.InvitationUnusable as gone:
            return _unusable(request, gone.problem)
        except ValidationError as error:
            context["error"] = _messages_of(error)
        else:
            return _joined(request)
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
                try:
                    services.accept(token, user=user)
                except services.InvitationUnusable as gone:
                    return _unusable(request, gone.problem)
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    login(request, user, backend=MODEL_BACKEND)
                    return _joined(request)
    context["form"] = form
    return render(request, "invitations/accept_sign_in.html", context, status=status)


def _accept_with_new_password(request, token, invitation, context):
    # The owner record's name is not offered here: if the board mistyped the email, a stranger
    # holds the link, and must not learn who owns the premises (152-ФЗ).
    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept(
                token,
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
            )
        except services.InvitationUnusable as gone:
            return _unusable(request, gone.problem)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=MODEL_BACKEND)
            return _joined(request)
    context["form"] = form
    return render(request, "invitations/accept_set_password.html", context)


def _joined(request):
    messages.success(request, _("Welcome! Your invitation has been accepted."))
    return redirect("dashboard")


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
