
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dispatch', '0004_pay_and_notices_have_their_own_apps'),
        ('workshop', '0004_preference'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='BomLine',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('material', models.CharField(max_length=100, verbose_name='物料')),
                ('unit', models.CharField(choices=[('ge', '个'), ('jian', '件'), ('zhang', '张'), ('tao', '套'), ('m', '米'), ('kg', '千克')], max_length=10, verbose_name='单位')),
                ('per_piece', models.DecimalField(decimal_places=4, max_digits=12, verbose_name='每件用量')),
                ('loss_pct', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=5, verbose_name='允许损耗率(%)')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='bom_lines', to='dispatch.job', verbose_name='外发单')),
            ],
            options={
                'verbose_name': '物料清单',
                'verbose_name_plural': '物料清单',
                'ordering': ['job', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Balance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('holder', models.CharField(choices=[('firm', '企业'), ('store', '工坊仓库'), ('worker', '坊工'), ('consumed', '已耗用'), ('scrap', '报废'), ('lost', '损耗')], max_length=10, verbose_name='持有方')),
                ('holder_key', models.CharField(max_length=30, verbose_name='持有方键')),
                ('quantity', models.DecimalField(decimal_places=3, default=Decimal('0'), max_digits=14, verbose_name='结存')),
                ('worker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workshop.worker', verbose_name='坊工')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='balances', to='materials.bomline', verbose_name='物料')),
            ],
            options={
                'verbose_name': '物料结存',
                'verbose_name_plural': '物料结存',
            },
        ),
        migrations.CreateModel(
            name='Movement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('receive', '来料入库'), ('issue', '发料'), ('return', '退料'), ('consume', '报工耗用'), ('scrap', '报废'), ('return_to_firm', '余料退回企业'), ('lose', '核销损耗')], max_length=20, verbose_name='类型')),
                ('source', models.CharField(choices=[('firm', '企业'), ('store', '工坊仓库'), ('worker', '坊工'), ('consumed', '已耗用'), ('scrap', '报废'), ('lost', '损耗')], max_length=10, verbose_name='从')),
                ('target', models.CharField(choices=[('firm', '企业'), ('store', '工坊仓库'), ('worker', '坊工'), ('consumed', '已耗用'), ('scrap', '报废'), ('lost', '损耗')], max_length=10, verbose_name='到')),
                ('quantity', models.DecimalField(decimal_places=3, max_digits=14, verbose_name='数量')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='原因')),
                ('key', models.CharField(blank=True, max_length=80, null=True, unique=True, verbose_name='幂等键')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                ('actor', models.ForeignKey(blank=True, help_text='空表示系统自动', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('assignment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='material_movements', to='dispatch.assignment', verbose_name='派工')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='material_movements', to='dispatch.job', verbose_name='外发单')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='movements', to='materials.bomline', verbose_name='物料')),
                ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='material_movements', to='dispatch.workreport', verbose_name='报工')),
                ('worker', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workshop.worker', verbose_name='坊工')),
            ],
            options={
                'verbose_name': '物料流水',
                'verbose_name_plural': '物料流水',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='bomline',
            constraint=models.CheckConstraint(condition=models.Q(('per_piece__gt', 0)), name='bom_per_piece_positive'),
        ),
        migrations.AddConstraint(
            model_name='bomline',
            constraint=models.CheckConstraint(condition=models.Q(('loss_pct__gte', 0), ('loss_pct__lte', 100)), name='bom_loss_pct_in_range'),
        ),
        migrations.AddConstraint(
            model_name='bomline',
            constraint=models.UniqueConstraint(fields=('job', 'material', 'unit'), name='bom_material_once_per_job'),
        ),
        migrations.AddConstraint(
            model_name='balance',
            constraint=models.UniqueConstraint(fields=('line', 'holder_key'), name='balance_once_per_holder'),
        ),
        migrations.AddConstraint(
            model_name='balance',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gte', 0)), name='balance_never_negative'),
        ),
        migrations.AddIndex(
            model_name='movement',
            index=models.Index(fields=['job', 'line'], name='materials_m_job_id_c96ac4_idx'),
        ),
        migrations.AddIndex(
            model_name='movement',
            index=models.Index(fields=['worker', 'line'], name='materials_m_worker__64a222_idx'),
        ),
        migrations.AddConstraint(
            model_name='movement',
            constraint=models.CheckConstraint(condition=models.Q(('quantity__gt', 0)), name='movement_quantity_positive'),
        ),
        migrations.AddConstraint(
            model_name='movement',
            constraint=models.CheckConstraint(condition=models.Q(('source', models.F('target')), _negated=True), name='movement_between_two'),
        ),
        migrations.AddConstraint(
            model_name='movement',
            constraint=models.CheckConstraint(condition=models.Q(('worker__isnull', True), ('source', 'worker'), ('target', 'worker'), _connector='OR'), name='movement_worker_only_when_a_worker_holds'),
        ),
    ]
