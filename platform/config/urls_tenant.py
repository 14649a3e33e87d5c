"""URL map of an association's portal (``<slug>.<base>``).

Each app's URLs carry its namespace (``app_name``: ``reverse("residents:registry-index")``), its
API included: ``tenants.portal`` serves ``api/v1/me/``, ``tenants.residents`` ``api/v1/registry/``.
"""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

urlpatterns = [
    path("", include("tenants.portal.urls")),
    path("", include("tenants.residents.urls")),
    path("registry/import/", include("tenants.imports.urls")),
    path("accounts/", include("core.access.urls")),
    path("welcome/", include("signup.tenant_urls")),
    path("export/", include("console.tenant_urls")),
    path("invitations/", include("tenants.invitations.urls")),
    path("files/", include("tenants.files.urls")),
    path("settings/profile/", include("tenants.profile.urls")),
    path("settings/plan/", include("billing.plans.tenant_urls")),
    path("notifications/", include("tenants.notifications.urls")),
    path("staff/", include("tenants.staff.urls")),
    path("", include("tenants.meters.urls")),
    path("", include("tenants.ledger.urls")),
    path("", include("tenants.ledger.receipts.urls")),
    path("", include("tenants.letters.urls")),
    path("", include("tenants.documents.urls")),
    path("", include("tenants.dispatch.urls")),
    path("", include("tenants.forum.urls")),
    path("", include("tenants.budget.urls")),
    path("", include("tenants.voting.urls")),
    path("", include("billing.payments.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

# The key store down is a 503 even when it fails inside middleware (core/crypto/middleware.py).
handler500 = "core.crypto.middleware.server_error"
# A path under /api/ that no pattern takes is a JSON 404, as the API's schema documents.
handler404 = "core.access.api.not_found"
