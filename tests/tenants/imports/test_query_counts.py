"""Pinned query counts of the import's pages (tests/query_counts.py): the index with one recent
job and twenty, a preview's page and an applied job's page with one row and twenty."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tenants.imports.models import ImportJob
from tests.query_counts import counts_at, query_count
from tests.tenants.imports.conftest import owner_row, xlsx

pytestmark = pytest.mark.django_db


def test_the_index(alpha, board, preview, client_of):
    def grow_to(size):
        for n in range(ImportJob.objects.count(), size):
            cache.clear()  # the previews' rate limit (PREVIEW_RATE) counts in the cache
            preview(xlsx([owner_row(n + 1)]), name=f"registry-{n}.xlsx")

    client = client_of(alpha, board)
    found = counts_at((1, 20), grow_to, lambda: query_count(client, "/registry/import/"))
    assert found == {1: 3, 20: 3}


@pytest.mark.parametrize(("applied", "pinned"), [(False, 6), (True, 4)], ids=["preview", "applied"])
def test_a_jobs_page(alpha, board, preview, imported, client_of, applied, pinned):
    client = client_of(alpha, board)
    make = imported if applied else preview
    found = {}
    for size, first in ((1, 1), (20, 101)):
        job = make(xlsx([owner_row(first + n) for n in range(size)]), name=f"registry-{size}.xlsx")
        found[size] = query_count(client, f"/registry/import/{job.pk}/")
    assert found == {1: pinned, 20: pinned}
