"""Rules installed from the presets said "vs target {target}" where {target} was the grade expected now.
The presets now name both; rules still holding a preset's old words get the new ones (edited ones stay)."""

from django.db import migrations

OLD_GAP = "Below target by {diff} grades in {subject} ({grade} vs target {target})"
OLD_ANY = "Below target in {subject} ({grade} vs target {target})"
NEW_GAP = "Below expected now by {diff} grades in {subject} ({grade}; expected now {expected}, target {target})"
NEW_ANY = "Below expected now in {subject} ({grade}; expected now {expected}, target {target})"


def forwards(apps, schema_editor):
    Rule = apps.get_model("interventions", "Rule")
    Rule.objects.filter(reason_template=OLD_GAP).update(reason_template=NEW_GAP)
    Rule.objects.filter(reason_template=OLD_ANY).update(reason_template=NEW_ANY)


def backwards(apps, schema_editor):
    Rule = apps.get_model("interventions", "Rule")
    Rule.objects.filter(reason_template=NEW_GAP).update(reason_template=OLD_GAP)
    Rule.objects.filter(reason_template=NEW_ANY).update(reason_template=OLD_ANY)


class Migration(migrations.Migration):
    dependencies = [("interventions", "0004_plans_sessions_agreements")]

    operations = [migrations.RunPython(forwards, backwards)]
