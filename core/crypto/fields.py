"""Model fields that encrypt on write and decrypt on read.

Use them on models derived from ``EncryptedModel`` (UUID primary key made by the app, so the
ciphertext can be bound to its row before the INSERT). The model says whose key protects it with
``encryption_key_name()``: the association's key by default, a personal account holding's key for
a holder's data.

* In the database a value is an ``e1.<key_ref>.<nonce>.<ciphertext>`` token whose associated data
  is (schema, table, row id, field): copied anywhere else it fails to decrypt.
* Reading a row does not decrypt: the value stays sealed until the attribute is used, and
  ``EncryptedQuerySet`` prefetches every key a result needs in one query and one wave of provider
  calls before the first row is handed out.
* Bulk ``update()`` of an encrypted field is refused: it would write the same token into many
  rows (which then fail) or plaintext (which must never be stored).
"""

from __future__ import annotations

import datetime
import decimal
import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models

from core.crypto import envelope, keyring
from core.crypto.envelope import AssociatedData


class Sealed:
    """A token read from the database, not decrypted yet. Never shows its content."""

    __slots__ = ("token",)

    def __init__(self, token: str):
        self.token = token

    def __repr__(self) -> str:
        return "<encrypted>"

    __str__ = __repr__


class EncryptedAttribute:
    """Descriptor that opens a sealed value on first access and keeps the plaintext on the row."""

    def __init__(self, field: EncryptedField):
        self.field = field

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__:
            # A deferred field (``only()``/``defer()``): load it, as Django's own descriptor does.
            instance.refresh_from_db(fields=[attname])
        value = instance.__dict__.get(attname)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value.token)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.TextField):
    """Base of the encrypted fields: subclasses say how a value becomes bytes and back."""

    encrypted = True

    def contribute_to_class(self, cls, name, private_only=False):
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, EncryptedAttribute(self))

    # -- (de)serialisation of the plaintext ---------------------------------------------------
    def to_bytes(self, value) -> bytes:
        return str(value).encode()

    def from_bytes(self, data: bytes):
        return data.decode()

    # -- database round trip ------------------------------------------------------------------
    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return value.token
        if value is None:
            return None
        # Only pre_save produces tokens (as Sealed): a string here would be plaintext, or a
        # token copied from another row, which must never be written either.
        raise ValueError(f"{self.name}: encrypted fields can only be written by saving the row")

    def pre_save(self, model_instance, add):
        raw = model_instance.__dict__.get(self.attname)
        if raw is None or isinstance(raw, Sealed):
            return raw  # unchanged since it was read: keep the token as it is
        return self.seal(model_instance, raw)

    def place(self, instance) -> AssociatedData:
        # The schema the row was read in (set by prefetch_keys), else the connection's.
        schema = instance.__dict__.get("_crypto_schema") or connection.schema_name
        return AssociatedData(
            association=schema,
            table=instance._meta.db_table,
            row=instance.pk,
            field=self.name,
        )

    def seal(self, instance, value) -> Sealed:
        if instance.pk is None:
            raise ValueError("encrypted rows need an app-generated primary key")
        ref, key = keyring.writing_key(instance.encryption_key_name())
        token = envelope.encrypt(self.to_bytes(value), key, ref, self.place(instance))
        instance.__dict__[self.attname] = value
        return Sealed(token)

    def open(self, instance, token: str):
        ciphers = getattr(instance, "_prefetched_ciphers", None) or {}

        def key_lookup(ref):
            return ciphers.get(ref) or keyring.key_for_ref(ref)

        return self.from_bytes(envelope.decrypt(token, key_lookup, self.place(instance)))

    def value_to_string(self, obj):
        raise ValueError("encrypted fields are not serialised in plaintext")

    def get_lookup(self, lookup_name):
        # Ciphertext is randomised: only IS NULL can mean anything. Use a blind index instead.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedTextField(EncryptedField):
    pass


class EncryptedJSONField(EncryptedField):
    def to_bytes(self, value) -> bytes:
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).encode()

    def from_bytes(self, data: bytes):
        return json.loads(data)


class EncryptedDateField(EncryptedField):
    def to_python(self, value):
        if value in (None, "") or isinstance(value, datetime.date | Sealed):
            return value or None
        return models.DateField().to_python(value)

    def formfield(self, **kwargs):
        from django import forms

        return super(models.TextField, self).formfield(**{"form_class": forms.DateField, **kwargs})

    def to_bytes(self, value) -> bytes:
        if not isinstance(value, datetime.date):
            raise ValueError(f"{self.name}: a date is required")
        return value.isoformat().encode()

    def from_bytes(self, data: bytes):
        return datetime.date.fromisoformat(data.decode())


