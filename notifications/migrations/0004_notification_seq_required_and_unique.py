from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_backfill_counters_and_seqs"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notification",
            name="seq",
            field=models.BigIntegerField(editable=False, verbose_name="sequence"),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(fields=("recipient", "seq"), name="notification_recipient_seq"),
        ),
    ]
