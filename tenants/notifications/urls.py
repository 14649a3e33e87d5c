"""Notification URLs, under ``notifications/`` of an association's portal. No URL carries an
address or a name: the unsubscribe link names the person only inside its signed token."""

from django.urls import path

from tenants.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("settings/", views.preferences, name="preferences"),
    path("deliveries/", views.failed_deliveries, name="deliveries"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
