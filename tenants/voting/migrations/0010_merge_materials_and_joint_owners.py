# Joins the two branches of the voting schema made side by side: the agenda materials (0006) and
# joint owners through the charter's demand settings (0006-0009). No operations.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("voting", "0006_agenda_materials"),
        ("voting", "0009_demand_settings"),
    ]

    operations = []
