from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rp_sessions", "0004_poll_email_ledger"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="groupsession",
            index=models.Index(
                condition=models.Q(("kind", "workshop")),
                fields=["organisation", "starts_at"],
                name="workshop_organisation_starts",
            ),
        ),
    ]
