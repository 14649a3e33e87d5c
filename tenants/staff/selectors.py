"""Reads for the People pages: the logins and their roles, the hand-over of the chair, and what
changed (the audit entries of staff changes, shown to the board)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from core.access.roles import STAFF_KEEPERS, STAFF_ROLES, Role
from core.audit.models import AuditEntry
from tenants.staff.models import ChairHandover, HandoverStatus

#: The invitations' audit actions shown in the staff's history (staff invitations only).
INVITATION_ACTIONS = ("invitations.created", "invitations.accepted")


def _users():
    return get_user_model()._default_manager


def people(role: str | None = None) -> QuerySet:
    """Every login of the association, the staff first (names are encrypted: no SQL sort by
    name), optionally only the holders of ``role``."""
    queryset = _users().all()
    if role in Role.values:
        queryset = queryset.filter(roles__contains=[role])
    staff = sorted(STAFF_ROLES | STAFF_KEEPERS)
    return queryset.annotate(
        staff_first=Case(
            When(roles__overlap=staff, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("staff_first", "-is_active", "date_joined", "pk")


def person(pk):
    """A login of this association by id, or None."""
    return _users().filter(pk=pk).first()


def successor_choices(exclude=None) -> list:
    """Who the chairman may name: active logins holding a staff role who are not the chairman."""
    queryset = (
        _users()
        .filter(is_active=True, roles__overlap=sorted(STAFF_ROLES))
        .exclude(roles__contains=[Role.CHAIRMAN])
        .order_by("date_joined", "pk")
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return list(queryset)


def pending_handover() -> ChairHandover | None:
    return (
        ChairHandover.objects.select_related("successor", "proposed_by")
        .filter(status=HandoverStatus.PENDING)
        .first()
    )


def handover_for(user, pk) -> ChairHandover | None:
    """The hand-over ``pk`` if it names ``user`` as the successor (anyone else: None → 404)."""
    if user is None or not user.is_authenticated:
        return None
    return ChairHandover.objects.select_related("proposed_by").filter(pk=pk, successor=user).first()


def offered_to(user) -> ChairHandover | None:
    """The pending hand-over naming ``user``, if any (a notice on their pages)."""
    if user is None or not user.is_authenticated:
        return None
    return ChairHandover.objects.filter(status=HandoverStatus.PENDING, successor=user).first()


def chairmen() -> QuerySet:
    return _users().filter(roles__contains=[Role.CHAIRMAN])


def history(limit: int = 30) -> list[AuditEntry]:
    """The latest staff changes: roles given and taken, hand-overs (the operators' too), staff
    invitations; each with the people it names looked up (ids in the entries, names here)."""
    entries = list(
        AuditEntry.objects.filter(
            Q(action__startswith="staff.") | Q(action__in=INVITATION_ACTIONS, details__kind="staff")
        ).order_by("-at")[:limit]
    )
    ids = set()
    for entry in entries:
        if entry.actor_id:
            ids.add(entry.actor_id)
        if entry.target_type == get_user_model()._meta.label_lower:
            ids.add(entry.target_id)
        if entry.details.get("successor"):
            ids.add(entry.details["successor"])
    names = {str(user.pk): user for user in _users().filter(pk__in=ids)}
    for entry in entries:
        entry.actor = names.get(str(entry.actor_id)) if entry.actor_id else None
        entry.person = names.get(entry.target_id) or names.get(
            str(entry.details.get("successor", ""))
        )
    return entries
