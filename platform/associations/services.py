"""Writes for associations: provisioning (all or nothing), and the public site's own tenant.

``provision_association`` makes an association in one database transaction: its row, its schema
(a spare renamed, or the template's DDL replayed; see ``associations.schemas``), its domain, its
key in the key provider, optionally the chairman's account and a caller's hand-over step, then
activation. PostgreSQL's DDL is transactional, so a failure at any step rolls the row, schema,
domain and user back together; the key lives outside the database and is destroyed before the
rollback (while this transaction still holds the subdomain, so a competitor's key is never
touched). Every attempt is logged in ``ProvisioningAttempt`` outside that transaction, so the
operators see failures too.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from associations import schemas, selectors
from associations.models import (
    Association,
    AssociationKind,
    AssociationStatus,
    Domain,
    ProvisioningAttempt,
    ProvisioningPath,
    ProvisioningStatus,
    ProvisioningStep,
)
from associations.tasks import maintain_spare_schemas
from core import relay
from core.access.roles import FOUNDER_ROLES
from core.audit.services import record
from core.crypto import keyring
from core.crypto.naming import association_key_name
from core.crypto.registry import get_key_cache, get_provider

logger = logging.getLogger(__name__)

#: How often a provisioning starts over when the template was rebuilt under its feet.
TEMPLATE_RETRIES = 3


subdomain_host = selectors.subdomain_host


# --- What to provision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AssociationSpec:
    name: str
    slug: str
    kind: str = AssociationKind.TSZH
    time_zone: str = "Europe/Moscow"
    inn: str = ""
    ogrn: str = ""
    plan: str = ""
    extra_domains: tuple[str, ...] = ()

    @property
    def schema_name(self) -> str:
        return Association.schema_name_for(self.slug)


@dataclass(frozen=True)
class ChairmanSpec:
    """The first user: a password already hashed (the signup form hashed it), never plaintext."""

    email: str
    full_name: str
    password_hash: str
    roles: tuple[str, ...] = FOUNDER_ROLES

    def __repr__(self) -> str:  # never the email or the hash in a log or a traceback
        return "ChairmanSpec(<personal data>)"


@dataclass
class Provisioned:
    association: Association
    attempt: ProvisioningAttempt
    path: str
    chairman: Any = None
    handover: Any = None


class ProvisioningError(Exception):
    """Provisioning did not happen; nothing of it is left (see ``ProvisioningAttempt``)."""

    def __init__(self, step: str = "", attempt_id=None):
        super().__init__(step)
        self.step = step
        self.attempt_id = attempt_id


class SubdomainTaken(ProvisioningError):
    """Another association has (or just took) this subdomain."""


class InnRegistered(ProvisioningError):
    """An association with this ИНН exists already."""


class ProvisioningFailed(ProvisioningError):
    """A step failed for another reason; ``step`` names it, the cause is chained."""


# --- Timing and the attempt log -----------------------------------------------------------------


@dataclass
class _Steps:
    """Milliseconds per step, and the step running now (the one that failed, on failure)."""

    current: str = ""
    ms: dict[str, float] = field(default_factory=dict)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.current = name
        started = time.perf_counter()
        yield
        self.ms[name] = round(self.ms.get(name, 0) + (time.perf_counter() - started) * 1000, 2)


@contextlib.contextmanager
def _log_transaction() -> Iterator[None]:
    """A transaction of the attempt log, committed without waiting for the disk: the log is
    worth less than a fast signup, and a crash in the same millisecond loses only its line.
    Nested in a caller's transaction it is a savepoint, and changes nothing of the caller's."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        yield


def _open_attempt(spec: AssociationSpec, signup_id) -> ProvisioningAttempt:
    with _log_transaction():
        return ProvisioningAttempt.objects.create(
            slug=spec.slug, schema_name=spec.schema_name, signup_id=signup_id
        )


def _close_failed_attempt(attempt, steps: _Steps, error: BaseException, started: float) -> None:
    with _log_transaction():
        ProvisioningAttempt.objects.filter(pk=attempt.pk).update(
            status=ProvisioningStatus.FAILED,
            failed_step=steps.current or ProvisioningStep.TEMPLATE,
            error_class=type(error).__name__,
            step_ms=steps.ms,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
            finished_at=timezone.now(),
        )


# --- Provisioning ------------------------------------------------------------------------------


