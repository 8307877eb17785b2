# SellerAccount and RateBudget now belong to `amazon` (its 0001), in the same tables: the
# snapshots' foreign key keeps its column and constraint, only Django's state changes. The
# content types follow, so permissions given on them are kept.

from django.db import migrations, models
import django.db.models.deletion


def relabel(apps, schema_editor, old="dashboard", new="amazon"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("selleraccount", "ratebudget"):
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def relabel_back(apps, schema_editor):
    relabel(apps, schema_editor, old="amazon", new="dashboard")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("dashboard", "0003_snapshot_is_latest"),
        ("amazon", "0001_accounts_from_dashboard"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="amazonsnapshot",
                    name="account",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="snapshots", to="amazon.selleraccount"),
                ),
                migrations.DeleteModel(name="RateBudget"),
                migrations.DeleteModel(name="SellerAccount"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel, relabel_back),
    ]
