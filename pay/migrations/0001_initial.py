# Pay lines and pay periods move from the flow app (dispatch) to pay. Their tables keep their names, so this
# migration only tells Django's state where the models now live (SeparateDatabaseAndState with no database
# operation): no row moves. The content types follow, so admin permissions and log entries keep pointing
# at the same rows.

import django.db.models.deletion
from django.db import migrations, models


def move_content_types(apps, schema_editor, *, src="dispatch", dst="pay", names=("payline", "payperiod")):
    # The old row keeps its id, so permissions granted on it and admin log entries follow the model. If the
    # new code ran before this migration and made a fresh row already, that row (and the permissions made
    # with it, nobody's grants but those given in between) gives way to the old one.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in names:
        old = ContentType.objects.filter(app_label=src, model=model)
        if old.exists():
            ContentType.objects.filter(app_label=dst, model=model).delete()
            old.update(app_label=dst)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, src="pay", dst="dispatch")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('dispatch', '0003_notification_sent_via'),
        ('workshop', '0003_work_wish'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                    migrations.CreateModel(
                        name='PayPeriod',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('month', models.DateField(help_text='当月1日', verbose_name='月份')),
                            ('closed_at', models.DateTimeField(blank=True, null=True, verbose_name='关账时间')),
                            ('total_yuan', models.DecimalField(decimal_places=2, default=0, max_digits=14, verbose_name='工资合计(元)')),
                            ('workshop', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pay_periods', to='workshop.workshop', verbose_name='工坊')),
                        ],
                        options={
                            'verbose_name': '结算周期',
                            'verbose_name_plural': '结算周期',
                            'db_table': 'dispatch_payperiod',
                        },
                    ),
                    migrations.CreateModel(
                        name='PayLine',
                        fields=[
                            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                            ('pieces_passed', models.PositiveIntegerField(verbose_name='合格件数')),
                            ('rate', models.DecimalField(decimal_places=4, max_digits=10, verbose_name='计件单价(元/件)')),
                            ('amount', models.DecimalField(decimal_places=2, max_digits=12, verbose_name='金额(元)')),
                            ('booked_on', models.DateField(verbose_name='入账日期')),
                            ('assignment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pay_lines', to='dispatch.assignment', verbose_name='派工')),
                            ('inspection', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pay_lines', to='dispatch.inspection', verbose_name='质检')),
                            ('result', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='pay_line', to='dispatch.inspectionresult', verbose_name='质检结果')),
                            ('worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pay_lines', to='workshop.worker', verbose_name='坊工')),
                            ('period', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='pay.payperiod', verbose_name='结算周期')),
                        ],
                        options={
                            'verbose_name': '工资明细',
                            'verbose_name_plural': '工资明细',
                            'db_table': 'dispatch_payline',
                            'ordering': ['-booked_on', '-id'],
                        },
                    ),
                    migrations.AddConstraint(
                        model_name='payperiod',
                        constraint=models.UniqueConstraint(fields=('workshop', 'month'), name='pay_period_unique'),
                    ),
                    migrations.AddIndex(
                        model_name='payline',
                        index=models.Index(fields=['worker', 'booked_on'], name='dispatch_pa_worker__102757_idx'),
                    ),
                    migrations.AddConstraint(
                        model_name='payline',
                        constraint=models.CheckConstraint(condition=models.Q(('pieces_passed__gt', 0)), name='payline_pieces_positive'),
                    ),
                    migrations.AddConstraint(
                        model_name='payline',
                        constraint=models.CheckConstraint(condition=models.Q(('amount__gte', 0)), name='payline_amount_nonnegative'),
                    ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