def provision_association(
    spec: AssociationSpec,
    *,
    chairman: ChairmanSpec | None = None,
    handover: Callable[[Association, Any], Any] | None = None,
    method: str = "clone",
    signup_id=None,
) -> Provisioned:
    """Create an association, all or nothing; return it with the attempt and the path taken.

    ``method="clone"`` (default) uses a spare or the template; it falls back to migrations when
    the template cannot be built (pg_dump missing, say), which the attempt's ``path`` shows.
    ``method="migrate"`` runs the migrations (the benchmark's comparison). ``handover`` runs
    inside the transaction after the chairman is made (the signup issues its token there).

    Raises ``SubdomainTaken``, ``InnRegistered`` or ``ProvisioningFailed``.
    """
    if connection.schema_name != settings.PUBLIC_SCHEMA_NAME:
        raise RuntimeError("associations are provisioned from the public schema")
    attempt = _open_attempt(spec, signup_id)
    steps = _Steps()
    started = time.perf_counter()
    try:
        for _ in range(TEMPLATE_RETRIES):
            snapshot = None
            if method == "clone":
                with steps.step(ProvisioningStep.TEMPLATE):
                    snapshot = _usable_snapshot()
            try:
                return _provision_once(
                    spec, attempt, steps, started, chairman, handover, cloning=bool(snapshot)
                )
            except schemas.TemplateNotReady:
                schemas.forget_seen_snapshot()
                continue  # behind, or rebuilt under our feet: check again, rebuild if need be
        raise schemas.TemplateNotReady("the template kept changing")
    except ProvisioningError as error:
        error.attempt_id = attempt.pk
        _close_failed_attempt(attempt, steps, error, started)
        raise
    except Exception as error:
        _close_failed_attempt(attempt, steps, error, started)
        logger.warning(
            "provisioning attempt %s failed at step %s (%s)",
            attempt.pk,
            steps.current,
            type(error).__name__,
            exc_info=True,
        )
        raise ProvisioningFailed(steps.current, attempt.pk) from error


def _usable_snapshot() -> schemas.Snapshot | None:
    """The template's capture, rebuilt if behind; None (migrate instead) if it cannot be had.

    Once this process has seen the template at head, the check inside the provisioning
    transaction (under the lock) is enough: a stale template raises ``TemplateNotReady`` there,
    and the next round comes back here to rebuild it.
    """
    if schemas.last_seen_snapshot() is not None:
        return schemas.last_seen_snapshot()
    try:
        return schemas.ready_snapshot()
    except schemas.TemplateNotReady:
        return None  # inside a caller's transaction with a stale template: migrate this once
    except schemas.TemplateUnavailable:
        logger.exception("the template schema is unavailable; provisioning by migrations")
        return None


def _provision_once(spec, attempt, steps: _Steps, started, chairman, handover, *, cloning):
    key_created = False
    result = Provisioned(association=None, attempt=attempt, path=ProvisioningPath.MIGRATE)
    try:
        with transaction.atomic():
            try:
                snapshot = None
                if cloning:
                    with steps.step(ProvisioningStep.TEMPLATE):
                        schemas.lock_template_shared()
                        snapshot = schemas.current_snapshot()
                        if snapshot is None:
                            raise schemas.TemplateNotReady("rebuilt while we waited")
                with steps.step(ProvisioningStep.ASSOCIATION):
                    association = _insert_association(spec)
                result.association = association
                with steps.step(ProvisioningStep.SCHEMA):
                    result.path = _create_schema(association, snapshot)
                with steps.step(ProvisioningStep.DOMAIN):
                    _add_domains(association, spec)
                with steps.step(ProvisioningStep.KEY):
                    # The keys of a deleted association of this name wait for the key job:
                    # adopting one would make its old backups readable again, and the job
                    # would then destroy the new association's key.
                    if _destruction_pending(association.schema_name):
                        raise SubdomainTaken(ProvisioningStep.KEY)
                    # A key that exists already (no destruction recorded) is kept, used, and
                    # never destroyed here: the leftover of an attempt that died (no data was
                    # ever under it; the sweeper would remove it), or a development key store
                    # that outlived its database.
                    key_created = not _association_key_exists(association.schema_name)
                    if key_created:
                        _create_association_key(association.schema_name)
                if chairman is not None:
                    with steps.step(ProvisioningStep.CHAIRMAN):
                        result.chairman = _create_chairman(association, chairman)
                if handover is not None:
                    with steps.step(ProvisioningStep.HANDOVER):
                        result.handover = handover(association, result.chairman)
                with steps.step(ProvisioningStep.ACTIVATE):
                    _activate(association, result.path, attempt, steps, started)
            except BaseException:
                if key_created:
                    # Before the rollback: this transaction still holds the subdomain, so the
                    # key it created is nobody else's, and no competitor has made one yet.
                    _destroy_association_key(spec.schema_name)
                raise
            finally:
                connection.set_schema_to_public()
            if result.path == ProvisioningPath.SPARE:
                transaction.on_commit(_queue_pool_refill, robust=True)
    finally:
        connection.set_schema_to_public()
    return result


