"""Writes for invitations: invite, resend, revoke, accept. Each is audited in its transaction.

The board (chairman, board members) lets owners and residents into the portal. An owner's login
is linked to their existing owner record, so they see their premises and shares, as the owners'
register of ЖК РФ ст. 45 ч. 3.1 and the right to information of ст. 143.1 need; a resident gets a
residency. The email is personal data (152-ФЗ): encrypted, never in URLs, logs or audit details.
"""

from __future__ import annotations

import datetime
import smtplib
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.access.roles import Role
from core.audit.services import record
from core.crypto.fields import blind_index_for
from tenants.invitations import selectors, tokens
from tenants.invitations.models import Invitation, InvitationKind, InvitationStatus
from tenants.residents.models import Owner, Ownership, Premises, Residency

#: Defaults, overridable in settings.
DEFAULT_TTL_DAYS = 7
DEFAULT_RESENDS_PER_HOUR = 5


class InvitationUnusable(Exception):
    """The link cannot be accepted (``problem`` is one of ``selectors.Problem``)."""

    def __init__(self, problem: str):
        super().__init__(problem)
        self.problem = problem


def invitation_ttl() -> datetime.timedelta:
    """How long a link stays valid: ``TSZH_INVITATION_TTL_DAYS`` (7 days by default)."""
    return datetime.timedelta(days=getattr(settings, "TSZH_INVITATION_TTL_DAYS", DEFAULT_TTL_DAYS))


def resends_per_hour() -> int:
    return getattr(settings, "TSZH_INVITATION_RESENDS_PER_HOUR", DEFAULT_RESENDS_PER_HOUR)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


# -- invite -----------------------------------------------------------------------------------


@transaction.atomic
def invite(
    *,
    email: str,
    premises: Premises,
    kind: str,
    owner: Owner | None = None,
    actor=None,
    site_url: str,
) -> Invitation:
    """Invite a person by email for ``premises`` and send them the link.

    ``kind`` is owner (``owner`` must be a record holding a share of the premises today and
    without a login yet) or resident. An email with a live invitation is refused; an expired
    one is closed and replaced. ``site_url`` is the association's own address (scheme and host
    of the request), so the link opens on its subdomain. Raises ``ValidationError`` (by field)
    and changes nothing when the input is refused or the letter cannot be sent.
    """
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    if kind not in (InvitationKind.OWNER, InvitationKind.RESIDENT):
        raise ValidationError({"kind": _("Choose whether the person is an owner or a resident.")})

    existing_user = selectors.user_with_email(email)
    if kind == InvitationKind.OWNER:
        owner = _check_owner(owner, premises)
    else:
        owner = None
        if (
            existing_user is not None
            and Residency.objects.filter(
                premises=premises, user=existing_user, ended_on__isnull=True
            ).exists()
        ):
            raise ValidationError(
                {"email": _("This person already has access to these premises as a resident.")}
            )

    return _issue(
        Invitation(email=email, kind=kind, premises=premises, owner=owner),
        actor=actor,
        site_url=site_url,
        details={
            "kind": kind,
            "premises": str(premises.pk),
            "owner": str(owner.pk) if owner else None,
            "existing_user": existing_user is not None,
        },
    )


@transaction.atomic
def invite_staff(*, email: str, roles, actor=None, site_url: str) -> Invitation:
    """Invite a person by email to take staff ``roles`` (no premises) and send them the link.

    ``tenants.staff`` decides which roles may be given this way and calls this with them; here
    the link is made and sent as for owners and residents (one pending invitation per email, an
    expired one replaced). A person who already holds every one of ``roles`` is refused.
    """
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    roles = sorted(set(roles))
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    existing_user = selectors.user_with_email(email)
    if existing_user is not None and set(roles) <= set(existing_user.roles):
        raise ValidationError({"email": _("This person already holds these roles.")})
    return _issue(
        Invitation(email=email, kind=InvitationKind.STAFF, staff_roles=roles),
        actor=actor,
        site_url=site_url,
        details={
            "kind": InvitationKind.STAFF,
            "roles": roles,
            "existing_user": existing_user is not None,
        },
    )


def _issue(invitation: Invitation, *, actor, site_url: str, details: dict) -> Invitation:
    """Save a new pending ``invitation`` (an expired one for the same email replaced, a live one
    refused), audit it and send its link: the part every kind of invitation shares."""
    replaced = _close_expired(invitation.email)
    now = timezone.now()
    invitation.invited_by = actor
    invitation.created_at = invitation.sent_at = now
    invitation.expires_at = now + invitation_ttl()
    token = tokens.make_token(invitation.pk)
    invitation.token_hash = tokens.token_hash(token)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        # Someone invited the same email a moment ago (one pending invitation per email).
        raise ValidationError(
            {"email": _("This email already has a pending invitation. Resend or revoke it.")}
        ) from None
    record(
        "invitations.created",
        actor=actor,
        target=invitation,
        details={**details, "replaced_expired": replaced},
    )
    _send(invitation, token, site_url)
    return invitation


