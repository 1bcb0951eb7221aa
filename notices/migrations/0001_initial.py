# Notifications move from the flow app (dispatch) to notices. The table keeps its name, so this migration
# only tells Django's state where the model now lives (no database operation, no row moves); the content
# type follows. The message's new shape (a kind and its parameters) is the next migration.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, src="dispatch", dst="notices"):
    # As in pay 0001: the old row keeps its id; a fresh one made before this migration gives way to it.
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label=src, model="notification")
    if old.exists():
        ContentType.objects.filter(app_label=dst, model="notification").delete()
        old.update(app_label=dst)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, src="notices", dst="dispatch")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('dispatch', '0003_notification_sent_via'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('job_issued', '新外发单'), ('job_accepted', '已接单'), ('job_declined', '已拒单'), ('offer', '新派工'), ('ready_for_inspection', '待验收'), ('inspection', '验收结果'), ('rework', '返工'), ('pay_booked', '工资入账')], max_length=30, verbose_name='类型')),
                        ('text', models.CharField(max_length=300, verbose_name='内容')),
                        ('link', models.CharField(blank=True, max_length=200, verbose_name='链接')),
                        ('dedupe_key', models.CharField(max_length=100, unique=True, verbose_name='去重键')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='发送时间')),
                        ('sent_via', models.JSONField(blank=True, default=list, verbose_name='已发送渠道')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='发送次数')),
                        ('read_at', models.DateTimeField(blank=True, null=True, verbose_name='已读时间')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='接收人')),
                    ],
                    options={
                        'verbose_name': '通知',
                        'verbose_name_plural': '通知',
                        'db_table': 'dispatch_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['recipient', 'read_at'], name='dispatch_no_recipie_3aa02b_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
