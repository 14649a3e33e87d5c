"""Every URL that takes an uploaded file has an entry in ``tests/uploads/expectations.py``
(issue 19, "Upload endpoints fuzzed"): the next upload endpoint is fuzzed by adding one entry."""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.views import APIView

from tests.access_expectations import PUBLIC_URLCONF, TENANT_URLCONF
from tests.uploads.discovery import takes_files, upload_urls
from tests.uploads.expectations import BY_NAME


def test_every_url_that_takes_files_has_an_entry():
    found = upload_urls(TENANT_URLCONF) | upload_urls(PUBLIC_URLCONF)
    missing = sorted(found - BY_NAME.keys())
    assert not missing, f"upload URLs without an entry in tests/uploads/expectations.py: {missing}"


def test_every_entry_names_a_url_that_takes_files():
    found = upload_urls(TENANT_URLCONF) | upload_urls(PUBLIC_URLCONF)
    stale = sorted(BY_NAME.keys() - found)
    assert not stale, f"entries for URLs that take no file (or do not exist): {stale}"


def _reads_files(request):
    return request.FILES


def _view_without_files(request):
    return request.POST


def _view_through_a_helper(request):
    return _reads_files(request)


class _WithFiles(serializers.Serializer):
    scans = serializers.ListField(child=serializers.FileField())


class _WithoutFiles(serializers.Serializer):
    name = serializers.CharField()


class _ApiWithFiles(APIView):
    def post(self, request):
        return _WithFiles(data=request.data)


class _ApiWithoutFiles(APIView):
    def post(self, request):
        return _WithoutFiles(data=request.data)


def test_the_finder_sees_files_through_helpers_and_serializers():
    """The finder can fail: a view without files is not one; a helper's ``request.FILES`` and a
    serializer's list of files are."""
    assert not takes_files(_view_without_files)
    assert takes_files(_view_through_a_helper)
    assert takes_files(_ApiWithFiles.as_view())
    assert not takes_files(_ApiWithoutFiles.as_view())
