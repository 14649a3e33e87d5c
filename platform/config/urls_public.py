"""URL map of the public site (the base domain): landing, signup, the operators' console."""

from django.urls import include, path

urlpatterns = [
    path("", include("signup.urls")),
    path("console/", include("console.urls")),
    path("accounts/", include("core.access.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
