"""The board's side of an unpaid plan, on every page of the association's portal.

``PlanFeaturesMiddleware`` (after the suspension middleware) puts ``request.billing_notice`` on
the request, lazily: for a signed-in member of the board or the accountant, the association's
``BillingState`` when it needs saying (overdue, limited, over the premises limit), else None.
``templates/plans/banner.html`` (included by ``base.html``) shows it. Members never see it.

After the grace period (``state.grace_days``), changes in ``GATED_NAMESPACES`` and
``GATED_VIEWS`` (the features of
the paid plans that nothing of the law or the members depends on) answer 403 with a page
saying why and how to pay; reading them stays open, and nothing else is touched: accruals,
readings, members' payments, letters, meetings and disclosure keep running.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from billing.plans import state
from core.access.roles import BOARD, Role, roles_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: The board's paid features: every change of the registry's spreadsheet import, and drafting
#: the yearly estimate (new estimates, their lines, revisions). Publishing an estimate, putting
#: it to a meeting, recording the meeting's decision and applying its rates stay open: those are
#: disclosure, meetings and accruals (docs/billing.md). Their pages stay readable.
GATED_NAMESPACES = frozenset({"imports"})
GATED_VIEWS = frozenset(
    {
        "budget:index",
        "budget:line-add",
        "budget:line-edit",
        "budget:line-delete",
        "budget:revise",
        "budget:refresh",
        "budget:api-estimates",
        "budget:api-lines",
        "budget:api-line",
    }
)
WARNED_ROLES = BOARD | {Role.ACCOUNTANT}


def _state(request):
    tenant = getattr(request, "tenant", None)
    if tenant is None or getattr(tenant, "schema_name", "public") == "public":
        return None
    return state.state_of(tenant)


def _notice(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not (roles_of(user) & WARNED_ROLES):
        return None
    found = _state(request)
    if found is None or not (found.overdue or found.limited or found.over_limit):
        return None
    return found


class PlanFeaturesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.billing_notice = SimpleLazyObject(lambda: _notice(request))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in SAFE_METHODS:
            return None
        match = getattr(request, "resolver_match", None)
        namespaces = set(getattr(match, "namespaces", ()) or ())
        view_name = getattr(match, "view_name", "")
        if not (namespaces & GATED_NAMESPACES or view_name in GATED_VIEWS):
            return None
        found = _state(request)
        if found is None or not found.limited:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("This feature needs a paid plan: the plan's payment is overdue.")},
                status=403,
            )
        return render(request, "plans/limited.html", {"billing": found}, status=403)
