"""The trigram index that serves the directory search on PostgreSQL, and the HR group."""

from django.db import migrations

TRIGRAM_INDEX = (
    "CREATE INDEX IF NOT EXISTS profile_search_trgm "
    "ON profiles_profile USING gin (UPPER(search_text) gin_trgm_ops)"
)


def create_search_index(apps, schema_editor):
    # icontains compiles to UPPER(column) LIKE UPPER(%term%) on PostgreSQL, which this
    # index answers without a scan. SQLite (the embedded default) scans, which is fine at
    # demo sizes.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(TRIGRAM_INDEX)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profile_search_trgm")


def create_hr_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this one is needed now.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="profiles", model="profile")
    permission, _ = Permission.objects.get_or_create(
        codename="manage_employment",
        content_type=content_type,
        defaults={"name": "Can offboard and rehire people (HR)"},
    )
    group, _ = Group.objects.get_or_create(name="HR officers")
    group.permissions.add(permission)


def remove_hr_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="HR officers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(create_hr_group, remove_hr_group),
    ]
