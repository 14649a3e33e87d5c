"""Reads of documents and news, each scoped to the reader.

Who reads what (the same on pages, in the API and for the files):

* the board (``BOARD``) reads every document and keeps them (uploads, new versions, changes),
  publishes news and emergency notices, and sees how many people opened each version;
* a member of the partnership (an owner whom the register of members counts today,
  ``tenants.residents.member_selectors``) reads the documents of the groups "members", "all
  owners" and "everyone"; an owner who is not a member "all owners" and "everyone"; a resident,
  the accountant and the dispatcher "everyone";
* a document outside the reader's groups is a 404, its file too: it looks like no document.
* News and emergency notices are read by everyone signed in to the association.

Pages read in a constant number of queries whatever the number of documents.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core import stamped
from core.access.roles import BOARD, Role, has_role, roles_of
from tenants.documents.models import (
    SEARCH_CONFIG,
    Document,
    DocumentRead,
    DocumentVersion,
    News,
    NewsKind,
    document_search_vector,
    news_search_vector,
)
from tenants.documents.sections import (
    DISCLOSURE,
    OWNERS_READ,
    DisclosureItem,
    ReaderGroup,
    Section,
    groups_by_roles,
)
from tenants.residents import member_selectors
from tenants.residents.models import Ownership
from tenants.residents.selectors import current

#: The emergency notices that have not ended, in the shared cache (``core.stamped``, the
#: association's entry): read ahead with the session on every request (``DocumentsConfig.ready``)
#: and given a new stamp by every change of the news (``forget_emergencies``). An entry lives
#: ``stamped.VALUE_TTL`` at most; an emergency's end is checked against the clock anyway.
EMERGENCY_KIND = "documents.emergencies"
#: The longest search text taken.
MAX_SEARCH = 100


# -- who reads what -----------------------------------------------------------------------------


def keeps_documents(user) -> bool:
    return has_role(user, *BOARD)


def is_member(user) -> bool:
    """Whether ``user`` is a member of the partnership today: an owner record linked to the
    login that the register of members counts (ЖК РФ ст. 143). Remembered on the user object
    for the request."""
    cached = getattr(user, "_documents_is_member", None)
    if cached is not None:
        return cached
    answer = False
    if Role.OWNER in roles_of(user):
        owner_ids = set(
            Ownership.objects.filter(current(), owner__user=user).values_list("owner_id", flat=True)
        )
        if owner_ids:
            answer = any(
                owner_ids & set(member.owner_ids) for member in member_selectors.members_as_of()
            )
    user._documents_is_member = answer
    return answer


def reader_groups(user) -> frozenset[str]:
    """The reader groups ``user`` belongs to (each including the narrower ones)."""
    roles = roles_of(user)
    if not roles:
        return frozenset()
    member = (not roles & BOARD) and Role.OWNER in roles and is_member(user)
    return groups_by_roles(user, is_member=member)


def documents_visible_to(user) -> QuerySet[Document]:
    """The documents ``user`` may read (with a file: every document has one)."""
    return (
        Document.objects.filter(readers__in=sorted(reader_groups(user)), current__isnull=False)
        .select_related("current", "current__file")
        .order_by("section", "-dated", "-created_at")
    )


def document_for_reader(user, pk) -> Document:
    """The document ``pk`` if ``user`` may read it, else 404."""
    document = documents_visible_to(user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def version_for_reader(user, document_pk, version_pk) -> DocumentVersion:
    """A version of a document ``user`` may read (older versions too), else 404."""
    version = (
        DocumentVersion.objects.filter(
            pk=version_pk,
            document_id=document_pk,
            document__readers__in=sorted(reader_groups(user)),
        )
        .select_related("document", "file")
        .first()
    )
    if version is None:
        raise Http404
    return version


def search_documents(documents: QuerySet[Document], text: str) -> QuerySet[Document]:
    """Documents whose title or description has the words of ``text`` in any form (PostgreSQL's
    ``russian`` configuration: «протокол» finds «протоколы»), best first."""
    text = (text or "").strip()[:MAX_SEARCH]
    if not text:
        return documents
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    vector = document_search_vector()
    return (
        documents.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(search=query)
        .order_by("-rank", "-dated", "-created_at")
    )


@dataclass
class SectionList:
    section: Section
    documents: list[Document]


def by_section(documents) -> list[SectionList]:
    """Documents grouped by section, in the sections' order; empty sections left out."""
    grouped: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        grouped[document.section].append(document)
    return [SectionList(s, grouped[s.value]) for s in Section if grouped.get(s.value)]


def history(document: Document) -> list[DocumentVersion]:
    """Every version of a document, newest first (the first is the current one)."""
    return list(document.versions.select_related("file").order_by("-number"))


