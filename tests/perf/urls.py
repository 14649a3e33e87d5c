"""The association URL map plus ``bench/hello/``, the yardstick every page is compared with."""

from django.http import HttpResponse
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_urlpatterns
from tests.perf.accounts_pages import encrypted_accounts, plain_accounts


def hello(request):
    return HttpResponse(b"Hello, world!", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello, name="bench-hello"),
    path("bench/accounts/encrypted/", encrypted_accounts, name="bench-accounts-encrypted"),
    path("bench/accounts/plain/", plain_accounts, name="bench-accounts-plain"),
    *tenant_urlpatterns,
]
