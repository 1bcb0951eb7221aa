# Messages are stored as a kind and its parameters, rendered in the reader's language; `text` keeps the
# words of the messages made before, in the language they were made in.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='params',
            field=models.JSONField(blank=True, default=dict, verbose_name='参数'),
        ),
        migrations.AlterField(
            model_name='notification',
            name='text',
            field=models.CharField(blank=True, max_length=300, verbose_name='内容(旧消息)'),
        ),
    ]
