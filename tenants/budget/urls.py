"""The budget's pages under ``budget/`` and its API under ``api/v1/budget/``."""

from django.urls import path

from tenants.budget import api, views

app_name = "budget"

urlpatterns = [
    path("budget/", views.index, name="index"),
    path("budget/<uuid:pk>/", views.estimate, name="estimate"),
    path("budget/<uuid:pk>/lines/add/", views.line_add, name="line-add"),
    path("budget/lines/<uuid:pk>/", views.line_edit, name="line-edit"),
    path("budget/lines/<uuid:pk>/delete/", views.line_delete, name="line-delete"),
    path("budget/<uuid:pk>/publish/", views.publish, name="publish"),
    path("budget/<uuid:pk>/revise/", views.revise, name="revise"),
    path("budget/<uuid:pk>/refresh/", views.refresh, name="refresh"),
    path("budget/<uuid:pk>/meeting/", views.to_meeting, name="to-meeting"),
    path("budget/<uuid:pk>/vote/", views.to_vote, name="to-vote"),
    path("budget/<uuid:pk>/decision/", views.decision, name="decision"),
    path("budget/<uuid:pk>/apply/", views.apply, name="apply"),
    path("budget/<uuid:pk>/versions/", views.versions, name="versions"),
    path("budget/<uuid:pk>/execution/", views.execution, name="execution"),
    path("budget/<uuid:pk>/report/", views.execution_report, name="report"),
    path("budget/<uuid:pk>/report/publish/", views.report_publish, name="report-publish"),
    path(
        "budget/expenditures/<uuid:pk>/cancel/",
        views.expenditure_cancel,
        name="expenditure-cancel",
    ),
    path("budget/<uuid:pk>/justification/", views.justification, name="justification"),
    path("api/v1/budget/estimates/", api.Estimates.as_view(), name="api-estimates"),
    path("api/v1/budget/estimates/<uuid:pk>/", api.EstimateDetail.as_view(), name="api-estimate"),
    path("api/v1/budget/estimates/<uuid:pk>/lines/", api.Lines.as_view(), name="api-lines"),
    path("api/v1/budget/lines/<uuid:pk>/", api.LineDetail.as_view(), name="api-line"),
    path(
        "api/v1/budget/estimates/<uuid:pk>/versions/", api.Versions.as_view(), name="api-versions"
    ),
    path(
        "api/v1/budget/estimates/<uuid:pk>/expenditures/",
        api.Expenditures.as_view(),
        name="api-expenditures",
    ),
    path(
        "api/v1/budget/estimates/<uuid:pk>/decision/",
        api.RecordDecision.as_view(),
        name="api-decision",
    ),
    path("api/v1/budget/estimates/<uuid:pk>/apply/", api.ApplyRates.as_view(), name="api-apply"),
]
