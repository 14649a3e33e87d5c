"""Meters' pages under ``meters/`` and their API under ``api/v1/meters/``."""

from django.urls import path

from tenants.meters import api, urls_accounting, views

app_name = "meters"

urlpatterns = [
    path("meters/", views.submit_page, name="submit"),
    path("meters/<uuid:pk>/", views.meter_detail, name="meter"),
    path("meters/board/", views.board_index, name="board"),
    path("meters/board/premises/<uuid:pk>/", views.board_premises, name="board-premises"),
    path("meters/board/premises/<uuid:pk>/add/", views.meter_add, name="add"),
    path("meters/board/premises/<uuid:pk>/enter/", views.board_enter, name="enter"),
    path("meters/board/buildings/<uuid:pk>/", views.board_building, name="board-building"),
    path("meters/board/buildings/<uuid:pk>/add/", views.meter_add_common, name="add-common"),
    path("meters/board/buildings/<uuid:pk>/enter/", views.board_enter_common, name="enter-common"),
    path("meters/board/meters/<uuid:pk>/edit/", views.meter_edit, name="edit"),
    path("meters/board/meters/<uuid:pk>/replace/", views.meter_replace, name="replace"),
    path("meters/board/meters/<uuid:pk>/close/", views.meter_close, name="close"),
    path("api/v1/meters/", api.MeterList.as_view(), name="api-meters"),
    path("api/v1/meters/status/", api.SubmissionStatus.as_view(), name="api-status"),
    path("api/v1/meters/readings/", api.SubmitReadings.as_view(), name="api-submit"),
    path("api/v1/meters/<uuid:pk>/", api.MeterDetail.as_view(), name="api-meter"),
    path("api/v1/meters/<uuid:pk>/readings/", api.ReadingHistory.as_view(), name="api-readings"),
]

urlpatterns += urls_accounting.urlpatterns
