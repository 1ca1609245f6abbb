"""Moving reader revenue into its own app keeps every row, id and permission."""

from functools import partial

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from newsroom.fundraising.models import (
    Campaign,
    DonateClick,
    DonatePage,
    Donation,
    FAQItem,
    OtherWay,
    Tier,
)

#: The layout before the move: reader revenue in the newsroom app.
BEFORE = [
    ("newsroom", "0004_editors_lift_login_lockouts"),
    ("fundraising", None),
]
#: The models that lived in the newsroom app before the move.
MOVED = [
    "donatepage",
    "faqitem",
    "otherway",
    "campaign",
    "tier",
    "donation",
    "donateclick",
]


@pytest.fixture
def old_layout(transactional_db):
    """The database as it was before the move; migrated to the latest after."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor.loader.project_state([BEFORE[0]]).apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def fill(apps, issue, series):
    """One of each reader revenue row, made with the models of the old layout."""
    model = partial(apps.get_model, "newsroom")
    page = model("DonatePage").objects.create(pk=1, appeal="Old appeal.")
    model("FAQItem").objects.create(page=page, question="Secure?", answer="Yes.")
    model("OtherWay").objects.create(page=page, title="Bank transfer")
    campaign = model("Campaign").objects.create(
        name="Old drive",
        slug="old-drive",
        goal="1000",
        raised_offline="100",
        starts_on=timezone.localdate(),
    )
    for amount in ("25", "50"):
        model("Tier").objects.create(
            campaign=campaign,
            label=f"Tier {amount}",
            amount=amount,
            checkout_url=f"https://pay.example.org/{amount}",
        )
    for n, amount in enumerate(("10", "15")):
        model("Donation").objects.create(
            campaign=campaign,
            transaction_id=f"txn_old_{n}",
            received_on=timezone.localdate(),
            amount=amount,
            currency="USD",
            donor_name="Ana" if n else "",
            listed=bool(n),
        )
    model("DonateClick").objects.create(
        issue_id=issue.pk, via="issue", day=timezone.localdate(), count=7
    )
    model("DonateClick").objects.create(
        series_id=series.pk, via="series", day=timezone.localdate(), count=2
    )
    return {
        name: sorted(model(name).objects.values_list("pk", flat=True))
        for name in ("DonatePage", "FAQItem", "OtherWay", "Campaign", "Tier")
        + ("Donation", "DonateClick")
    }


def test_every_campaign_tier_click_and_donation_survives_the_move(
    old_layout, make_issue, series
):
    issue = make_issue(series=series)
    pks = fill(old_layout, issue, series)

    migrate_to_latest()

    assert {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (DonatePage, FAQItem, OtherWay, Campaign, Tier)
        + (Donation, DonateClick)
    } == pks
    campaign = Campaign.objects.get(slug="old-drive")
    assert sorted(campaign.tiers.values_list("amount", flat=True)) == [25, 50]
    assert campaign.progress().summary == "$125 raised of $1,000 goal — 12%"
    assert campaign.supporters_wall() == ["Ana"]
    assert DonateClick.objects.get(issue=issue).count == 7
    assert DonateClick.objects.get(series=series).count == 2
    assert DonatePage.objects.load().questions()[0].question == "Secure?"


def test_editors_keep_their_permissions_on_the_moved_models(
    old_layout, make_issue, series, client
):
    old_types = dict(
        ContentType.objects.filter(app_label="newsroom").values_list("model", "pk")
    )
    fill(old_layout, make_issue(series=series), series)
    editor = User.objects.create_user("old-editor", password="pw", is_staff=True)
    editor.groups.add(
        old_layout.get_model("auth", "Group").objects.get(name="Editors").pk
    )

    migrate_to_latest()

    new_types = dict(
        ContentType.objects.filter(
            app_label="fundraising", model__in=MOVED
        ).values_list("model", "pk")
    )
    assert new_types == {model: old_types[model] for model in MOVED}
    assert not ContentType.objects.filter(
        app_label="newsroom", model__in=new_types
    ).exists()
    editor = User.objects.get(pk=editor.pk)
    assert editor.has_perm("fundraising.change_campaign")
    assert editor.has_perm("fundraising.add_donation")
    assert editor.has_perm("fundraising.view_donateclick")
    assert not editor.has_perm("fundraising.change_donateclick")
    client.force_login(editor)
    listing = client.get("/admin/fundraising/donation/")
    assert listing.status_code == 200
    assert "txn_old_0" in listing.text and "txn_old_1" in listing.text
    assert "$125 raised of $1,000 goal" in client.get("/donate/").text
