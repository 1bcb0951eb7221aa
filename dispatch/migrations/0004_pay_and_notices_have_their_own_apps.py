# Pay lines, pay periods and notifications now live in the pay and notices apps (their 0001 migrations);
# their tables stay where they are, so the flow app only forgets them in Django's state: no database
# operation, no row moves.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0003_notification_sent_via'),
        ('notices', '0001_initial'),
        ('pay', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='payline',
                    name='assignment',
                ),
                migrations.RemoveField(
                    model_name='payline',
                    name='inspection',
                ),
                migrations.RemoveField(
                    model_name='payline',
                    name='period',
                ),
                migrations.RemoveField(
                    model_name='payline',
                    name='result',
                ),
                migrations.RemoveField(
                    model_name='payline',
                    name='worker',
                ),
                migrations.RemoveField(
                    model_name='payperiod',
                    name='workshop',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='PayLine',
                ),
                migrations.DeleteModel(
                    name='PayPeriod',
                ),
            ],
            database_operations=[],
        ),
    ]
