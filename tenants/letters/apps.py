from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    """Letters to the board: questions to the chairman (with a public Q&A of anonymised answers)
    and applications (заявления) registered in a journal."""

    name = "tenants.letters"
    label = "letters"
    verbose_name = _("Letters")