def _insert_association(spec: AssociationSpec) -> Association:
    if selectors.subdomain_taken(spec.slug):
        raise SubdomainTaken(ProvisioningStep.ASSOCIATION)
    if spec.inn and selectors.inn_registered(spec.inn):
        raise InnRegistered(ProvisioningStep.ASSOCIATION)
    association = Association(
        name=spec.name,
        slug=spec.slug,
        kind=spec.kind,
        time_zone=spec.time_zone,
        inn=spec.inn,
        ogrn=spec.ogrn,
        plan=spec.plan,
        schema_name=spec.schema_name,
        status=AssociationStatus.PROVISIONING,
    )
    # The schema is made by the next step, in this transaction, not by django-tenants' save().
    association.auto_create_schema = False
    association.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            association.save(verbosity=0)
    except IntegrityError as error:
        # A concurrent signup committed first: the unique constraints decide who wins.
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") or ""
        if "inn" in constraint:
            raise InnRegistered(ProvisioningStep.ASSOCIATION) from error
        raise SubdomainTaken(ProvisioningStep.ASSOCIATION) from error
    return association


def _create_schema(association: Association, snapshot: schemas.Snapshot | None) -> str:
    if snapshot is None:
        # django-tenants: CREATE SCHEMA and every migration (the slow path).
        association.create_schema(check_if_exists=False, verbosity=0)
        return ProvisioningPath.MIGRATE
    if schemas.claim_spare(snapshot.fingerprint, association.schema_name):
        return ProvisioningPath.SPARE
    schemas.replay(snapshot, association.schema_name)
    return ProvisioningPath.REPLAY


def _add_domains(association: Association, spec: AssociationSpec) -> None:
    Domain.objects.create(domain=subdomain_host(spec.slug), tenant=association, is_primary=True)
    for host in spec.extra_domains:
        Domain.objects.create(domain=host, tenant=association, is_primary=False)


def _destruction_pending(schema_name: str) -> bool:
    from core.crypto.models import KeyDestruction
    from core.crypto.naming import account_key_prefix

    with schema_context(settings.PUBLIC_SCHEMA_NAME):
        return KeyDestruction.objects.filter(
            key_name__in=[association_key_name(schema_name), account_key_prefix(schema_name)],
            destroyed_at__isnull=True,
        ).exists()


def _association_key_exists(schema_name: str) -> bool:
    return get_provider().key_exists(association_key_name(schema_name))


def _create_association_key(schema_name: str) -> None:
    """Create the association's key (noted as pending until the transaction commits).

    This transaction holds the subdomain, so two provisionings of one subdomain never both get
    here, and a failure's cleanup (``_destroy_association_key``) runs before it lets go.
    """
    keyring.create_owner_key(association_key_name(schema_name))


def _destroy_association_key(schema_name: str) -> None:
    try:
        get_key_cache().destroy_key(get_provider(), association_key_name(schema_name))
    except Exception:  # noqa: BLE001 - the sweeper destroys it later; keep the original error
        logger.warning("could not destroy the key of a failed provisioning", exc_info=True)


def _create_chairman(association: Association, chairman: ChairmanSpec):
    connection.set_tenant(association)
    try:
        user = get_user_model()(
            email=chairman.email.strip().lower(),
            full_name=chairman.full_name.strip(),
            roles=list(chairman.roles),
        )
        user.password = chairman.password_hash
        user.save()
        record(
            "access.user_created",
            target=user,
            details={"roles": sorted(user.roles), "source": "signup"},
        )
        return user
    finally:
        connection.set_schema_to_public()


