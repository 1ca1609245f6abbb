"""Reader revenue's models move to the fundraising app (newsroom/fundraising/).

The tables are renamed to the new app's names (newsroom_campaign becomes
fundraising_campaign, and so on), rows and ids untouched; the models leave
this app's state here and join fundraising's in fundraising/0001, which
also moves their content types, so permissions and groups follow them.
"""

from django.db import migrations

MODELS = [
    "donatepage",
    "faqitem",
    "otherway",
    "campaign",
    "tier",
    "donation",
    "donateclick",
]
# Models that others point at go last, so each deletion leaves a valid state.
DELETED_IN_ORDER = [
    "faqitem",
    "otherway",
    "tier",
    "donation",
    "donateclick",
    "donatepage",
    "campaign",
]


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0005_donate_clicks_from_email"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name=name, table=f"fundraising_{name}")
                for name in MODELS
            ],
            state_operations=[
                migrations.DeleteModel(name=name) for name in DELETED_IN_ORDER
            ],
        ),
    ]
