from django.urls import path

from tenants.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("api/v1/me/", views.me, name="api-me"),
]
