"""The association URL map plus ``bench/hello/``, the yardstick every page is compared with."""

from django.http import HttpResponse
from django.urls import path

from config.urls_tenant import urlpatterns as tenant_urlpatterns


def hello(request):
    return HttpResponse(b"Hello, world!", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello, name="bench-hello"),
    *tenant_urlpatterns,
]
