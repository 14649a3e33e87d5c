"""URLs of the registry: "My home", the board's registry pages, and the REST API."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tenants.residents import api, views

app_name = "residents"

router = SimpleRouter()
router.register("premises", api.PremisesViewSet, basename="api-registry-premises")
router.register("owners", api.OwnerViewSet, basename="api-registry-owners")
router.register("accounts", api.AccountViewSet, basename="api-registry-accounts")

urlpatterns = [
    path("home/", views.my_home, name="my-home"),
    path("registry/", views.registry_index, name="registry-index"),
    path("registry/buildings/new/", views.building_add, name="registry-building-add"),
    path("registry/buildings/<uuid:pk>/", views.building_edit, name="registry-building-edit"),
    path("registry/premises/new/", views.premises_add, name="registry-premises-add"),
    path("registry/premises/<uuid:pk>/", views.premises_detail, name="registry-premises"),
    path("registry/premises/<uuid:pk>/edit/", views.premises_edit, name="registry-premises-edit"),
    path(
        "registry/premises/<uuid:pk>/accounts/new/",
        views.account_add,
        name="registry-account-add",
    ),
    path("registry/premises/<uuid:pk>/owners/new/", views.owner_add, name="registry-owner-add"),
    path("registry/owners/<uuid:pk>/", views.owner_edit, name="registry-owner-edit"),
    path("registry/shares/<uuid:pk>/", views.ownership_edit, name="registry-ownership-edit"),
    path("registry/accounts/", views.accounts_index, name="registry-accounts"),
    path("registry/accounts/<uuid:pk>/", views.account_detail, name="registry-account"),
    path(
        "registry/accounts/<uuid:pk>/number/",
        views.account_renumber,
        name="registry-account-renumber",
    ),
    path("registry/accounts/<uuid:pk>/holder/", views.holder_change, name="registry-holder-change"),
    path("registry/holdings/<uuid:pk>/erase/", views.holding_erase, name="registry-holding-erase"),
    path(
        "registry/residencies/<uuid:pk>/end/",
        views.residency_end,
        name="registry-residency-end",
    ),
    path("api/v1/registry/", include(router.urls)),
    # The register of members and the registered residents (urls_members.py).
    path("", include("tenants.residents.urls_members")),
]