def _activate(association: Association, path: str, attempt, steps: _Steps, started) -> None:
    association.status = AssociationStatus.ACTIVE
    association.save(update_fields=["status"])
    record(
        "association.provisioned",
        target=association,
        details={"path": path, "attempt": str(attempt.pk), "kind": association.kind},
    )
    ProvisioningAttempt.objects.filter(pk=attempt.pk).update(
        status=ProvisioningStatus.SUCCEEDED,
        association=association,
        path=path,
        step_ms=steps.ms,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
        finished_at=timezone.now(),
    )


def _queue_pool_refill() -> None:
    """After a spare was used: make another in the background (nothing happens without a pool)."""
    if getattr(settings, "SIGNUP_SPARE_SCHEMAS", 0) <= 0:
        return
    relay.send(maintain_spare_schemas)  # beat's maintain-spare-schemas is the other net


# --- Entry points kept for the seed, the tests and the console ---------------------------------


def create_association(
    *,
    name: str,
    slug: str,
    kind: str = AssociationKind.TSZH,
    time_zone: str = "Europe/Moscow",
    extra_domains: tuple[str, ...] = (),
    inn: str = "",
    ogrn: str = "",
    plan: str = "",
    method: str = "clone",
) -> Association:
    """Create an association with its schema, subdomain and key (no users): see
    ``provision_association``. Used by the demo seed and the tests."""
    spec = AssociationSpec(
        name=name,
        slug=slug,
        kind=kind,
        time_zone=time_zone,
        inn=inn,
        ogrn=ogrn,
        plan=plan,
        extra_domains=tuple(extra_domains),
    )
    return provision_association(spec, method=method).association


def ensure_public_tenant() -> Association:
    """The public schema's own tenant row and domain (the public site on the base domain)."""
    public, _created = Association.objects.get_or_create(
        schema_name=settings.PUBLIC_SCHEMA_NAME,
        defaults={
            "name": "TSZh Portal",
            "slug": "public",
            "kind": AssociationKind.OTHER,
            "status": AssociationStatus.ACTIVE,
        },
    )
    Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True}
    )
    return public


def change_legal_details(
    association: Association, *, name: str, kind: str, inn: str, ogrn: str, time_zone: str
) -> list[str]:
    """Change an association's legal details (the board does, from its profile page, through
    ``core.legal_details``); return the names of the fields that changed. Refusals are
    ``ValidationError``s by field; the ИНН stays unique across the platform. The caller audits
    the change in the association's schema, in the same transaction."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from associations.models import AssociationKind, validate_time_zone
    from associations.validators import digits_only, validate_ogrn, validate_organisation_inn

    values = {
        "name": " ".join((name or "").split()),
        "kind": kind,
        "inn": digits_only(inn),
        "ogrn": digits_only(ogrn),
        "time_zone": (time_zone or "").strip(),
    }
    errors: dict[str, list] = {}
    checks = {
        "inn": validate_organisation_inn,
        "ogrn": validate_ogrn,
        "time_zone": validate_time_zone,
    }
    if not values["name"]:
        errors["name"] = [_("Enter the association's name.")]
    if values["kind"] not in AssociationKind.values:
        errors["kind"] = [_("Choose the legal form.")]
    for field_name, check in checks.items():
        if values[field_name] or field_name == "time_zone":
            try:
                check(values[field_name])
            except ValidationError as error:
                errors[field_name] = error.messages
    if not errors.get("inn") and values["inn"]:
        taken = Association.objects.filter(inn=values["inn"]).exclude(pk=association.pk)
        if taken.exists():
            errors["inn"] = [
                _(
                    "An association with this ИНН is already registered on the platform. If "
                    "this is a mistake, write to %(email)s."
                )
                % {"email": settings.SIGNUP_OPERATORS_EMAIL}
            ]
    if errors:
        raise ValidationError(errors)
    changed = [key for key, value in values.items() if getattr(association, key) != value]
    if changed:
        for key in changed:
            setattr(association, key, values[key])
        try:
            with transaction.atomic():
                association.save(update_fields=changed)
        except IntegrityError:  # a concurrent signup took the ИНН meanwhile
            raise ValidationError(
                {"inn": [_("An association with this ИНН is already registered.")]}
            ) from None
    return changed