def _close_expired(email: str) -> int:
    """Close the email's expired pending invitations (refusing a live one); how many."""
    index = blind_index_for(Invitation, "email", email)
    replaced = 0
    for live in Invitation.objects.select_for_update().filter(
        email_index=index, status=InvitationStatus.PENDING
    ):
        if not live.is_expired:
            raise ValidationError({"email": _live_invitation_message(live)})
        live.status = InvitationStatus.EXPIRED
        live.save(update_fields=["status"])
        replaced += 1
    return replaced


def _check_owner(owner: Owner | None, premises: Premises) -> Owner:
    if owner is None:
        raise ValidationError(
            {"owner": _("Choose the owner record this person will be linked to.")}
        )
    # Locked so two board members cannot invite the same owner record at once.
    owner = Owner.objects.select_for_update().filter(pk=owner.pk).first()
    if owner is None or not selectors.owner_holds(owner, premises):
        raise ValidationError({"owner": _("This owner record holds no share of these premises.")})
    if owner.user_id is not None:
        raise ValidationError({"owner": _("This owner already has a login to the portal.")})
    pending = Invitation.objects.filter(
        owner=owner, status=InvitationStatus.PENDING, expires_at__gt=timezone.now()
    )
    if pending.exists():
        raise ValidationError(
            {"owner": _("This owner record already has a pending invitation. Resend or revoke it.")}
        )
    return owner


def _live_invitation_message(live: Invitation) -> str:
    return _(
        "This email already has a pending invitation (valid until %(date)s). "
        "Resend or revoke it instead of inviting again."
    ) % {"date": date_format(timezone.localtime(live.expires_at), "SHORT_DATE_FORMAT")}


# -- resend and revoke ------------------------------------------------------------------------


