"""On PostgreSQL, no two occurrences of one room may overlap: an exclusion constraint on
(room, [starts_at, ends_at)) backs the conflict check, which runs under the room's row lock.
btree_gist lets the equality on room_id share the GiST index with the range. SQLite has no
exclusion constraints; there the room lock and the check are the whole guarantee."""

from django.db import migrations

CONSTRAINT = "occurrence_room_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE leases_occurrence ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE leases_occurrence DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("leases", "0001_rooms_leases_calendar")]

    operations = [migrations.RunPython(forwards, backwards)]
