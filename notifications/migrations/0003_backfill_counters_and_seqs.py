"""Number the existing rows per recipient (in id order: the best guess of commit order there is
for rows written before seqs existed) and give every recipient a counter that matches the rows."""

from django.db import migrations


def backfill(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Counter = apps.get_model("notifications", "NotificationCounter")
    quote = schema_editor.quote_name
    rows, counters = quote(Notification._meta.db_table), quote(Counter._meta.db_table)
    # One statement each, whatever the table size (UPDATE … FROM: PostgreSQL, SQLite >= 3.33).
    schema_editor.execute(
        f"UPDATE {rows} SET seq = numbered.n FROM ("
        f"  SELECT id, ROW_NUMBER() OVER (PARTITION BY recipient_id ORDER BY id) AS n FROM {rows}"
        f") AS numbered WHERE {rows}.id = numbered.id"
    )
    schema_editor.execute(
        f"INSERT INTO {counters} (user_id, unread, seq) "
        f"SELECT recipient_id, SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END), MAX(seq) "
        f"FROM {rows} GROUP BY recipient_id"
    )


def forget(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    Counter = apps.get_model("notifications", "NotificationCounter")
    Counter.objects.all().delete()
    Notification.objects.update(seq=None)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notificationcounter_and_notification_seq"),
    ]

    operations = [
        migrations.RunPython(backfill, forget),
    ]
