"""Run inside a Django process (see bench_notifications): one notification to every member.

``python tests/perf/notify_run.py SMTP_PORT SIZE...`` creates, for each SIZE, an association
with SIZE member logins (emails encrypted under its key, as signup and invitations make them),
then as its chairman writes one announcement to everyone through the outbox
(``notify_members``) and delivers it (the delivery task's body, unpaced) over SMTP to the sink on
SMTP_PORT. Counts every SQL query of both steps. Prints one JSON line per size.
"""

from __future__ import annotations

import json
import sys
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from associations.models import Association  # noqa: E402
from associations.services import create_association  # noqa: E402
from core.access.roles import Role  # noqa: E402
from tenants.notifications import services  # noqa: E402
from tenants.notifications.declaration import ANNOUNCEMENT  # noqa: E402
from tenants.notifications.models import OutboxMessage, OutboxStatus  # noqa: E402

USER_BATCH = 1000


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _members(size: int) -> None:
    User = get_user_model()
    for start in range(0, size, USER_BATCH):
        users = [
            User(
                email=f"member{n}@bench-notify.test",
                full_name=f"Участник {n}",
                roles=[Role.OWNER],
                password="!",  # unusable: no hashing cost, nobody signs in
            )
            for n in range(start, min(size, start + USER_BATCH))
        ]
        User.objects.bulk_create(users)


def run(size: int, port: int) -> dict:
    slug = f"bench-notify-{size}"
    if Association.objects.filter(slug=slug).exists():
        raise SystemExit(f"the association {slug} exists: the benchmark needs an empty one")
    association = create_association(name=f"ТСЖ «Бенчмарк уведомлений {size}»", slug=slug)
    with tenant_context(association):
        _members(size)
        chairman = get_user_model().objects.create_user(
            f"chairman@{slug}.test", "bench-notify-2026", roles=[Role.CHAIRMAN]
        )
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            with transaction.atomic():
                message = services.notify_members(
                    actor=chairman,
                    kind=ANNOUNCEMENT,
                    subject="Общее собрание собственников 12 июня",
                    body="Повестка и бюллетени — на портале. Приходите во двор в 19:00.",
                    path="/",
                )
            written = time.perf_counter()
            write_queries = counter.count
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=port,
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
                EMAIL_HOST_USER="",
                EMAIL_HOST_PASSWORD="",
            ):
                result = services.deliver_pending()
            delivered = time.perf_counter()
        recipients = OutboxMessage.objects.filter(message=message).count()
        sent = OutboxMessage.objects.filter(message=message, status=OutboxStatus.SENT).count()
    if sent != recipients or result.sent != recipients:
        raise SystemExit(f"{size}: {result.sent} sent of {recipients} ({result})")
    return {
        "size": size,
        "recipients": recipients,
        "write_s": written - started,
        "deliver_s": delivered - written,
        "total_s": delivered - started,
        "write_queries": write_queries,
        "deliver_queries": counter.count - write_queries,
        "queries": counter.count,
    }


def main(port: int, sizes: list[int]) -> None:
    assert settings.DEBUG is False
    for size in sizes:
        print(json.dumps(run(size, port)), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), [int(size) for size in sys.argv[2:]])
