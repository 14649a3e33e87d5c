"""The "Security" pages of a signed-in person (member, board, operator): the same views on an
association's host and on the public site (``core/access/urls.py`` is included by both).

Every page that takes the current password is limited like the sign-in
(``LOGIN_FAILURE_RATE`` per login and per address, failing closed while the counters are out of
reach), so the page cannot be used to guess the password of a session left open. Services:
``core/access/security.py``.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.access import security, twofactor
from core.access.views import LoginForm, _usage
from core.sensitive import sensitive_post
from core.ui.refusals import show_refusal

WRONG_PASSWORD = _("The current password is wrong. Nothing was changed.")
UNAVAILABLE = _(
    "The password cannot be checked just now for technical reasons. Nothing was changed; "
    "please try again in a few minutes."
)


# -- limits on the current password ------------------------------------------------------------


def _password_limits() -> list[dict]:
    rate = settings.LOGIN_FAILURE_RATE
    return [
        {"group": "security-password-user", "key": "user", "rate": rate},
        {"group": "security-password-ip", "key": "ip", "rate": rate},
    ]


def _password_refusal(request) -> tuple[str, int] | None:
    """Why the current password may not be checked now (message, status), or None."""
    usages = [_usage(request, increment=False, **limit) for limit in _password_limits()]
    if any(usage is None for usage in usages):
        return UNAVAILABLE, 503
    if any(usage["count"] >= usage["limit"] for usage in usages):
        return LoginForm.error_messages["rate_limited"], 429
    return None


def _count_wrong_password(request) -> None:
    for limit in _password_limits():
        _usage(request, increment=True, **limit)


def _code_limited(request) -> bool:
    usage = _usage(request, group="second-factor", key="user", rate=settings.LOGIN_FAILURE_RATE)
    return usage is None or usage["count"] >= usage["limit"]


def _count_wrong_code(request) -> None:
    _usage(
        request, group="second-factor", key="user", rate=settings.LOGIN_FAILURE_RATE, increment=True
    )


def _refused(request, template: str, context: dict, form, refusal: tuple[str, int]):
    message, status = refusal
    form.cleaned_data = {}  # an unbound form takes an error only so
    form.add_error(None, message)
    response = render(request, template, {**context, "form": form}, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response


# -- forms -------------------------------------------------------------------------------------


class CurrentPasswordMixin:
    def clean_current_password(self):
        password = self.cleaned_data.get("current_password") or ""
        if not self.user.check_password(password):
            raise ValidationError(WRONG_PASSWORD, code="password_incorrect")
        return password


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (the validators of ``AUTH_PASSWORD_VALIDATORS`` on the new password, the
    two new ones equal) with our words."""

    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": WRONG_PASSWORD,
        "password_mismatch": _("The two new passwords differ. Type the same one twice."),
    }

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["old_password"].label = _("Current password")
        self.fields["new_password1"].label = _("New password")
        self.fields["new_password2"].label = _("New password again")
        self.fields["new_password1"].help_text = _(
            "At least 8 characters; not only digits, not a common password, not like your "
            "email or name."
        )


