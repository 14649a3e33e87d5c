"""Pages of the online signup.

Public site: the landing page with the form, the live subdomain check (htmx), "check your
email", and the confirmation page behind the emailed link. New portal (a tenant URL): the
one-time hand-over that signs the chairman in, and the first-steps checklist.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.db import transaction
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import get_usage

from associations.services import (
    InnRegistered,
    ProvisioningFailed,
    SubdomainTaken,
    subdomain_host,
)
from associations.validators import normalize_subdomain
from billing.plans.selectors import public_plans
from core.access import twofactor
from core.access.decorators import role_required
from core.access.roles import FOUNDER_ROLES
from core.sensitive import sensitive_post
from signup import selectors, services
from signup.forms import SignupForm, SubdomainForm, inn_taken_message, subdomain_problem

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
TOO_MANY = 429


# --- Rate limits -----------------------------------------------------------------------------


def _email_key(group: str, request) -> str:
    # A hash, so that the cache never holds an email address in clear.
    email = (request.POST.get("email") or "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest()


def _over_limit(request, group: str, rate: str, key="ip", *, count: bool = True) -> bool:
    """Count this request against ``rate`` (per client address unless ``key`` says otherwise)
    and say whether the limit was already used up. With ``count=False`` only look: whether
    one more request would be over it."""
    usage = get_usage(request, group=group, key=key, rate=rate, increment=count)
    if not usage:
        return False
    return usage["count"] >= usage["limit"] if not count else usage["count"] > usage["limit"]


def _invalid_rate() -> str:
    """Submissions refused for their content, per client address: generous (a board may mistype
    many times), there only to turn away a bot that keeps the form's validation busy."""
    return getattr(settings, "SIGNUP_INVALID_RATE_PER_IP", "60/h")


# --- Public site -----------------------------------------------------------------------------


def _page(request, form, status=200):
    context = {
        "form": form,
        "plans": public_plans(),
        "base_domain": settings.BASE_DOMAIN,
        "operators_email": settings.SIGNUP_OPERATORS_EMAIL,
    }
    return render(request, "signup/landing.html", context, status=status)


@sensitive_post
@require_GET
def landing(request):
    """The public site's landing page for boards: what the portal does, plans, the form."""
    return _page(request, SignupForm())


@sensitive_post
@require_http_methods(["GET", "POST"])
def signup(request):
    """The signup form: on success the link is emailed and nothing else is created."""
    if request.method == "GET":
        return redirect(f"{reverse('signup:landing')}#signup")
    form = SignupForm(request.POST)
    # Only signups that would be sent count against the address's limit: a board that mistypes
    # is answered beside the field and may try again. Refused content has its own, generous
    # limit. Both are looked at first (nothing is validated for an address over either) and
    # counted once the outcome is known.
    if _address_used_up(request):
        return _too_many(request, form)
    valid = form.is_valid()
    if form.is_bot:
        _over_limit(request, "signup-ip", settings.SIGNUP_RATE_PER_IP)
        return redirect("signup:sent")  # a bot is told it succeeded; nothing is created
    if not valid:
        _over_limit(request, "signup-ip-invalid", _invalid_rate())
        return _page(request, form)
    if _over_limit(request, "signup-ip", settings.SIGNUP_RATE_PER_IP):
        return _too_many(request, form)  # a concurrent submission took the last one
    if _over_limit(request, "signup-email", settings.SIGNUP_RATE_PER_EMAIL, key=_email_key):
        form.add_error(
            "email", _("Several signups were sent for this email just now. Try again later.")
        )
        return _page(request, form, status=TOO_MANY)

    def confirm_url(pending, secret: str) -> str:
        path = reverse("signup:confirm", kwargs={"signup_id": pending.pk, "secret": secret})
        return request.build_absolute_uri(path)

    try:
        services.request_signup(
            data=form.signup_data(),
            password=form.cleaned_data["password1"],
            confirm_url=confirm_url,
        )
    except services.MailNotSent:
        form.add_error(
            None,
            _(
                "We could not send the confirmation email just now. Please try again in a few "
                "minutes."
            ),
        )
        return _page(request, form, status=503)
    return redirect("signup:sent")


def _address_used_up(request) -> bool:
    """Whether the client address has used up either signup limit (nothing is counted)."""
    sent = _over_limit(request, "signup-ip", settings.SIGNUP_RATE_PER_IP, count=False)
    return sent or _over_limit(request, "signup-ip-invalid", _invalid_rate(), count=False)


def _too_many(request, form):
    """The form again with what was entered, and no validation: a flood gets no work done."""
    form._errors, form.cleaned_data = ErrorDict(), {}
    form.add_error(None, _("Too many signups from your address. Try again in an hour."))
    return _page(request, form, status=TOO_MANY)


