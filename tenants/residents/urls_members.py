"""URLs of the register of members and the registered residents (in the ``residents`` namespace,
included by ``tenants.residents.urls``)."""

from django.urls import path

from tenants.residents import member_views as views

urlpatterns = [
    path("registry/members/", views.register_page, name="registry-members"),
    path("registry/members/register.csv", views.register_csv, name="registry-members-csv"),
    path("registry/members/register.xlsx", views.register_xlsx, name="registry-members-xlsx"),
    path("members/register/", views.register_for_members, name="members-register"),
    path(
        "registry/owners/<uuid:pk>/membership/",
        views.owner_membership,
        name="registry-owner-membership",
    ),
    path(
        "registry/owners/<uuid:pk>/link/<uuid:other>/",
        views.owner_link,
        name="registry-owner-link",
    ),
    path("registry/owners/<uuid:pk>/unlink/", views.owner_unlink, name="registry-owner-unlink"),
    path(
        "registry/memberships/<uuid:pk>/end/",
        views.membership_end,
        name="registry-membership-end",
    ),
    path(
        "registry/premises/<uuid:pk>/registered/",
        views.registered_residents,
        name="registry-registered",
    ),
    path(
        "registry/registered/<uuid:pk>/end/",
        views.registered_end,
        name="registry-registered-end",
    ),
]