class NewPhoneForm(CurrentPasswordMixin, forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("Code from the app on the new phone"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class TurnOffForm(CurrentPasswordMixin, forms.Form):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


# -- pages -------------------------------------------------------------------------------------


def _factor_state(user) -> dict:
    factor = twofactor.confirmed_factor(user)
    return {
        "factor": factor,
        "factor_on": factor is not None,
        "factor_required": twofactor.required_for(user),
    }


@login_required
def overview(request):
    """What the person can do: the password, the second factor, the other sessions."""
    return render(request, "access/security/overview.html", _factor_state(request.user))


@sensitive_post
@login_required
def change_password(request):
    template = "access/security/password.html"
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST":
        refusal = _password_refusal(request)
        if refusal is not None:
            # An unbound form: a refused attempt costs no password hash.
            return _refused(request, template, {}, ChangePasswordForm(request.user), refusal)
        if form.is_valid():
            security.change_password(
                actor=request.user,
                new_password=form.cleaned_data["new_password1"],
                keep=request.session.session_key,
            )
            # This session goes on: its auth hash follows the new password (a new key too).
            update_session_auth_hash(request, request.user)
            messages.success(
                request,
                gettext(
                    "The password was changed. Other sessions of your login were signed out; "
                    "a letter about the change is on its way."
                ),
            )
            return redirect("access:security")
        if form.has_error("old_password", "password_incorrect"):
            _count_wrong_password(request)
    return render(request, template, {"form": form})


def _pending_secret(request) -> str:
    """The seed of the new phone this session is enrolling (made and sealed on first use)."""
    secret = security.open_pending(request.user, request.session.get(security.PENDING_KEY))
    if secret is None:
        secret = security.new_secret()
        request.session[security.PENDING_KEY] = security.seal_pending(request.user, secret)
    return secret


@sensitive_post
@login_required
def new_phone(request):
    """Move the authenticator to a new phone: the old one works until the new one's code is
    accepted together with the current password."""
    template = "access/security/new_phone.html"
    state = _factor_state(request.user)
    if not (state["factor_on"] or state["factor_required"]):
        # Sign-in asks these roles for the password only: nothing to move.
        return render(request, template, {**state, "form": None})
    secret = _pending_secret(request)
    label = f"{request.user.email} ({request.get_host()})"
    uri = twofactor.provisioning_uri(security.SecondFactor(secret=secret), label)
    context = {**state, "qr_svg": twofactor.qr_svg(uri), "secret": secret}
    form = NewPhoneForm(request.user, request.POST or None)
    if request.method == "POST":
        refusal = _password_refusal(request)
        if refusal is None and _code_limited(request):
            refusal = (LoginForm.error_messages["rate_limited"], 429)
        if refusal is not None:
            return _refused(request, template, context, NewPhoneForm(request.user), refusal)
        if form.is_valid():
            try:
                security.replace_second_factor(
                    actor=request.user, secret=secret, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                _count_wrong_code(request)
                show_refusal(form, error)
            else:
                request.session.pop(security.PENDING_KEY, None)
                twofactor.mark_verified(request)
                messages.success(
                    request,
                    gettext(
                        "The second factor now uses the new phone; the old one no longer works."
                    ),
                )
                return redirect("access:security")
        elif form.has_error("current_password", "password_incorrect"):
            _count_wrong_password(request)
    return render(request, template, {**context, "form": form})


@sensitive_post
@login_required
def turn_off(request):
    """Turn the second factor off: only where the person's roles do not require it."""
    template = "access/security/turn_off.html"
    state = _factor_state(request.user)
    if state["factor_required"] or not state["factor_on"]:
        if request.method == "POST":
            status = 403 if state["factor_required"] else 200
            return render(request, template, {**state, "form": None}, status=status)
        return render(request, template, {**state, "form": None})
    form = TurnOffForm(request.user, request.POST or None)
    if request.method == "POST":
        refusal = _password_refusal(request)
        if refusal is not None:
            return _refused(request, template, state, TurnOffForm(request.user), refusal)
        if form.is_valid():
            try:
                security.disable_second_factor(actor=request.user)
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, gettext("The second factor is turned off."))
                return redirect("access:security")
        elif form.has_error("current_password", "password_incorrect"):
            _count_wrong_password(request)
    return render(request, template, {**state, "form": form})


@require_POST
@login_required
def end_other_sessions(request):
    """ "Sign out everywhere else": every session of the login but this one ends."""
    ended = security.end_other_sessions(actor=request.user, keep=request.session.session_key)
    messages.success(
        request,
        gettext("Signed out everywhere else (sessions ended: %(count)d).") % {"count": ended},
    )
    return redirect("access:security")
