"""What the meters tell the platform (see ``core.extensions``).

The second engineer's part (reminders' notification kinds and periodic jobs, the accountant's
submission table, the billing volumes) adds to this declaration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.access.roles import ACCOUNT_READERS, MEMBER_ROLES
from core.extensions import (
    AppDeclaration,
    DashboardSection,
    Erasure,
    ExportRules,
    NotificationKind,
    PeriodicJob,
    TenantCount,
)


def seed_demo() -> str:
    from tenants.meters.accounting_services import seed_demo_norms
    from tenants.meters.demo import seed_demo as seed

    made = [line for line in (seed(), seed_demo_norms()) if line]
    return "; ".join(made)


def _count_meters() -> int:
    from tenants.meters.models import Meter

    return Meter.objects.filter(closed_on__isnull=True).count()


declaration = AppDeclaration(
    sections=(
        DashboardSection(
            "meters",
            _("Meter readings"),
            _("Send this month's readings of your meters, see their history."),
            MEMBER_ROLES,
            url_name="meters:submit",
            order=30,
        ),
        DashboardSection(
            "meters-board",
            _("Meters"),
            _("Meters of every premises and building, readings sent, replacements."),
            ACCOUNT_READERS,
            url_name="meters:board",
            order=35,
        ),
        DashboardSection(
            "meters-accounting",
            _("Readings for the accountant"),
            _("Who has sent this period's readings, flagged readings, verifications, import."),
            ACCOUNT_READERS,
            url_name="meters:submissions",
            order=36,
        ),
    ),
    audit_labels={
        "meters.meter_added": _("Meter added"),
        "meters.meter_changed": _("Meter changed"),
        "meters.meter_replaced": _("Meter replaced"),
        "meters.meter_closed": _("Meter closed"),
        "meters.reading_submitted": _("Meter readings sent"),
        "meters.reading_reviewed": _("Flagged reading reviewed"),
        "meters.readings_imported": _("Meter readings imported"),
        "meters.norm_saved": _("Consumption norm saved"),
        "meters.coefficient_saved": _("Increasing coefficient saved"),
    },
    notification_kinds=(
        NotificationKind(
            "meters.window_opens",
            _("Meter readings are open"),
            _("When the month's readings window opens."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            "meters.window_closing",
            _("Meter readings close soon"),
            _("Two days before the window closes, if some readings are not sent yet."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            "meters.verification_due",
            _("Meter verification ends soon"),
            _("30 days before a meter's verification ends."),
            roles=MEMBER_ROLES,
        ),
        NotificationKind(
            "meters.verification_expired",
            _("Meter verification expired"),
            _("Once a month while a meter's verification stays expired."),
            roles=MEMBER_ROLES,
        ),
    ),
    periodic_jobs=(PeriodicJob("meters-reminders", "tenants.meters.tasks.send_reminders", 3600.0),),
    erasure=Erasure(
        destroys="the photos of meters' faces sent for the erased holding (private files under "
        "the holding's key, deleted by the file store's own erasure hook; the readings' link "
        "to them is cleared)",
        keeps="meters, registers and readings (figures, periods, dates, source and the login "
        "that entered them): not personal data, needed to explain bills and recalculations "
        "(Правила 354 пп. 59-61)",
    ),
    # The reminders ledger is a delivery record (like the outbox), not the association's data.
    export=ExportRules(skip_models=frozenset({"sentreminder"})),
    counts=(TenantCount("meters", _("Working meters"), _count_meters),),
    demo=seed_demo,
)
