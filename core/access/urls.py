"""Authentication URLs, included by both the public and the association URL maps."""

from django.urls import path

from core.access import security_views, views

app_name = "access"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The signed-in person's own security (core/access/security_views.py).
    path("security/", security_views.overview, name="security"),
    path("security/password/", security_views.change_password, name="security_password"),
    path("security/new-phone/", security_views.new_phone, name="security_new_phone"),
    path("security/second-factor-off/", security_views.turn_off, name="security_turn_off"),
    path(
        "security/sign-out-elsewhere/",
        security_views.end_other_sessions,
        name="security_end_sessions",
    ),
]
