# Three message kinds for materials: a loss above the allowance (to the head), and a worker's report of a
# shortage or a damaged part. Only the choices change: no SQL on either database.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0002_message_kind_and_params'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notification',
            name='kind',
            field=models.CharField(choices=[('job_issued', '新外发单'), ('job_accepted', '已接单'), ('job_declined', '已拒单'), ('offer', '新派工'), ('ready_for_inspection', '待验收'), ('inspection', '验收结果'), ('rework', '返工'), ('pay_booked', '工资入账'), ('material_loss', '物料损耗超标'), ('material_short', '坊工报缺料'), ('material_damaged', '坊工报零件损坏')], max_length=30, verbose_name='类型'),
        ),
    ]
