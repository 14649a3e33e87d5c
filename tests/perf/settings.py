"""Settings for the benchmarks' server: the app's own settings plus a hello-world view.

``tests.perf.urls`` adds ``bench/hello/`` to the association URL map, so the yardstick and the real
pages go through the same server, middleware and tenant routing.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.urls"
TEMPLATES[0]["DIRS"] = [BASE_DIR / "tests" / "perf" / "templates"]  # noqa: F405
