"""The People pages, under ``staff/`` of an association's portal. No URL carries an email."""

from django.urls import path

from tenants.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.people, name="people"),
    path("appoint/", views.appoint, name="appoint"),
    path("<uuid:pk>/", views.person, name="person"),
    path("chair/", views.handover, name="handover"),
    path("chair/<uuid:pk>/withdraw/", views.handover_withdraw, name="handover-withdraw"),
    path("chair/<uuid:pk>/", views.handover_answer, name="handover-answer"),
]
