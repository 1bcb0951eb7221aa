# A worker's report of a shortage or a damaged part (缺料 / 零件损坏), kept beside the ledger, never in it.

import django.db.models.deletion
import materials.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0004_pay_and_notices_have_their_own_apps'),
        ('materials', '0001_initial'),
        ('workshop', '0004_preference'),
    ]

    operations = [
        migrations.CreateModel(
            name='MaterialProblem',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('short', '缺料'), ('damaged', '零件损坏')], max_length=10, verbose_name='问题')),
                ('quantity', models.DecimalField(decimal_places=3, max_digits=14, verbose_name='数量')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                ('photo', models.ImageField(blank=True, upload_to=materials.models._problem_photo_path, verbose_name='照片')),
                ('key', models.CharField(max_length=80, unique=True, verbose_name='幂等键')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='dispatch.assignment', verbose_name='派工')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='materials.bomline', verbose_name='物料')),
                ('worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workshop.worker', verbose_name='坊工')),
            ],
            options={
                'verbose_name': '物料问题上报',
                'verbose_name_plural': '物料问题上报',
                'ordering': ['-at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('quantity__gt', 0)), name='problem_quantity_positive')],
            },
        ),
    ]
