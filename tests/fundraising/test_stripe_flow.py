"""A gift through Stripe Checkout, end to end, against the fake API on loopback:
the seed issue's reader picks a tier, Stripe's signed webhooks record the gift
(once), and a refund takes it back out."""

import csv
import io
import re
import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from issues.models import Issue
from newsroom.fundraising.models import Campaign, Donation, Tier
from tests.fundraising.fake_stripe import (
    SECRET_KEY,
    charge_refunded,
    invoice_paid,
    session_completed,
)

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", "--force", stdout=io.StringIO())


def report_row(issue):
    out = io.StringIO()
    call_command("donate_report", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    return next(
        dict(zip(rows[0], row, strict=True)) for row in rows[1:] if row[0] == issue.slug
    )


def raised(client):
    return re.search(r"(\$[\d,]+) raised of", client.get("/donate/").text).group(1)


def choose_tier(client, amount, frequency):
    """Follow the seed issue's appeal and press the tier's button."""
    issue = Issue.objects.get()
    issue_page = client.get(issue.get_absolute_url()).text
    link = re.search(r'href="(/donate/\?[^"]+)"', issue_page).group(1)
    if frequency == "monthly":
        page = client.get(link).text
        link = "/donate/" + re.search(
            r'<a href="(\?[^"]*frequency=monthly[^"]*)">Monthly</a>', page
        ).group(1).replace("&amp;", "&")
    page = client.get(link).text
    tier = Tier.objects.get(amount=amount, frequency=frequency)
    assert f'name="tier" value="{tier.pk}"' in page
    form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', page))
    return client.post("/donate/checkout/", {**form, "tier": tier.pk})


def test_a_reader_from_the_seed_issue_gives_50_once_and_it_counts_once_until_refunded(
    client, fake_stripe, send_webhook
):
    load_demo()
    issue = Issue.objects.get()
    assert raised(client) == "$12,340"

    response = choose_tier(client, 50, "one_time")

    session = fake_stripe.last_session()
    assert response.status_code == 303
    assert response["Location"] == session["url"]
    sent = fake_stripe.requests[-1]
    assert sent["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    assert sent["params"]["mode"] == "payment"
    assert sent["params"]["submit_type"] == "donate"
    assert sent["params"]["line_items[0][price_data][unit_amount]"] == "5000"
    assert sent["params"]["line_items[0][price_data][currency]"] == "usd"
    assert sent["params"]["success_url"] == "https://news.example.org/donate/thanks/"
    assert sent["params"]["metadata[issue]"] == str(issue.pk)
    assert sent["params"]["payment_intent_data[metadata][issue]"] == str(issue.pk)
    assert sent["params"]["client_reference_id"] == f"issue-{issue.pk}"

    completed = session_completed(session, payment_intent="pi_test_50")
    assert send_webhook(completed).status_code == 200
    row = report_row(issue)
    assert (row["donations"], row["raised"]) == ("1", "$50")
    assert raised(client) == "$12,390"

    again = send_webhook(completed)
    assert again.status_code == 200
    assert Donation.objects.count() == 1
    assert raised(client) == "$12,390"

    forged = send_webhook(
        session_completed(session, payment_intent="pi_test_forged"),
        secret="whsec_guessed",
    )
    assert forged.status_code == 400
    assert Donation.objects.count() == 1

    refund = send_webhook(charge_refunded("pi_test_50", 5000, 5000))
    assert refund.status_code == 200
    assert raised(client) == "$12,340"
    assert report_row(issue)["raised"] == "$0"


def test_a_10_monthly_gift_counts_its_first_month_once_whichever_event_comes_first(
    client, fake_stripe, send_webhook
):
    load_demo()
    issue = Issue.objects.get()
    supporters = Campaign.objects.current().progress().supporters

    response = choose_tier(client, 10, "monthly")

    session = fake_stripe.last_session()
    assert response.status_code == 303
    assert response["Location"] == session["url"]
    sent = fake_stripe.requests[-1]["params"]
    assert sent["mode"] == "subscription"
    assert sent["line_items[0][price_data][recurring][interval]"] == "month"
    assert sent["line_items[0][price_data][unit_amount]"] == "1000"
    assert "submit_type" not in sent
    assert sent["subscription_data[metadata][issue]"] == str(issue.pk)

    first_invoice = invoice_paid(
        "in_test_1", "sub_test_1", 1000, metadata=session["metadata"]
    )
    assert send_webhook(first_invoice).status_code == 200
    completed = session_completed(
        session, subscription="sub_test_1", invoice="in_test_1"
    )
    assert send_webhook(completed).status_code == 200

    assert raised(client) == "$12,350"
    assert report_row(issue)["raised"] == "$10"
    gift = Donation.objects.get()
    assert (gift.frequency, gift.amount, gift.issue) == ("monthly", Decimal(10), issue)

    assert (
        send_webhook(invoice_paid("in_test_2", "sub_test_1", 1000)).status_code == 200
    )
    assert raised(client) == "$12,360"
    assert report_row(issue)["raised"] == "$20"
    assert Campaign.objects.current().progress().supporters == supporters + 1


def test_a_monthly_gift_refunded_through_its_invoice_payment_is_taken_back(
    client, fake_stripe, send_webhook
):
    load_demo()
    choose_tier(client, 10, "monthly")
    session = fake_stripe.last_session()
    send_webhook(session_completed(session, subscription="sub_t", invoice="in_t"))
    send_webhook(invoice_paid("in_t", "sub_t", 1000, payment_intent="pi_in_t"))
    assert raised(client) == "$12,350"

    send_webhook(charge_refunded("pi_in_t", 1000, 1000))

    assert raised(client) == "$12,340"


def test_a_stale_event_is_refused_and_changes_nothing(
    client, fake_stripe, send_webhook
):
    load_demo()
    choose_tier(client, 50, "one_time")
    completed = session_completed(
        fake_stripe.last_session(), payment_intent="pi_test_old"
    )

    response = send_webhook(completed, timestamp=int(time.time()) - 3600)

    assert response.status_code == 400
    assert not Donation.objects.exists()
    assert raised(client) == "$12,340"
