"""Donate clicks from the email edition are counted apart from the web's.

The issue admin and donate_report show them: tests/fundraising/."""

from newsroom.fundraising.models import DonateClick


def test_a_via_other_than_email_counts_as_a_web_click(client, make_issue):
    issue = make_issue()

    client.get(f"/donate/?from={issue.slug}&via=sms")

    assert list(DonateClick.objects.values_list("via", "count")) == [("issue", 1)]


def test_an_email_click_and_a_web_click_by_one_reader_both_count(client, make_issue):
    issue = make_issue()

    client.get(f"/donate/?from={issue.slug}&via=email")
    client.get(f"/donate/?from={issue.slug}&via=email")
    client.get(f"/donate/?from={issue.slug}")

    assert dict(DonateClick.objects.values_list("via", "count")) == {
        "email": 1,
        "issue": 1,
    }
