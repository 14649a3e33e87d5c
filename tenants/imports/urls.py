from django.urls import path

from tenants.imports import views

urlpatterns = [
    path("", views.index, name="imports-index"),
    path("template.xlsx", views.template, {"fmt": "xlsx"}, name="imports-template-xlsx"),
    path("template.csv", views.template, {"fmt": "csv"}, name="imports-template-csv"),
    path("<uuid:job_id>/", views.job_page, name="imports-job"),
    path("<uuid:job_id>/progress/", views.progress, name="imports-progress"),
    path("<uuid:job_id>/confirm/", views.confirm, name="imports-confirm"),
    path("<uuid:job_id>/discard/", views.discard, name="imports-discard"),
]