@require_GET
def check_subdomain(request):
    """The live availability check: a small fragment htmx puts beside the subdomain field."""
    slug = normalize_subdomain(request.GET.get("slug", ""))
    context = {"slug": slug, "host": subdomain_host(slug) if slug else ""}
    if _over_limit(request, "signup-check", settings.SIGNUP_CHECK_RATE):
        context["problem"] = _("Too many checks. Wait a minute; the form checks it again.")
    elif not slug:
        context["problem"] = ""
    else:
        context["problem"] = subdomain_problem(slug)
    return render(request, "signup/_subdomain_status.html", context)


@require_GET
def sent(request):
    return render(request, "signup/sent.html")


def _portal_url(request, slug: str) -> str:
    """The new portal's address as this visitor reaches the platform (same scheme and port)."""
    host = request.get_host()
    port = host.rpartition(":")[2] if ":" in host else ""
    return f"{request.scheme}://{subdomain_host(slug)}{':' + port if port else ''}"


@sensitive_post
@never_cache
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def confirm(request, signup_id, secret):
    """The emailed link: GET shows what will be created, POST creates it and offers the way in.

    A GET never provisions: mail scanners open links. Not one request transaction: provisioning
    manages its own, so its log survives a failure.
    """
    try:
        opened = selectors.open_signup(signup_id, secret)
    except selectors.InvalidLink:
        return render(request, "signup/link_invalid.html", status=404)
    except selectors.ExpiredLink:
        services.discard_signup(signup_id)  # of no use any more; its secret is now in logs
        return render(request, "signup/link_expired.html", status=410)
    if opened.provisioned:
        return _already(request, opened.signup.association)
    data = opened.data
    form = SubdomainForm(request.POST or None, initial={"slug": data["slug"]})
    context = {"data": data, "form": form, "base_domain": settings.BASE_DOMAIN}
    if request.method == "GET":
        # Taken since the form was sent? Say so at once, beside the field.
        context["slug_problem"] = subdomain_problem(data["slug"])
    if request.method == "POST":
        if _over_limit(request, "signup-confirm", settings.SIGNUP_CONFIRM_RATE):
            form.add_error(None, _("Too many attempts from your address. Try again later."))
            return render(request, "signup/confirm.html", context, status=TOO_MANY)
        if form.is_valid():
            slug = form.cleaned_data["slug"]
            try:
                confirmed = services.confirm_signup(
                    opened, slug=slug, portal_url=lambda s: _portal_url(request, s)
                )
            except services.AlreadyProvisioned:
                opened = selectors.open_signup(signup_id, secret)
                return _already(request, opened.signup.association)
            except SubdomainTaken:
                form.add_error(
                    "slug", _("Someone has just taken this address. Choose another one.")
                )
            except InnRegistered:
                form.add_error(None, inn_taken_message())
            except ProvisioningFailed:
                return render(request, "signup/failed.html", context, status=503)
            else:
                # A page with the way in, not a redirect: the form's page may only post to this
                # site (CSP form-action 'self'), and that covers the redirects of its answer.
                handover = reverse(
                    "signup:handover",
                    urlconf=settings.ROOT_URLCONF,
                    kwargs={"token": confirmed.handover_token},
                )
                ready = {
                    "association": confirmed.association,
                    "handover_url": _portal_url(request, slug) + handover,
                }
                return render(request, "signup/ready.html", ready)
    return render(request, "signup/confirm.html", context)


def _already(request, association):
    context = {"association": association}
    if association is not None:
        context["portal_url"] = _portal_url(request, association.slug)
    return render(request, "signup/already.html", context)


# --- The new portal --------------------------------------------------------------------------


@never_cache
@require_GET
def handover(request, token):
    """Sign the new portal's chairman in with the one-time token, then the first steps (after
    the second factor's enrolment, which the chairman's role requires)."""
    try:
        user = services.consume_handover(token)
    except services.InvalidHandover:
        return render(request, "signup/handover_invalid.html", status=404)
    login(request, user, backend=MODEL_BACKEND)
    first_steps = reverse("signup:first-steps")
    if twofactor.required_for(user) and not twofactor.is_verified(request):
        return redirect(f"{reverse('access:second_factor')}?{urlencode({'next': first_steps})}")
    return redirect(first_steps)


@role_required(*FOUNDER_ROLES)
def first_steps(request):
    """The new portal's checklist: buildings and premises, members, the second factor."""
    steps = selectors.first_steps(request.user)
    return render(
        request,
        "signup/first_steps.html",
        {"steps": steps, "done": sum(step.done for step in steps)},
    )
