"""Drop the table knox's own migrations create for its default token model.

Tokens live in ``profiles.DeviceToken`` (``KNOX_TOKEN_MODEL``); knox's early migrations
predate swappable token models and still create ``knox_authtoken``. Left in place, the
unused table's foreign key to ``auth_user`` blocks ``TRUNCATE auth_user`` on PostgreSQL.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0002_search_index_and_hr_group"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS knox_authtoken", migrations.RunSQL.noop)]
