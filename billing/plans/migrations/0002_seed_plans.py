"""The plans the landing page sold before they were data, with a 30-day trial on the paid ones,
and the sequence numbering the platform's invoices (П-<year>-<number>)."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    (
        "start", "Start", Decimal("0"), 50, 0, 1,
        [
            "Members' accounts, balance and receipts",
            "Meter readings and requests",
            "News and documents",
        ],
    ),
    (
        "house", "House", Decimal("1490"), 300, 30, 2,
        [
            "Everything in Start",
            "Accruals, payments and penalties",
            "Receipts with a payment QR code",
            "Online meetings and votes",
        ],
    ),
    (
        "quarter", "Quarter", Decimal("3990"), 1500, 30, 3,
        [
            "Everything in House",
            "Several buildings or a large СНТ",
            "The yearly estimate and its execution",
            "Exports for the accountant, priority support",
        ],
    ),
]


def seed(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("plans", "Plan")
    for code, name, price, most, trial, position, features in PLANS:
        Plan.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "monthly_price": price,
                "max_premises": most,
                "trial_days": trial,
                "position": position,
                "features": features,
                "stripe_plan_id": "" if price == 0 else f"tszh-{code}-monthly",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("plans", "0001_initial")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS public.plans_invoice_number_seq",
            "DROP SEQUENCE IF EXISTS public.plans_invoice_number_seq",
        ),
    ]
