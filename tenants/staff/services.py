"""Writes for the association's staff: grant and take away roles, appoint by email, hand over
the chair. Each change is audited in its transaction (who, whom, which roles; never a name or an
email).

Roles live on the login (``User.roles``) and are read afresh on every request, so a change takes
effect on the person's next request; a role that needs a second factor sends someone without one
to enrolment then (``SecondFactorMiddleware``). Taking away the last such role of a person ends
their sessions (the schema's own session table), so a confirmed second factor does not outlive
the role.

The chair (ЖК РФ ст. 149: the chairman is elected by the board) is never granted or taken away
directly: the chairman names a successor (or the platform's operators do, when the chairman is
gone), the successor accepts, and only then the role passes. At most one hand-over is pending
(a partial unique constraint; a new proposal replaces the old one), and accepting locks the
hand-over and every chairman's row, so the association always ends with exactly one chairman.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.access.roles import SECOND_FACTOR_ROLES, STAFF_KEEPERS, STAFF_ROLES, Role
from core.audit.services import record
from tenants.invitations import services as invitations
from tenants.notifications import services as notifications
from tenants.staff.models import ChairHandover, HandoverStatus

#: The notification kind that tells a successor the chair is offered to them.
HANDOVER_NOTICE = "staff.chair_handover"


def _users():
    return get_user_model()._default_manager


def _chair_passes_only_by_handover() -> ValidationError:
    return ValidationError(
        {
            "roles": _(
                "The chairman's role cannot be given or taken away here: the chairman names a "
                "successor, and the role passes when the successor accepts."
            )
        }
    )


def _not_staff_roles() -> ValidationError:
    return ValidationError(
        {"roles": _("Only board member, accountant and dispatcher roles are given here.")}
    )


def _staff_roles(roles) -> list[str]:
    """``roles`` as a sorted list, refused unless every one is a staff role."""
    roles = set(roles or ())
    if Role.CHAIRMAN in roles:
        raise _chair_passes_only_by_handover()
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if not roles <= STAFF_ROLES:
        raise _not_staff_roles()
    return sorted(roles)


def _locked_login(user):
    """The login, locked for the transaction, if it is one of this association's; else refused.

    Logins live in the association's schema: an id from another association finds nothing here.
    """
    pk = getattr(user, "pk", user)
    locked = _users().select_for_update().filter(pk=pk).first() if pk else None
    if locked is None:
        raise ValidationError(_("This person has no login in this association."))
    return locked


def _check_keeper(actor) -> None:
    """The actor must hold the chairman's role now (read afresh, not from the request's copy)."""
    if actor is None:
        return
    held = _users().filter(pk=actor.pk).values_list("roles", flat=True).first() or []
    if not set(held) & STAFF_KEEPERS:
        raise ValidationError(_("Only the chairman manages the staff."))


def _holds_second_factor_role(roles) -> bool:
    return bool(set(roles) & SECOND_FACTOR_ROLES)


def end_sessions(user) -> int:
    """Sign ``user`` out everywhere: delete their sessions from this schema's table; how many.

    The database session store keeps no index by user, so the live sessions are read and
    decoded (one association's, bounded by its logins); called inside the change's transaction.
    """
    from django.contrib.sessions.models import Session

    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    if ended:
        Session.objects.filter(pk__in=ended).delete()
        _forget_cached_sessions(ended)
    return len(ended)


def _forget_cached_sessions(keys: list[str]) -> None:
    """Sessions are read from the cache first (``cached_db``): drop the ended ones there too,
    or they would go on working until they expire."""
    from importlib import import_module

    from django.conf import settings
    from django.core.cache import caches

    store = import_module(settings.SESSION_ENGINE).SessionStore
    prefix = getattr(store, "cache_key_prefix", None)
    if prefix is None:  # a store without a cache
        return
    caches[settings.SESSION_CACHE_ALIAS].delete_many([prefix + key for key in keys])


# -- roles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleChange:
    user: object
    granted: tuple[str, ...] = ()
    revoked: tuple[str, ...] = ()
    sessions_ended: int = 0


@transaction.atomic
def grant_roles(user, *, roles, actor) -> RoleChange:
    """Give staff ``roles`` to a login of this association (refused: none new, a closed login)."""
    _check_keeper(actor)
    roles = _staff_roles(roles)
    target = _locked_login(user)
    if not target.is_active:
        raise ValidationError(_("This login is disabled: roles cannot be given to it."))
    added = [role for role in roles if role not in target.roles]
    if not added:
        raise ValidationError({"roles": _("This person already holds these roles.")})
    return _apply(target, grant=added, revoke=(), actor=actor)


@transaction.atomic
def revoke_roles(user, *, roles, actor) -> RoleChange:
    """Take staff ``roles`` away (never the chair's); the last second-factor role ends the
    person's sessions."""
    _check_keeper(actor)
    roles = _staff_roles(roles)
    target = _locked_login(user)
    removed = [role for role in roles if role in target.roles]
    if not removed:
        raise ValidationError({"roles": _("This person holds none of these roles.")})
    return _apply(target, grant=(), revoke=removed, actor=actor)


@transaction.atomic
def set_staff_roles(user, *, roles, actor) -> RoleChange:
    """Make the login's staff roles exactly ``roles`` (the person's page): grants and takes
    away in one transaction, each audited; other roles (owner, resident, chair) are kept."""
    _check_keeper(actor)
    wanted = set(roles or ())
    if Role.CHAIRMAN in wanted:
        raise _chair_passes_only_by_handover()
    if not wanted <= STAFF_ROLES:
        raise _not_staff_roles()
    target = _locked_login(user)
    held = set(target.roles) & STAFF_ROLES
    added = sorted(wanted - held)
    removed = sorted(held - wanted)
    if added and not target.is_active:
        raise ValidationError(_("This login is disabled: roles cannot be given to it."))
    if not added and not removed:
        return RoleChange(user=target)
    return _apply(target, grant=added, revoke=removed, actor=actor)


def _apply(target, *, grant, revoke, actor) -> RoleChange:
    had_second_factor_role = _holds_second_factor_role(target.roles)
    roles = [role for role in target.roles if role not in revoke]
    roles += [role for role in grant if role not in roles]
    target.roles = roles
    target.save(update_fields=["roles"])
    ended = 0
    if had_second_factor_role and not _holds_second_factor_role(roles):
        ended = end_sessions(target)
    if grant:
        record("staff.roles_granted", actor=actor, target=target, details={"roles": list(grant)})
    if revoke:
        record(
            "staff.roles_revoked",
            actor=actor,
            target=target,
            details={"roles": list(revoke), "sessions_ended": ended},
        )
    return RoleChange(
        user=target, granted=tuple(grant), revoked=tuple(revoke), sessions_ended=ended
    )


@dataclass(frozen=True)
class Appointment:
    """What appointing by email did: roles given to an existing login, or an invitation sent."""

    change: RoleChange | None = None
    invitation: object = None


@transaction.atomic
def appoint(*, email: str, roles, actor, site_url: str) -> Appointment:
    """Give staff ``roles`` to the person with this email: directly when they have a login
    here (found by the email's blind index), else by an invitation whose link grants them."""
    _check_keeper(actor)
    roles = _staff_roles(roles)
    existing = _users().with_email(invitations.normalize_email(email)).first()
    if existing is not None:
        return Appointment(change=grant_roles(existing, roles=roles, actor=actor))
    invitation = invitations.invite_staff(email=email, roles=roles, actor=actor, site_url=site_url)
    return Appointment(invitation=invitation)


# -- the chair --------------------------------------------------------------------------------


@transaction.atomic
def propose_handover(*, successor, actor) -> ChairHandover:
    """The chairman names ``successor`` (a login of this association); nothing else changes
    until the successor accepts. A pending hand-over is replaced."""
    _check_chairman(actor)
    return _propose(successor, proposed_by=actor, by_operator=False)


@transaction.atomic
def propose_handover_by_operator(*, email: str) -> ChairHandover:
    """The platform's operators name the successor of a chairman who is gone, by the login's
    email as the association gave it to them (matched through the blind index; the operators
    never see the members). Runs in the association's schema (the console's hook)."""
    successor = _users().with_email(invitations.normalize_email(email)).first()
    if successor is None:
        raise ValidationError(
            {
                "email": _(
                    "No login of this association has this email. Check the address with the "
                    "association: the successor must have signed in to the portal before."
                )
            }
        )
    return _propose(successor, proposed_by=None, by_operator=True)


def _check_chairman(actor) -> None:
    held = _users().filter(pk=getattr(actor, "pk", None)).values_list("roles", flat=True).first()
    if not held or Role.CHAIRMAN not in held:
        raise ValidationError(_("Only the chairman can hand over the chair."))


def _propose(successor, *, proposed_by, by_operator: bool) -> ChairHandover:
    target = _locked_login(successor)
    if not target.is_active:
        raise ValidationError({"successor": _("This login is disabled: it cannot take the chair.")})
    if Role.CHAIRMAN in target.roles:
        raise ValidationError({"successor": _("This person is the chairman already.")})
    now = timezone.now()
    replaced = 0
    for pending in ChairHandover.objects.select_for_update().filter(status=HandoverStatus.PENDING):
        pending.status = HandoverStatus.REPLACED
        pending.decided_at = now
        pending.save(update_fields=["status", "decided_at"])
        replaced += 1
    handover = ChairHandover(
        successor=target, proposed_by=proposed_by, by_operator=by_operator, created_at=now
    )
    try:
        with transaction.atomic():
            handover.save()
    except IntegrityError:
        # Another hand-over was proposed at the same moment (one pending at a time).
        raise ValidationError(
            _("Another hand-over of the chair was proposed a moment ago. Reload the page.")
        ) from None
    record(
        "staff.handover_proposed",
        actor=proposed_by,
        target=handover,
        details={"successor": str(target.pk), "by_operator": by_operator, "replaced": replaced},
    )
    _tell_successor(handover, actor=proposed_by)
    return handover


def _tell_successor(handover: ChairHandover, *, actor) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You are offered the chair of the association")
        body = _(
            "You are named the successor of the chairman. Open the portal to accept or decline; "
            "until you accept, nothing changes."
        )
    notifications.notify(
        actor=actor,
        kind=HANDOVER_NOTICE,
        recipients=[handover.successor_id],
        subject=subject,
        body=body,
        # The portal's URL map, also when the operators' console (public site) runs this.
        path=reverse(
            "staff:handover-answer", kwargs={"pk": handover.pk}, urlconf=settings.ROOT_URLCONF
        ),
    )


def _locked_pending(handover, *, for_successor=None) -> ChairHandover:
    locked = ChairHandover.objects.select_for_update().filter(pk=handover.pk).first()
    if locked is None or (for_successor is not None and locked.successor_id != for_successor.pk):
        raise ValidationError(_("This hand-over of the chair is not addressed to you."))
    if locked.status != HandoverStatus.PENDING:
        raise ValidationError(
            _("This hand-over is no longer waiting: it was withdrawn, replaced or decided.")
        )
    return locked


@transaction.atomic
def accept_handover(handover, *, actor) -> ChairHandover:
    """The successor takes the chair: every current chairman loses the chair's role (keeping
    their other roles), the successor gains it; exactly one chairman afterwards."""
    handover = _locked_pending(handover, for_successor=actor)
    successor = _locked_login(actor)
    if not successor.is_active:
        raise ValidationError(_("This login is disabled: it cannot take the chair."))
    former = list(
        _users()
        .select_for_update()
        .filter(roles__contains=[Role.CHAIRMAN])
        .exclude(pk=successor.pk)
        .order_by("pk")
    )
    ended = 0
    for person in former:
        had_second_factor_role = _holds_second_factor_role(person.roles)
        person.roles = [role for role in person.roles if role != Role.CHAIRMAN]
        person.save(update_fields=["roles"])
        if had_second_factor_role and not _holds_second_factor_role(person.roles):
            ended += end_sessions(person)
    if Role.CHAIRMAN not in successor.roles:
        successor.roles = [*successor.roles, Role.CHAIRMAN]
        successor.save(update_fields=["roles"])
    handover.status = HandoverStatus.ACCEPTED
    handover.decided_at = timezone.now()
    handover.save(update_fields=["status", "decided_at"])
    record(
        "staff.handover_accepted",
        actor=successor,
        target=handover,
        details={
            "successor": str(successor.pk),
            "former": [str(person.pk) for person in former],
            "by_operator": handover.by_operator,
            "sessions_ended": ended,
        },
    )
    return handover


@transaction.atomic
def decline_handover(handover, *, actor) -> ChairHandover:
    """The successor declines: nothing changes but the hand-over's status."""
    handover = _locked_pending(handover, for_successor=actor)
    return _close(handover, HandoverStatus.DECLINED, actor=actor, action="staff.handover_declined")


@transaction.atomic
def withdraw_handover(handover, *, actor) -> ChairHandover:
    """The chairman withdraws the pending hand-over."""
    _check_chairman(actor)
    handover = _locked_pending(handover)
    return _close(
        handover, HandoverStatus.WITHDRAWN, actor=actor, action="staff.handover_withdrawn"
    )


def _close(handover: ChairHandover, status: str, *, actor, action: str) -> ChairHandover:
    handover.status = status
    handover.decided_at = timezone.now()
    handover.save(update_fields=["status", "decided_at"])
    record(action, actor=actor, target=handover, details={"successor": str(handover.successor_id)})
    return handover
