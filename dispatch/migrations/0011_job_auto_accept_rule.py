from django.db import migrations, models

RULE_NOTE = "自动接单规则"  # the note the auto-accept task writes on the job's accepted event


def keep_the_rule_of_jobs_already_auto_accepted(apps, schema_editor):
    """Jobs the rule took before the job kept the rule's terms: their pairing's terms as they are now."""
    Job = apps.get_model("dispatch", "Job")
    FlowEvent = apps.get_model("dispatch", "FlowEvent")
    Pairing = apps.get_model("workshop", "Pairing")
    taken = FlowEvent.objects.filter(to_state="accepted", actor__isnull=True, note=RULE_NOTE).values("job_id")
    for job in Job.objects.filter(pk__in=taken, auto_accept_rule__isnull=True).select_related("line"):
        pairing = Pairing.objects.filter(firm_id=job.line.firm_id, workshop_id=job.workshop_id).first()
        if pairing is not None:
            job.auto_accept_rule = {
                "max_pieces": pairing.auto_accept_max_pieces,
                "min_lead_days": pairing.auto_accept_min_lead_days,
            }
            job.save(update_fields=["auto_accept_rule"])


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0010_job_operator_fee"),
        ("workshop", "0009_operator_fee"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="auto_accept_rule",
            field=models.JSONField(
                blank=True,
                help_text="按结对的自动接单规则接单时,当时的规则:最多件数(空为不限)和最少工期(天);坊长接单为空",
                null=True,
                verbose_name="自动接单规则",
            ),
        ),
        migrations.RunPython(keep_the_rule_of_jobs_already_auto_accepted, migrations.RunPython.noop),
    ]
