from django.db import migrations


def copy_approvals(apps, schema_editor):
    """Each closed year says why: the approval date and deliberation of its approved bilan."""
    Bilan = apps.get_model("bilans", "Bilan")
    ClosedYear = apps.get_model("axes", "ClosedYear")
    for bilan in Bilan.objects.filter(status="approved"):
        ClosedYear.objects.filter(pacte_id=bilan.pacte_id, year=bilan.year).update(
            approval_date=bilan.approval_date, deliberation_reference=bilan.deliberation_reference
        )


class Migration(migrations.Migration):
    dependencies = [
        ("bilans", "0003_campaigns_reminders_generation_heartbeat_approval"),
        ("axes", "0003_closed_year_reason"),
    ]

    operations = [migrations.RunPython(copy_approvals, migrations.RunPython.noop)]
