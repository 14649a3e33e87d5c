from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Associations' plans and their payment to the platform (public schema)."""

    name = "billing.plans"
    label = "plans"
    verbose_name = _("Plans and subscriptions")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from billing.plans import models, state, tasks  # noqa: F401

        for model in (models.Plan, models.Subscription):
            post_save.connect(state.forget, sender=model, dispatch_uid=f"plans-forget-{model}")
            post_delete.connect(state.forget, sender=model, dispatch_uid=f"plans-del-{model}")
