"""Factories for the objects most tests need. Create tenant objects inside the tenant's schema."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from core.access.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name", locale="ru_RU")
    roles = factory.LazyFunction(lambda: [Role.OWNER])
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
