"""Run inside a Django process (see bench_forum): the forum's data for the benchmarks.

* ``forum_run.py topic``: in the demo association, a topic of 500 posts written through the
  services (every post quotes the one before, every tenth mentions the chairman), and a topic
  of 50; counts the queries of the 500-post topic's first and last pages and the 50-post
  topic's page (Django's test client, the demo owner, warm as a server answers). Prints JSON
  with the big topic's id and the three counts.
* ``forum_run.py search N``: N posts of generated Russian text in a new section of the demo
  (sealed and hashed as ``services.reply`` stores them, written in bulk), then times searches
  of single words and pairs in several forms through ``selectors.search_posts`` (hashing the
  query, the GIN lookup, the count, the first page of 20 with their text decrypted). Prints
  JSON with the times in milliseconds.
"""

from __future__ import annotations

import datetime
import json
import random
import statistics
import sys
import time
import uuid

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from associations.models import Association  # noqa: E402
from core.access.roles import Role  # noqa: E402
from tenants.forum import search, selectors, services  # noqa: E402
from tenants.forum.models import Post, Section, Topic  # noqa: E402
from tenants.imports.keys import association_writing_key, seal  # noqa: E402

DEMO = "demo"
TOPIC_POSTS = 500
SMALL_POSTS = 50
BATCH = 2000
WORDS = [
    "счётчик",
    "счётчики",
    "счетчиков",
    "вода",
    "воды",
    "водой",
    "лифт",
    "лифта",
    "лифтом",
    "крыша",
    "крыши",
    "подъезд",
    "подъезда",
    "смета",
    "сметы",
    "взнос",
    "взносы",
    "правление",
    "председатель",
    "ремонт",
    "ремонта",
    "уборка",
    "снег",
    "снега",
    "двор",
    "двора",
    "парковка",
    "тариф",
    "тарифы",
    "отопление",
    "батарея",
    "батареи",
    "труба",
    "трубы",
    "протечка",
    "собрание",
    "голосование",
    "отчёт",
    "бухгалтер",
    "квитанция",
    "долг",
    "пени",
    "мусор",
]
SYLLABLES = ["ка", "ло", "ми", "ра", "то", "ве", "но", "су", "ды", "жа", "пре", "сто", "гра"]
ENDINGS = ["", "а", "ы", "ов", "ом", "ами", "е", "ой", "ую", "ий"]
QUERIES = [
    "счётчик",
    "счетчиками",
    "воду",
    "лифт",
    "крыши",
    "смета",
    "отопления",
    "счётчик воды",
    "ремонт крыши",
    "уборка снега",
    "протечки трубы",
    "взносов",
]


def _demo_user(role, besides=()):
    users = get_user_model().objects.filter(roles__contains=[role], is_active=True)
    if besides:
        users = users.exclude(roles__overlap=list(besides))
    return users.order_by("date_joined").first()


def _client(user) -> Client:
    client = Client(HTTP_HOST="demo.localhost")
    client.force_login(user)
    return client


