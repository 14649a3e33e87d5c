"""URL map of the public site (the base domain): landing, signup, the operators' console."""

from django.urls import include, path

urlpatterns = [
    path("", include("signup.urls")),
    path("billing/", include("billing.plans.public_urls")),
    path("console/billing/", include("billing.plans.console_urls")),
    path("console/", include("console.urls")),
    path("accounts/", include("core.access.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# The key store down is a 503 even when it fails inside middleware (core/crypto/middleware.py).
handler500 = "core.crypto.middleware.server_error"
