from django.urls import path

from tenants.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("template.xlsx", views.template, {"fmt": "xlsx"}, name="template-xlsx"),
    path("template.csv", views.template, {"fmt": "csv"}, name="template-csv"),
    path("<uuid:job_id>/", views.job_page, name="job"),
    path("<uuid:job_id>/progress/", views.progress, name="progress"),
    path("<uuid:job_id>/confirm/", views.confirm, name="confirm"),
    path("<uuid:job_id>/discard/", views.discard, name="discard"),
]
