"""Operators find associations by name, subdomain or ИНН, filter them and page through them."""

from __future__ import annotations

import pytest

from associations.models import Association, AssociationKind, AssociationStatus
from console.views import PAGE_SIZE

pytestmark = pytest.mark.django_db


def add_rows(slugs, **fields) -> list[Association]:
    """Association rows without schemas (bulk_create skips django-tenants' schema creation)."""
    fields.setdefault("kind", AssociationKind.TSZH)
    fields.setdefault("status", AssociationStatus.ACTIVE)
    rows = [
        Association(
            schema_name=slug.replace("-", "_"),
            slug=slug,
            **{"name": slug.title(), **fields},
        )
        for slug in slugs
    ]
    return Association.objects.bulk_create(rows)


def listed(response) -> list[str]:
    return [a.slug for a in response.context["page"].object_list]


@pytest.fixture
def more_associations(alpha, beta):
    """Rows for searching (no schema needed: the list reads the public table only)."""

    def make(slug, **fields):
        return add_rows([slug], **fields)[0]

    Association.objects.filter(slug="alpha").update(inn="7701234567", plan="basic")
    return {
        "gamma": make("gamma", name="ЖСК «Гамма»", kind=AssociationKind.ZHSK, plan="pro"),
        "delta": make("delta-sad", name="СНТ «Дельта»", kind=AssociationKind.SNT, inn="5009876543"),
        "omega": make("omega", name="ТСН «Омега»", status=AssociationStatus.SUSPENDED),
    }


def test_the_list_shows_every_association_but_the_platform_itself(console, alpha, beta):
    response = console.get("/console/")
    assert response.status_code == 200
    assert {"alpha", "beta"} <= set(listed(response))
    assert "public" not in listed(response)


def test_search_finds_by_name_subdomain_and_inn(console, more_associations):
    assert listed(console.get("/console/", {"q": "гамм"})) == ["gamma"]
    assert listed(console.get("/console/", {"q": "DELTA"})) == ["delta-sad"]
    assert listed(console.get("/console/", {"q": "770123"})) == ["alpha"]
    assert listed(console.get("/console/", {"q": "nothing-like-this"})) == []


def test_filters_by_kind_status_and_plan_combine(console, more_associations):
    assert listed(console.get("/console/", {"kind": "snt"})) == ["beta", "delta-sad"]
    assert listed(console.get("/console/", {"status": "suspended"})) == ["omega"]
    assert listed(console.get("/console/", {"plan": "pro"})) == ["gamma"]
    assert listed(console.get("/console/", {"kind": "snt", "q": "бета"})) == ["beta"]
    no_plan = listed(console.get("/console/", {"plan": "__none__"}))
    assert "gamma" not in no_plan and "alpha" not in no_plan and "beta" in no_plan


def test_an_unknown_filter_value_is_reported_beside_its_field_and_ignored(console, alpha):
    response = console.get("/console/", {"status": "deleted", "kind": "nonsense"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "status" in form.errors and "kind" in form.errors
    assert "alpha" in listed(response)
    assert 'class="errorlist' in response.content.decode()


def test_the_list_is_paginated(console, alpha):
    add_rows([f"page-test-{n:02d}" for n in range(PAGE_SIZE + 3)])
    first = console.get("/console/", {"q": "page-test"})
    second = console.get("/console/", {"q": "page-test", "page": 2})
    assert len(listed(first)) == PAGE_SIZE
    assert len(listed(second)) == 3
    assert set(listed(first)).isdisjoint(listed(second))
    # The link to the next page keeps the search.
    assert "q=page-test&amp;page=2" in first.content.decode()
    # A page number out of range shows the last page rather than an error.
    assert console.get("/console/", {"q": "page-test", "page": 99}).status_code == 200
    assert console.get("/console/", {"page": "abc"}).status_code == 200
