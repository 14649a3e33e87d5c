from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager

from core.crypto.fields import EncryptedQuerySet, blind_index_for


class UserQuerySet(EncryptedQuerySet):
    def update(self, **kwargs):
        """A bulk change of users (roles, ``is_active``) reaches the cached rows too
        (``core.access.usercache``): their entries get new stamps."""
        from core.access import usercache

        ids = list(self.values_list("pk", flat=True))
        changed = super().update(**kwargs)
        usercache.forget(ids)
        return changed


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)

    def with_email(self, email: str):
        """Users whose email is ``email`` (case-insensitive), found by the blind index."""
        index = blind_index_for(self.model, "email", email)
        if index is None:  # an empty email matches nobody (not the rows without an index)
            return self.none()
        return self.filter(email_index=index)

    def get_by_natural_key(self, username):
        return self.with_email(username).get()