@dataclass(frozen=True)
class ReadCounts:
    readers: int
    opens: int


def read_counts(document: Document) -> dict:
    """Version id → how many people opened it and how often (the board's view)."""
    rows = (
        DocumentRead.objects.filter(document=document)
        .values("version_id")
        .annotate(opens=Count("id"), readers=Count("user_id", distinct=True))
    )
    return {row["version_id"]: ReadCounts(row["readers"], row["opens"]) for row in rows}


def readers_count(document: Document) -> int:
    """How many people opened any version of the document."""
    return DocumentRead.objects.filter(document=document).values("user_id").distinct().count()


# -- ЖК РФ ст. 143.1 ----------------------------------------------------------------------------


@dataclass
class DisclosurePart:
    section: Section
    required: bool
    #: Documents of this section every owner may read (members or not), newest first.
    documents: list[Document] = field(default_factory=list)
    #: For the board: documents of this section published to a narrower group only.
    hidden: int = 0

    @property
    def missing(self) -> bool:
        return self.required and not self.documents


@dataclass
class DisclosureEntry:
    item: DisclosureItem
    parts: list[DisclosurePart]

    @property
    def missing(self) -> bool:
        return any(part.missing for part in self.parts)


def disclosure() -> list[DisclosureEntry]:
    """The list of ЖК РФ ст. 143.1 ч. 3, each item with the documents every owner may read.

    Two queries whatever the number of documents. A required part without a document is
    ``missing``; documents published to the board or to members only do not count (non-member
    owners could not read them) and are counted in ``hidden`` for the board.
    """
    sections = {part.section.value for item in DISCLOSURE for part in item.parts}
    published: dict[str, list[Document]] = defaultdict(list)
    for document in (
        Document.objects.filter(
            section__in=sorted(sections), readers__in=sorted(OWNERS_READ), current__isnull=False
        )
        .select_related("current", "current__file")
        .order_by("-dated", "-created_at")
    ):
        published[document.section].append(document)
    narrower = dict(
        Document.objects.filter(section__in=sorted(sections), current__isnull=False)
        .exclude(readers__in=sorted(OWNERS_READ))
        .values_list("section")
        .annotate(count=Count("id"))
    )
    return [
        DisclosureEntry(
            item,
            [
                DisclosurePart(
                    part.section,
                    part.required,
                    published.get(part.section.value, []),
                    narrower.get(part.section.value, 0),
                )
                for part in item.parts
            ],
        )
        for item in DISCLOSURE
    ]


def register_for_owners(on: datetime.date | None = None):
    """The register of members in the form ЖК РФ ст. 143.1 lets members and owners read: names,
    premises, shares and admission dates, no phone or email (``member_selectors.register``)."""
    return member_selectors.register(on, contacts=False)


# -- news ---------------------------------------------------------------------------------------


def news_visible_to(user) -> QuerySet[News]:
    """Every news item for anyone signed in to the association (none for anyone else)."""
    if not roles_of(user):
        return News.objects.none()
    return News.objects.all().order_by("-published_at")


def news_for_reader(user, pk) -> News:
    item = news_visible_to(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def search_news(news: QuerySet[News], text: str) -> QuerySet[News]:
    text = (text or "").strip()[:MAX_SEARCH]
    if not text:
        return news
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    vector = news_search_vector()
    return (
        news.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(search=query)
        .order_by("-rank", "-published_at")
    )


def emergency_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(kind=NewsKind.EMERGENCY) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def active_emergencies_queryset(now=None) -> QuerySet[News]:
    return News.objects.filter(emergency_q(now)).order_by("-published_at")


@dataclass(frozen=True)
class Banner:
    """An emergency notice as the top of every page shows it (plain values, cacheable)."""

    id: str
    title: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


def active_emergencies(now=None) -> list[Banner]:
    """The emergency notices that have not ended, newest first: from the cache (no query on a
    warm page), filled on a miss and given a new stamp by every change of the news."""
    now = now or timezone.now()
    cached = stamped.lookup(EMERGENCY_KIND, stamped.ASSOCIATION).get(
        lambda: [
            Banner(str(item.pk), item.title, item.starts_at, item.ends_at)
            # those that have not ended now, even when asked about a later moment
            for item in active_emergencies_queryset(min(now, timezone.now()))
        ]
    )
    return [banner for banner in cached if banner.ends_at is None or banner.ends_at > now]


def forget_emergencies() -> None:
    """A new stamp for the cached notices, now and when the current transaction commits."""
    stamped.invalidate(EMERGENCY_KIND, [stamped.ASSOCIATION])


def reader_group_label(value: str) -> str:
    return ReaderGroup(value).label
