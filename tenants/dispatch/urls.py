"""The dispatch desk's pages under ``dispatch/`` and its API under ``api/v1/dispatch/``."""

from django.urls import path

from tenants.dispatch import api, views

app_name = "dispatch"

urlpatterns = [
    path("dispatch/", views.mine, name="mine"),
    path("dispatch/new/", views.new, name="new"),
    path("dispatch/requests/<uuid:pk>/", views.detail, name="request"),
    path("dispatch/requests/<uuid:pk>/comment/", views.comment, name="comment"),
    path("dispatch/requests/<uuid:pk>/photos/", views.add_photos, name="photos"),
    path("dispatch/requests/<uuid:pk>/rate/", views.rate, name="rate"),
    path("dispatch/requests/<uuid:pk>/reopen/", views.reopen, name="reopen"),
    path("dispatch/requests/<uuid:pk>/cancel/", views.cancel, name="cancel"),
    path("dispatch/requests/<uuid:pk>/assign/", views.assign, name="assign"),
    path("dispatch/requests/<uuid:pk>/status/", views.change_status, name="status"),
    path("dispatch/requests/<uuid:pk>/classify/", views.classify, name="classify"),
    path("dispatch/requests/<uuid:pk>/work-order/", views.work_order, name="work-order"),
    path("dispatch/desk/", views.queue, name="queue"),
    path("dispatch/desk/merge/", views.merge, name="merge"),
    path("dispatch/desk/deadlines/", views.sla_table, name="sla"),
]

urlpatterns += [
    path("dispatch/suppliers/", views.suppliers, name="suppliers"),
    path("dispatch/suppliers/new/", views.supplier_new, name="supplier-new"),
    path("dispatch/suppliers/<uuid:pk>/", views.supplier_detail, name="supplier"),
    path("dispatch/suppliers/<uuid:pk>/edit/", views.supplier_edit, name="supplier-edit"),
    path("dispatch/analytics/", views.analytics, name="analytics"),
]

urlpatterns += [
    path("api/v1/dispatch/requests/", api.RequestList.as_view(), name="api-requests"),
    path("api/v1/dispatch/requests/<uuid:pk>/", api.RequestDetail.as_view(), name="api-request"),
    path(
        "api/v1/dispatch/requests/<uuid:pk>/comments/",
        api.CommentList.as_view(),
        name="api-comments",
    ),
    path("api/v1/dispatch/requests/<uuid:pk>/photos/", api.PhotoList.as_view(), name="api-photos"),
    path("api/v1/dispatch/suppliers/", api.SupplierList.as_view(), name="api-suppliers"),
]
