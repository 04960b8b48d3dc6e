"""DataExport now belongs to the exports app (``exports/migrations/0001_initial.py``): it
leaves the alumni app's record of its models, and its table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("alumni", "0003_export_built_as"),
        ("exports", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DataExport")],
            database_operations=[],
        ),
    ]
