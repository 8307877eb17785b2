"""The database cache's table (settings.CACHES without Redis): the login throttle's counts,
shared by every web worker. createcachetable makes only what is missing, and nothing when
the cache is Redis."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("sellerdesk", "0002_role_groups")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