def _count(client, path) -> int:
    first = client.get(path)
    assert first.status_code == 200, (path, first.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def topic() -> dict:
    owner = _demo_user(Role.OWNER, besides=(Role.CHAIRMAN, Role.BOARD_MEMBER))
    chairman = _demo_user(Role.CHAIRMAN)
    section = Section.objects.order_by("position").first() or services.save_section(
        actor=chairman, title="Бенчмарк"
    )
    made = {}
    for size in (TOPIC_POSTS, SMALL_POSTS):
        with transaction.atomic():
            thread = services.start_topic(
                actor=owner,
                section=section,
                title=f"Тема на {size} сообщений",
                body="Начало **обсуждения** сметы.",
            )
            last = thread.posts.get()
            for n in range(2, size + 1):
                last = services.reply(
                    actor=chairman if n % 2 else owner,
                    topic=thread,
                    body=f"Сообщение {n}: про *счётчики* и ремонт крыши, пункт {n % 7}.",
                    quote=last,
                    mentions=[chairman.pk] if n % 10 == 0 and n % 2 == 0 else (),
                )
        made[size] = thread
    client = _client(owner)
    big, small = made[TOPIC_POSTS], made[SMALL_POSTS]
    return {
        "topic": str(big.pk),
        "queries_first_page": _count(client, f"/forum/topics/{big.pk}/"),
        "queries_last_page": _count(client, f"/forum/topics/{big.pk}/?page=last"),
        "queries_50_posts": _count(client, f"/forum/topics/{small.pk}/"),
    }


PAIRS = ["счётчик воды", "ремонт крыши", "уборка снега", "протечка трубы", "взносы правлению"]


def _vocabulary(rng: random.Random, size: int = 20_000) -> list[str]:
    """Made-up words of Russian look (syllables and endings): the bulk of the texts."""
    words = set()
    while len(words) < size:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        words.add(stem + rng.choice(ENDINGS))
    return sorted(words)


def _text(rng: random.Random, vocabulary: list[str], number: int) -> str:
    """20-40 words, about one in fifty a real word of the forum's topics (each of those then
    occurs in about 1 % of the posts, as a topic's words do), every 100th post a pair."""
    words = []
    for _ in range(rng.randint(20, 40)):
        if rng.random() < 0.02:
            words.append(rng.choice(WORDS))
        else:
            # Zipf-like: a few made-up words are common, most are rare.
            words.append(vocabulary[int(len(vocabulary) * rng.random() ** 3)])
    if number % 100 == 0:
        words.append(PAIRS[(number // 100) % len(PAIRS)])
    return " ".join(words).capitalize() + "."


class Hasher:
    """``search.hashes`` with each word form's hash computed once (the vocabulary repeats):
    the same values the services store, through the same key ring call."""

    def __init__(self):
        self.known: dict[str, int] = {}

    def __call__(self, text: str) -> list[int]:
        forms = search.forms(text)
        new = [form for form in forms if form not in self.known]
        if new:
            digests = search.keyring.blind_indexes(new, field=search.FIELD)
            self.known.update(zip(new, map(search._as_int, digests), strict=True))
        return sorted({self.known[form] for form in forms})


def populate(count: int) -> tuple[float, object]:
    owner = _demo_user(Role.OWNER, besides=(Role.CHAIRMAN, Role.BOARD_MEMBER))
    chairman = _demo_user(Role.CHAIRMAN)
    section = services.save_section(actor=chairman, title="Поиск: архив")
    rng = random.Random(14)
    vocabulary = _vocabulary(rng)
    hasher = Hasher()
    ref, key = association_writing_key()
    started = time.perf_counter()
    per_topic = 500
    written = 0
    while written < count:
        with transaction.atomic():
            thread = Topic(id=uuid.uuid4(), section=section, author=owner)
            seal(thread, "title", f"Архивная тема {written // per_topic}", ref, key)
            thread.save(force_insert=True)
            rows = []
            size = min(per_topic, count - written)
            now = timezone.now() - datetime.timedelta(minutes=count - written)
            for number in range(1, size + 1):
                text = _text(rng, vocabulary, written + number)
                post = Post(
                    id=uuid.uuid4(),
                    topic=thread,
                    number=number,
                    author=owner,
                    created_at=now,
                    words=hasher(text),
                )
                if written == 0 and number == 1:  # the shortcut stores what the services would
                    assert post.words == search.hashes(text)
                seal(post, "body", text, ref, key)
                seal(post, "html", f"<p>{escape(text)}</p>", ref, key)
                rows.append(post)
            Post.objects.bulk_create(rows, batch_size=BATCH)
            Topic.objects.filter(pk=thread.pk).update(
                post_count=size, last_number=size, last_post_at=now
            )
            written += size
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE forum_post")
    return time.perf_counter() - started, owner


def search_run(count: int) -> dict:
    seconds, owner = populate(count)
    timings, hits = [], {}
    for _round in range(3):
        for query in QUERIES:
            started = time.perf_counter()
            posts = selectors.search_posts(owner, query)
            total = posts.count()
            page = list(posts[: selectors.RESULTS_PER_PAGE])
            for post in page:
                _ = post.html  # decrypted, as the page shows it
            timings.append((time.perf_counter() - started) * 1000)
            hits[query] = total
    timings.sort()
    return {
        "posts": Post.objects.count(),
        "populate_s": seconds,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[int(len(timings) * 0.95) - 1],
        "max_ms": timings[-1],
        "hits": hits,
    }


def main(args: list[str]) -> None:
    association = Association.objects.get(schema_name=DEMO)
    with tenant_context(association):
        result = topic() if args[0] == "topic" else search_run(int(args[1]))
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
