"""The benchmarks' settings plus one more tenant app (``tests.perf.upgrade_probe``): "the next
release adds one table", for the upgrade benchmark (``bench_upgrades``)."""

from tests.perf.settings import *  # noqa: F403

TENANT_APPS = [*TENANT_APPS, "tests.perf.upgrade_probe"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "tests.perf.upgrade_probe"]  # noqa: F405
