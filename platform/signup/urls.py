"""The public site's signup URLs (``config.urls_public``)."""

from django.urls import path

from signup import views

app_name = "signup"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("signup/", views.signup, name="signup"),
    path("signup/subdomain/", views.check_subdomain, name="check-subdomain"),
    path("signup/sent/", views.sent, name="sent"),
    path(
        "signup/confirm/<uuid:signup_id>/<str:secret>/",
        views.confirm,
        name="confirm",
    ),
]
