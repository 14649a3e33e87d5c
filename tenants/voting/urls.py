"""Voting pages under ``voting/`` and their API under ``api/v1/voting/``."""

from django.urls import path

from tenants.voting import views

app_name = "voting"

urlpatterns = [
    path("voting/", views.index, name="index"),
    path("voting/<uuid:pk>/", views.meeting, name="meeting"),
]