class EncryptedDecimalField(EncryptedField):
    def to_python(self, value):
        if value in (None, "") or isinstance(value, decimal.Decimal | Sealed):
            return value or None
        try:
            return decimal.Decimal(str(value))
        except decimal.InvalidOperation:
            from django.core.exceptions import ValidationError

            raise ValidationError("Enter a number.", code="invalid") from None

    def formfield(self, **kwargs):
        from django import forms

        return super(models.TextField, self).formfield(
            **{"form_class": forms.DecimalField, **kwargs}
        )

    def to_bytes(self, value) -> bytes:
        return str(decimal.Decimal(value)).encode()

    def from_bytes(self, data: bytes):
        return decimal.Decimal(data.decode())


class BlindIndexField(models.CharField):
    """Keyed hash of another field's normalised value, kept up to date on save.

    ``email_index = BlindIndexField(source="email")``; find rows with
    ``Model.objects.filter(email_index=blind_index_for(Model, "email", value))``.
    """

    def __init__(self, *args, source: str = "", normalize=None, **kwargs):
        self.source = source
        self.normalize = normalize or (lambda v: str(v).strip().lower())
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def compute(self, value) -> str | None:
        if value in (None, ""):
            return None
        return keyring.blind_index(self.normalize(value), field=self.source)

    def pre_save(self, model_instance, add):
        raw = model_instance.__dict__.get(self.source)
        if isinstance(raw, Sealed):
            return getattr(model_instance, self.attname)  # source unchanged
        value = self.compute(raw)
        setattr(model_instance, self.attname, value)
        return value


def blind_index_for(model, source: str, value) -> str | None:
    """The blind index of ``value`` for ``model``'s field ``source`` (for filtering)."""
    for field in model._meta.fields:
        if isinstance(field, BlindIndexField) and field.source == source:
            return field.compute(value)
    raise LookupError(f"{model.__name__} has no blind index on {source}")


class EncryptedQuerySet(models.QuerySet):
    """Refuses bulk updates of encrypted fields; prefetches every key a result needs at once."""

    def update(self, **kwargs):
        encrypted = {f.name for f in self.model._meta.fields if getattr(f, "encrypted", False)}
        # Clearing (NULL) is allowed: it writes no plaintext and binds nothing to a row.
        refused = {name for name in encrypted & set(kwargs) if kwargs[name] is not None}
        if refused:
            raise TypeError(
                f"bulk update() of encrypted field(s) {sorted(refused)} is refused: "
                "save each row so its value is encrypted for its own place"
            )
        return super().update(**kwargs)

    def _fetch_all(self):
        super()._fetch_all()
        rows = _with_related(
            obj for obj in self._result_cache or () if isinstance(obj, models.Model)
        )
        if rows:
            prefetch_keys(rows)


def _with_related(instances) -> list:
    """The instances and every row loaded with them by ``select_related``, that hold keys."""
    found, seen, stack = [], set(), list(instances)
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if hasattr(obj, "encryption_key_name"):
            found.append(obj)
        stack.extend(
            related
            for related in obj._state.fields_cache.values()
            if isinstance(related, models.Model)
        )
    return found


def prefetch_keys(instances) -> None:
    """Load and unwrap every data key the sealed values of ``instances`` need, at once."""
    refs: set[str] = set()
    for instance in instances:
        for field in instance._meta.concrete_fields:
            if not getattr(field, "encrypted", False):
                continue
            raw = instance.__dict__.get(field.attname)
            if isinstance(raw, Sealed):
                # e1.<key_ref>.<nonce>.<ciphertext>: a malformed token is reported when opened.
                parts = raw.token.split(".", 2)
                if len(parts) == 3:
                    refs.add(parts[1])
    if not refs:
        return
    ciphers = keyring.ciphers_for(keyring.prefetch_refs(refs))
    schema = connection.schema_name
    for instance in instances:
        instance._prefetched_ciphers = ciphers
        instance._crypto_schema = schema


def with_index_fields(model, update_fields):
    """``update_fields`` plus the blind indexes of any listed source (so they stay in step)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, BlindIndexField) and field.source in names:
            names.add(field.name)
    return names


class EncryptedModel(models.Model):
    """Base of models with encrypted fields: app-generated UUID keys, guarded querysets."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    objects = EncryptedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        super().save(*args, update_fields=with_index_fields(self, update_fields), **kwargs)

    def encryption_key_name(self) -> str:
        """Whose key protects this row's fields: the association's, unless overridden."""
        return keyring.association_key()
