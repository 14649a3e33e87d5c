from django.urls import path

from tenants.portal import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]

api_urlpatterns = [
    path("me/", views.me, name="api-me"),
]
