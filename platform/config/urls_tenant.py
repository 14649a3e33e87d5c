"""URL map of an association's portal (``<slug>.<base>``)."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from tenants.portal.urls import api_urlpatterns as portal_api
from tenants.residents.urls import api_urlpatterns as registry_api

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
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include(portal_api)),
    path("api/v1/registry/", include(registry_api)),
]

# The key store down is a 503 even when it fails inside middleware (core/crypto/middleware.py).
handler500 = "core.crypto.middleware.server_error"
