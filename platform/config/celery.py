"""The Celery app. Tasks carry the schema they were sent from and run inside it.

``tenant_schemas_celery`` puts the sending connection's schema in the task headers and switches
the worker's connection to it before the task runs, so a task queued from a request of the
association ``demo`` runs in ``demo``'s schema. Periodic jobs are fanned out per association by
``core.tasks.fan_out``.
"""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("tszh")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(
    [
        "core",
        "core.crypto",
        "core.idempotency",
        "core.relay",
        "associations",
        "signup",
        "console",
        "tenants.portal",
        "tenants.imports",
        "tenants.files",
        "tenants.notifications",
        "tenants.meters",
        "tenants.ledger",
        "tenants.ledger.receipts",
        "tenants.ledger.payments",
        "tenants.letters",
        "tenants.documents",
        "tenants.dispatch",
        "tenants.voting",
    ]
)
