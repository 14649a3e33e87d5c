"""Sign-in, sign-out and password reset, shared by the public console and every association."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import get_usage

from core.access.tokens import password_reset_token


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("The email or password is wrong. Check them and try again."),
        "inactive": _("This account is switched off. Ask your association's board."),
        "rate_limited": _(
            "Too many failed attempts. Wait a few minutes before you try again, "
            "or reset your password."
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


class LoginView(auth_views.LoginView):
    """The login page; failed attempts are limited per address and per account."""

    template_name = "access/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        # The public schema's users are operators: their home is the console.
        if getattr(self.request, "tenant", None) is None or (
            self.request.tenant.schema_name == settings.PUBLIC_SCHEMA_NAME
        ):
            return resolve_url("console-index")
        return resolve_url("dashboard")

    def _limits(self) -> list[dict]:
        rate = settings.LOGIN_FAILURE_RATE
        return [
            {"group": "login-ip", "key": "ip", "rate": rate},
            {"group": "login-account", "key": _account_key, "rate": rate},
        ]

    def _limited(self) -> bool:
        """True once either the address or the account has used up its failed attempts."""
        for limit in self._limits():
            usage = get_usage(self.request, increment=False, **limit)
            if usage and usage["count"] >= usage["limit"]:
                return True
        return False

    def _count_failure(self) -> None:
        for limit in self._limits():
            get_usage(self.request, increment=True, **limit)

    def post(self, request, *args, **kwargs):
        if self._limited():
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, LoginForm.error_messages["rate_limited"])
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        self._count_failure()
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "access/password_reset_form.html"
    form_class = EmailPasswordResetForm
    email_template_name = "access/email/password_reset.txt"
    subject_template_name = "access/email/password_reset_subject.txt"
    token_generator = password_reset_token


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "access/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "access/password_reset_confirm.html"
    token_generator = password_reset_token


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "access/password_reset_complete.html"
