"""The yardstick's server: a bare Django hello-world view, no middleware, no database, no apps.

``python -m tests.perf`` serves it with the same gunicorn command as the portal (``config.wsgi``,
the same workers, threads, worker class and keep-alive; only ``DJANGO_SETTINGS_MODULE`` differs),
in the same run, on a port of its own. Every page's ratio is taken against it: what Django itself
costs on this machine, so the middleware stack's own cost shows in the figures (the stack's
hello against this one: ``stack_hello_vs_bare``).

Settings and URL map in one module: ``ROOT_URLCONF`` names this module.
"""

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "bench-only-bare-hello"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "tests.perf.bare_settings"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True


def hello(request):
    return HttpResponse(b"Hello, world!", content_type="text/plain")


urlpatterns = [
    path("bench/hello/", hello),
    path("healthz", hello),  # the bench's readiness check asks every server for it
]
