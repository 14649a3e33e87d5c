"""What the registry tells the platform (see ``core.extensions``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES, REGISTRY_EDITORS
from core.extensions import AppDeclaration, DashboardSection, Erasure, TenantCount


def _count(model_name: str):
    def count() -> int:
        from django.apps import apps

        return apps.get_model("residents", model_name).objects.count()

    return count


def _erase_own(erasure):
    from tenants.residents.erasure_hooks import erase_registered_and_members

    return erase_registered_and_members(erasure)


def _demo() -> str:
    from tenants.residents.demo_members import seed_members

    return seed_members()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "home",
            _("My home"),
            _("Your premises, personal accounts, balance and receipts."),
            MEMBER_ROLES,
            url_name="residents:my-home",
            order=10,
        ),
        DashboardSection(
            "registry",
            _("Registry"),
            _("Buildings, premises, owners and personal accounts."),
            REGISTRY_EDITORS,
            url_name="residents:registry-index",
            order=40,
        ),
        DashboardSection(
            "accounts",
            _("Personal accounts"),
            _("Every personal account and its holder."),
            ACCOUNT_READERS - REGISTRY_EDITORS,  # the board has the registry's card
            url_name="residents:registry-accounts",
            order=70,
        ),
    ),
    audit_labels={
        "residents.register_exported": _("Register of members downloaded"),
        "residents.premises_created": _("Premises registered"),
        "residents.premises_changed": _("Premises details changed"),
        "residents.account_opened": _("Personal account opened"),
        "residents.account_renumbered": _("Account number changed"),
        "residents.holder_changed": _("Holder changed"),
        "residents.owner_added": _("Owner added"),
        "residents.owner_changed": _("Owner's details corrected"),
        "residents.membership_changed": _("Membership changed"),
        "residents.ownership_changed": _("Share or title document changed"),
        "residents.holder_erased": _("Former holder's personal data erased"),
        "residents.residency_ended": _("A resident's access ended"),
        "residents.member_linked": _("Owner records linked as one member"),
        "residents.member_unlinked": _("Owner record separated from a member"),
        "residents.member_admitted": _("Member admitted"),
        "residents.member_exited": _("Membership ended"),
        "residents.resident_registered": _("Resident registered"),
        "residents.resident_deregistered": _("Resident's registration ended"),
    },
    erasure=Erasure(
        destroys="the holding's key (crypto-shredding), the holder's and co-owners' personal "
        "columns and blind indexes; the owners' logins are unlinked and closed when nothing "
        "else is left to them; the names of people registered at the premises under that key "
        "and the owners' links to a person of the register of members. services.erase_holder "
        "runs the erasure and every app's hook",
        keeps="account numbers, shares, title documents' numbers, dates and amounts (kept by "
        "law); registration periods; membership periods and their decisions' references",
        hook=_erase_own,
    ),
    demo=_demo,
    counts=(
        TenantCount("premises", _("Premises"), _count("Premises")),
        TenantCount("accounts", _("Personal accounts"), _count("PersonalAccount")),
    ),
)
