"""Sign-in, sign-out and password reset, shared by the public console and every association."""

from __future__ import annotations

import hashlib
import logging

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from core.access import twofactor
from core.access.models import SecondFactor
from core.access.tokens import password_reset_token
from core.audit import services as audit
from core.sensitive import sensitive_post

logger = logging.getLogger(__name__)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The email or password is wrong. Check them and try again."),
        "inactive": _("This account is switched off. Ask your association's board."),
        "rate_limited": _(
            "Too many failed attempts. Wait a few minutes before you try again, "
            "or reset your password."
        ),
        # The counters' store (Redis) is down: sign-in fails closed rather than unlimited.
        "limits_unavailable": _(
            "Signing in is briefly unavailable for technical reasons. "
            "Please try again in a few minutes."
        ),
    }


class EmailPasswordResetForm(PasswordResetForm):
    def get_users(self, email):
        """Active users with this email, found through the email's blind index."""
        users = get_user_model()._default_manager.with_email(email).filter(is_active=True)
        return (user for user in users if user.has_usable_password())


def _account_key(group: str, request) -> str:
    # A hash, so that the cache never holds an email address in clear.
    email = (request.POST.get("username") or "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest()


@sensitive_post
class LoginView(auth_views.LoginView):
    """The login page; failed attempts are limited per address and per account."""

    template_name = "access/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return self.default_url_for(self.request)

    @staticmethod
    def default_url_for(request) -> str:
        """Home after sign-in: the console for operators (public schema), else the dashboard."""
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.schema_name == settings.PUBLIC_SCHEMA_NAME:
            return resolve_url("console:index")
        return resolve_url("portal:dashboard")

    def _limits(self) -> list[dict]:
        rate = settings.LOGIN_FAILURE_RATE
        return [
            {"group": "login-ip", "key": "ip", "rate": rate},
            {"group": "login-account", "key": _account_key, "rate": rate},
        ]

    def _limit_usages(self) -> list[dict | None]:
        """Each limit's usage; None where its counter cannot be read (Redis unreachable)."""
        return [_usage(self.request, increment=False, **limit) for limit in self._limits()]

    def _count_failure(self) -> None:
        for limit in self._limits():
            _usage(self.request, increment=True, **limit)

    def post(self, request, *args, **kwargs):
        # Fails closed: a limit nobody can check would let guessing run free, so while the
        # counters are out of reach every attempt is refused (503, "try later"), before any
        # password is hashed; a used-up limit is a 429.
        usages = self._limit_usages()
        if any(usage is None for usage in usages):
            return self._refuse("limits_unavailable", status=503)
        if any(usage["count"] >= usage["limit"] for usage in usages):
            return self._refuse("rate_limited", status=429)
        return super().post(request, *args, **kwargs)

    def _refuse(self, reason: str, *, status: int):
        # An unbound form: a refused attempt must not cost a password hash.
        form = self.form_class(request=self.request)
        form.cleaned_data = {}
        form.add_error(None, LoginForm.error_messages[reason])
        response = self.render_to_response(self.get_context_data(form=form), status=status)
        if status == 503:
            response["Retry-After"] = "60"
        return response

    def form_invalid(self, form):
        self._count_failure()  # a counter out of reach is refused at the next attempt
        return super().form_invalid(form)


def _usage(request, **limit) -> dict | None:
    """``get_usage`` of a limit, or None when its counter cannot be reached (callers refuse)."""
    try:
        usage = get_usage(request, **limit)
    except Exception as error:  # Redis down or unreachable: the caller fails closed
        logger.warning("rate-limit counters unavailable (%s)", type(error).__name__)
        return None
    if usage is None or usage.get("limit") == 0:  # django-ratelimit's own "cache failed"
        return None
    return usage


class LogoutView(auth_views.LogoutView):
    pass


@sensitive_post
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "access/password_reset_form.html"
    form_class = EmailPasswordResetForm
    email_template_name = "access/email/password_reset.txt"
    subject_template_name = "access/email/password_reset_subject.txt"
    token_generator = password_reset_token
    success_url = reverse_lazy("access:password_reset_done")

    def form_valid(self, form):
        """Send at most a few letters per address and per account an hour.

        Over the limit the page says the same as always (no hint whether the account exists),
        but no letter goes out: nobody can flood a member's mailbox from this form.
        """
        limits = [
            {"group": "reset-ip", "key": "ip", "rate": settings.PASSWORD_RESET_RATE},
            {"group": "reset-account", "key": _reset_key, "rate": settings.PASSWORD_RESET_RATE},
        ]
        usages = [_usage(self.request, increment=True, **limit) for limit in limits]
        # Counters out of reach: no letter either (fails closed, the page says the same).
        if any(usage is None or usage["count"] > usage["limit"] for usage in usages):
            return redirect(self.get_success_url())
        return super().form_valid(form)


def _reset_key(group: str, request) -> str:
    email = (request.POST.get("email") or "").strip().lower()
    return hashlib.sha256(email.encode()).hexdigest()


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "access/password_reset_done.html"


@sensitive_post
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "access/password_reset_confirm.html"
    token_generator = password_reset_token
    success_url = reverse_lazy("access:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record("access.password_reset", actor=form.user, target=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "access/password_reset_complete.html"


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


@sensitive_post
@login_required
def second_factor(request):
    """Enrol an authenticator (first time) or confirm a code from it (every sign-in)."""
    if not twofactor.required_for(request.user) or twofactor.is_verified(request):
        return redirect(_next_url(request))
    factor = twofactor.confirmed_factor(request.user)
    enrolling = factor is None
    if enrolling:
        # A reload shows the same secret: the app may have scanned it already.
        factor = SecondFactor.objects.filter(user=request.user).first()
        if factor is None:
            factor = twofactor.start_enrolment(request.user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _second_factor_limited(request):
            form.add_error(None, LoginForm.error_messages["rate_limited"])
        elif twofactor.verify_code(factor, form.cleaned_data["code"]):
            twofactor.mark_verified(request)
            return redirect(_next_url(request))
        else:
            _count_second_factor_failure(request)
            form.add_error("code", _("The code is wrong or has expired. Enter the current one."))
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        label = f"{request.user.email} ({request.get_host()})"
        uri = twofactor.provisioning_uri(factor, label)
        context.update(qr_svg=twofactor.qr_svg(uri), secret=factor.secret)
    return render(request, "access/second_factor.html", context)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return LoginView.default_url_for(request)


def _second_factor_limited(request) -> bool:
    """Wrong codes used up, or the counter out of reach (fails closed, as the sign-in)."""
    usage = _usage(request, group="second-factor", key="user", rate=settings.LOGIN_FAILURE_RATE)
    return usage is None or usage["count"] >= usage["limit"]


def _count_second_factor_failure(request) -> None:
    _usage(
        request,
        group="second-factor",
        key="user",
        rate=settings.LOGIN_FAILURE_RATE,
        increment=True,
    )
