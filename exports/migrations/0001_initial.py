"""DataExport moves here from the alumni app, rows and all.

Only Django's record of the models changes: the table keeps its name (``alumni_dataexport``,
``Meta.db_table``), so a database that already holds archives migrates without touching a
row. ``alumni/migrations/0004_dataexport_moved_to_exports.py`` takes the model out of the
alumni app's state in the same way. The content type follows the model, so the admin
permissions granted on it and the admin's history of it stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="exports", model="dataexport").exists():
        ContentType.objects.using(db).filter(app_label="alumni", model="dataexport").update(
            app_label="exports"
        )


def content_type_goes_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if not ContentType.objects.using(db).filter(app_label="alumni", model="dataexport").exists():
        ContentType.objects.using(db).filter(app_label="exports", model="dataexport").update(
            app_label="alumni"
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("alumni", "0003_export_built_as"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("profiles", "0004_personal_email"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DataExport",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("running", "Running"),
                                    ("ready", "Ready"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("progress", models.PositiveSmallIntegerField(default=0, help_text="Percent done.")),
                        (
                            "file",
                            models.CharField(
                                blank=True, help_text="Storage name of the archive.", max_length=200
                            ),
                        ),
                        ("size", models.PositiveBigIntegerField(default=0)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        (
                            "built_as",
                            models.CharField(
                                blank=True,
                                choices=[("employee", "Employee"), ("alumnus", "Alumnus")],
                                help_text="The owner's employment status when the archive was built.",
                                max_length=10,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("expires_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "profile",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="exports",
                                to="profiles.profile",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "alumni_dataexport",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_goes_back, elidable=True),
    ]
