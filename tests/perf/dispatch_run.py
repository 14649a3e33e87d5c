"""Run inside a Django process (see bench_dispatch): the desk's queue at the demo's size and at
SIZE open requests, and the classifier's time per request.

``python -m tests.perf.dispatch_run SIZE`` in the bench database's demo association:

1. signs the demo dispatcher in (a session with the second factor marked as passed, committed,
   so the gunicorn server accepts its cookie) and counts the queries of a warm GET of the
   queue ``/dispatch/desk/`` with Django's test client, middleware included;
2. adds open requests until there are SIZE (numbers, statuses, categories, urgencies and
   buildings spread; each description sealed under its premises' holding key), and counts
   again;
3. trains the classifier on the demo's confirmed history (the demo queues that for the
   worker, which the bench does not run), then times ``classifier.suggest`` (the trained
   model, loaded once) and the keyword rules over the shipped sample's texts repeated to
   1,000.

Prints one JSON line: the session key, both query counts, milliseconds per classification.
"""

from __future__ import annotations

import datetime
import json
import sys
import time

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402

from core.access.twofactor import SESSION_KEY  # noqa: E402
from tenants.dispatch import classifier, sla  # noqa: E402
from tenants.dispatch.models import (  # noqa: E402
    OPEN_STATUSES,
    Category,
    Place,
    Request,
    Status,
    Urgency,
)
from tenants.dispatch.sample_ru import SAMPLE  # noqa: E402
from tenants.residents.models import Holding  # noqa: E402

PAGE = "/dispatch/desk/"
BATCH = 500
DISPATCHER = "dispatcher@demo.tszh.local"


def _queries(client) -> int:
    client.get(PAGE)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PAGE)
    if response.status_code != 200 or "dsp-row" not in response.content.decode():
        raise RuntimeError(f"{PAGE} answered {response.status_code}, not the desk's queue")
    return len(captured)


def _populate(size: int) -> int:
    have = Request.objects.filter(status__in=OPEN_STATUSES).count()
    homes = list(
        Holding.objects.filter(ended_on__isnull=True, account__premises__isnull=False)
        .order_by("account__number")
        .values_list("pk", "account__premises_id", "account__premises__building_id")[:120]
    )
    statuses = [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD, Status.REOPENED]
    urgencies = [Urgency.NORMAL, Urgency.NORMAL, Urgency.URGENT, Urgency.EMERGENCY]
    number = (Request.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    now = timezone.now()
    zone = sla.association_zone()
    table = sla.table_in_force(now.date())
    made = 0
    while have + made < size:
        rows = []
        for _ in range(min(BATCH, size - have - made)):
            n = made + len(rows)
            holding_id, premises_id, building_id = homes[n % len(homes)]
            text, category = SAMPLE[n % len(SAMPLE)]
            urgency = urgencies[n % len(urgencies)]
            filed = now - datetime.timedelta(minutes=7 * n)
            rows.append(
                Request(
                    number=number + n,
                    category=category,
                    suggested_category=category,
                    place=Place.PREMISES,
                    premises_id=premises_id,
                    building_id=building_id,
                    urgency=urgency,
                    status=statuses[n % len(statuses)],
                    holding_id=holding_id,
                    description=text,
                    filed_at=filed,
                    due_at=sla.deadline(filed, table[(category, urgency)], urgency, zone),
                )
            )
        with transaction.atomic():
            Request.objects.bulk_create(rows)
        made += len(rows)
    return made


def _classification_ms() -> dict:
    texts = [text for text, _category in SAMPLE]
    texts = (texts * (1000 // len(texts) + 1))[:1000]
    classifier.suggest(texts[0])  # load the stored model once
    started = time.perf_counter()
    sources = {classifier.suggest(text).source for text in texts}
    model_ms = (time.perf_counter() - started) * 1000 / len(texts)
    started = time.perf_counter()
    for text in texts:
        classifier.by_rules(text)
    rules_ms = (time.perf_counter() - started) * 1000 / len(texts)
    return {"model_ms": model_ms, "rules_ms": rules_ms, "sources": sorted(sources)}


def main(size: int) -> dict:
    with schema_context("demo"):
        dispatcher = get_user_model().objects.with_email(DISPATCHER).first()
        if dispatcher is None:
            raise RuntimeError("the demo has no dispatcher login")
        client = Client(HTTP_HOST="demo.localhost")
        client.force_login(dispatcher)
        session = client.session
        session[SESSION_KEY] = str(dispatcher.pk)
        session.save()
        # What the demo's queued task does (the bench runs no worker).
        trained = classifier.train() or classifier.ClassifierModel.objects.first()
        before_size = Request.objects.filter(status__in=OPEN_STATUSES).count()
        before = _queries(client)
        added = _populate(size)
        after = _queries(client)
        result = {
            "session": client.cookies["sessionid"].value,
            "open_before": before_size,
            "queries_before": before,
            "open_after": Request.objects.filter(status__in=OPEN_STATUSES).count(),
            "queries_after": after,
            "added": added,
            "trained_on": trained.samples if trained else 0,
        }
        result.update(_classification_ms())
        if Category.OTHER not in Category.values:  # pragma: no cover - a sanity check
            raise RuntimeError("categories changed")
    return result


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)))
