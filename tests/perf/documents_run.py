"""Run inside a Django process (see bench_documents): put an emergency notice on the demo
association's pages, or take it away.

``python tests/perf/documents_run.py on|off``. The row is written directly (nobody is emailed);
the banner's cache is cleared either way, as the services do on commit.
"""

from __future__ import annotations

import datetime
import sys

import django

django.setup()

from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from tenants.documents import selectors  # noqa: E402
from tenants.documents.models import News, NewsKind  # noqa: E402

TITLE = "Бенчмарк: отключение воды"


def main(action: str) -> None:
    with schema_context("demo"):
        News.objects.filter(title=TITLE).delete()
        if action == "on":
            now = timezone.now()
            News.objects.create(
                kind=NewsKind.EMERGENCY,
                title=TITLE,
                body="",
                starts_at=now,
                ends_at=now + datetime.timedelta(hours=2),
                published_at=now,
                updated_at=now,
            )
        selectors.forget_emergencies()
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1])