@transaction.atomic
def resend(invitation: Invitation, *, actor=None, site_url: str) -> Invitation:
    """Send the invitation again with a new link (the old one stops working) and a new expiry.

    Only a pending invitation (expired or not) can be resent, at most
    ``TSZH_INVITATION_RESENDS_PER_HOUR`` times an hour, so the board cannot flood a mailbox.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(
            _("This invitation cannot be sent again: it was accepted, revoked or replaced.")
        )
    if not _take_resend_slot(invitation):
        raise ValidationError(
            _(
                "This invitation was sent %(count)s times in the last hour. "
                "Wait a while before sending it again."
            )
            % {"count": resends_per_hour()}
        )
    now = timezone.now()
    token = tokens.make_token(invitation.pk)
    invitation.token_hash = tokens.token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + invitation_ttl()
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    record(
        "invitations.resent",
        actor=actor,
        target=invitation,
        details={"send_count": invitation.send_count},
    )
    _send(invitation, token, site_url)
    return invitation


def _take_resend_slot(invitation: Invitation) -> bool:
    """Count a resend in this hour's window (Redis, keys prefixed by the schema)."""
    window = int(time.time() // 3600)
    key = f"invitations:resend:{invitation.pk}:{window}"
    cache.add(key, 0, timeout=3600 + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=3600 + 60)
        count = 1
    return count <= resends_per_hour()


@transaction.atomic
def revoke(invitation: Invitation, *, actor=None) -> Invitation:
    """Withdraw a pending invitation: its link stops working at once."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise ValidationError(_("Only a pending invitation can be revoked."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["status", "revoked_at"])
    record("invitations.revoked", actor=actor, target=invitation)
    return invitation


# -- accept -----------------------------------------------------------------------------------


@transaction.atomic
def accept(token: str, *, user=None, password: str | None = None, full_name: str = ""):
    """Accept the invitation a link's token names; returns the user to sign in.

    A new person (``user`` None) gets a login with the invitation's email and ``password``
    (Django's password validators apply); a person who already has a login in this association
    passes it as ``user`` after signing in. The user gets the owner or resident role, the owner
    record is linked (owner) or a residency created (resident), and the invitation is marked
    accepted: single use. Raises ``InvitationUnusable`` or ``ValidationError``; nothing changes
    then.
    """
    check = selectors.check_token(token, for_update=True)
    if check.problem:
        raise InvitationUnusable(check.problem)
    invitation = check.invitation
    User = get_user_model()

    new_user = user is None
    existing = selectors.user_with_email(invitation.email)
    if existing is not None and not existing.is_active:
        raise ValidationError(_inactive_message())
    if new_user:
        if existing is not None:
            raise ValidationError(
                _("You already have an account on this portal: sign in to accept the invitation.")
            )
        candidate = User(email=invitation.email, full_name=full_name)
        validate_password(password, candidate)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    invitation.email, password, full_name=full_name, roles=invitation.granted_roles
                )
        except IntegrityError:
            raise ValidationError(
                _("You already have an account on this portal: sign in to accept the invitation.")
            ) from None
        role_added = True
    else:
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.email_index != blind_index_for(User, "email", invitation.email):
            raise ValidationError(_("This invitation was sent to another email address."))
        missing = [role for role in invitation.granted_roles if role not in user.roles]
        role_added = bool(missing)
        if role_added:
            user.roles = [*user.roles, *missing]
            user.save(update_fields=["roles"])

    details = {"kind": invitation.kind, "new_user": new_user, "role_added": role_added}
    if invitation.kind == InvitationKind.OWNER:
        details["owner"] = str(_link_owner(invitation, user).pk)
    elif invitation.kind == InvitationKind.STAFF:
        # Staff roles take effect on the person's next request (roles are read per request);
        # a role with a second factor sends them to enrolment first (SecondFactorMiddleware).
        details["roles"] = sorted(invitation.staff_roles)
    else:
        details["residency"] = str(_settle_resident(invitation, user).pk)
    also_linked = _link_other_owner_records(invitation.email, user)
    if also_linked and Role.OWNER not in user.roles:
        user.roles = [*user.roles, Role.OWNER]
        user.save(update_fields=["roles"])
    details["also_linked"] = also_linked

    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    record("invitations.accepted", actor=user, target=invitation, details=details)
    return user


def _link_owner(invitation: Invitation, user) -> Owner:
    owner = Owner.objects.select_for_update().filter(pk=invitation.owner_id).first()
    if owner is None or not selectors.owner_holds(owner, invitation.premises):
        raise InvitationUnusable(selectors.Problem.STALE)
    if owner.user_id not in (None, user.pk):
        raise InvitationUnusable(selectors.Problem.STALE)
    if owner.user_id is None:
        owner.user = user
        owner.save(update_fields=["user"])
    return owner


def _link_other_owner_records(email: str, user) -> int:
    """Link the person's other owner records here (same email, no login yet); how many.

    The board registers one owner record per holding, so a person who owns a flat and a
    parking place has two. The invitation proved they read this email, the same proof that
    links the invited record: every owner record with this email that owns a share today (or
    from a later day) and has no login is linked too, so they see all their homes at once.
    """
    today = timezone.localdate()
    live = Ownership.objects.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))
    others = (
        Owner.objects.select_for_update(of=("self",))
        .filter(
            email_index=blind_index_for(Owner, "primary_email", email),
            user__isnull=True,
            holding__erased_at__isnull=True,
            pk__in=live.values("owner_id"),
        )
        .order_by("pk")
    )
    linked = 0
    for owner in others:
        owner.user = user
        owner.save(update_fields=["user"])
        linked += 1
    return linked


def _inactive_message() -> str:
    return _(
        "Your account on this portal is disabled. Ask the board to enable it; "
        "then open this link again."
    )


def _settle_resident(invitation: Invitation, user) -> Residency:
    residency = Residency.objects.filter(
        premises=invitation.premises, user=user, ended_on__isnull=True
    ).first()
    if residency is None:
        residency = Residency.objects.create(
            premises=invitation.premises, user=user, started_on=timezone.localdate()
        )
    return residency


# -- the letter -------------------------------------------------------------------------------


def accept_url(site_url: str, token: str) -> str:
    return site_url.rstrip("/") + reverse("invitations:accept", kwargs={"token": token})


def _send(invitation: Invitation, token: str, site_url: str) -> None:
    """Send the letter in the portal's language (Russian), naming the association.

    Sent inside the caller's transaction: if sending fails the invitation is rolled back and the
    board sees a message, rather than an invitation whose link nobody received.
    """
    association = getattr(connection, "tenant", None)
    context = {
        "association_name": getattr(association, "name", ""),
        "invitation": invitation,
        "premises": invitation.premises,
        "url": accept_url(site_url, token),
        "valid_until": timezone.localtime(invitation.expires_at),
    }
    language = settings.LANGUAGE_CODE
    with translation.override(language):
        subject = render_to_string("invitations/email/subject.txt", context).strip()
        body = render_to_string("invitations/email/body.txt", context)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        to=[invitation.email],
        headers={"Content-Language": language},
    )
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError):
        raise ValidationError(
            _("The letter could not be sent, so nothing was saved. Try again in a few minutes.")
        ) from None
