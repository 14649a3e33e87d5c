"""What the documents and news tell the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import BOARD, Role
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    ExportRules,
    HolderErasure,
    NotificationKind,
    PeriodicJob,
    TenantCount,
)

#: Everyone with a login reads news and the documents of their groups.
EVERYONE = frozenset(Role.values)
NEWS_DIGEST = "documents.news_digest"


def forget_reads(erasure: HolderErasure) -> dict[str, int]:
    """Delete the read log of the logins the erasure closed (who opened what, when)."""
    from django.contrib.auth import get_user_model

    from tenants.documents.models import DocumentRead

    users = list(
        get_user_model()
        .objects.filter(email_index__in=list(erasure.closed_login_email_indexes))
        .values_list("pk", flat=True)
    )
    if not users:
        return {}
    deleted, _counts = DocumentRead.objects.filter(user_id__in=users).delete()
    return {"document_reads": deleted}


def _count_documents() -> int:
    from tenants.documents.models import Document

    return Document.objects.count()


def _demo() -> str:
    from tenants.documents.demo import seed_demo

    return seed_demo()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "news",
            _("News"),
            _("News of the partnership and notices of outages."),
            EVERYONE,
            url_name="documents:news",
            order=15,
        ),
        DashboardSection(
            "documents",
            _("Documents"),
            _("The charter, reports, estimates, protocols and other documents of the partnership."),
            EVERYONE,
            url_name="documents:index",
            order=50,
        ),
        DashboardSection(
            "disclosure",
            _("Documents open to every owner"),
            _("What ЖК РФ ст. 143.1 lets members and owners read, on one page."),
            BOARD | {Role.OWNER},
            url_name="documents:disclosure",
            order=51,
        ),
    ),
    audit_labels={
        "documents.published": _("Document published"),
        "documents.version_added": _("New version of a document"),
        "documents.changed": _("Document changed"),
        "documents.withdrawn": _("Document removed"),
        "documents.news_published": _("News published"),
        "documents.news_changed": _("News changed"),
        "documents.news_deleted": _("News withdrawn"),
        "documents.emergency_ended": _("Emergency notice ended"),
    },
    erasure=Erasure(
        destroys="the record of which documents the logins closed by the erasure opened",
        keeps="documents, their versions and news (the partnership's records, no personal "
        "data), the counts of other people's reads",
        hook=forget_reads,
    ),
    # The digest runs are a delivery record (like the outbox), not the association's data.
    export=ExportRules(skip_models=frozenset({"digestrun"})),
    counts=(TenantCount("documents", _("Documents"), _count_documents),),
    periodic_jobs=(
        # Daily; the digest itself goes out once a week (``services.send_news_digest``).
        PeriodicJob(
            "documents-news-digest", "tenants.documents.tasks.send_news_digest", 24 * 3600.0
        ),
    ),
    notification_kinds=(
        NotificationKind(
            NEWS_DIGEST,
            _("Weekly news digest"),
            _("Once a week, the titles of the partnership's news, if there were any."),
            default=False,
        ),
    ),
    demo=_demo,
)
