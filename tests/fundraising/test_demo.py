"""After `load_demo`, the donate page converts and the report sees the issue's clicks."""

import csv
import io
import re

import pytest
from django.core.management import call_command

from issues.models import Issue
from newsroom.fundraising.models import Campaign, DonatePage, Tier

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", "--force", stdout=io.StringIO())


def donate_report():
    out = io.StringIO()
    call_command("donate_report", stdout=out)
    return list(csv.reader(io.StringIO(out.getvalue())))


def test_after_load_demo_the_appeal_leads_to_a_donate_page_whose_clicks_are_reported(
    client,
):
    load_demo()
    issue = Issue.objects.get()

    donate = client.get("/donate/")
    assert donate.status_code == 200
    assert len(set(re.findall(r"\$\d[\d,]*", donate.text))) >= 2
    assert "<progress" in donate.text
    assert re.search(
        r'class="tier-link" href="https://donate\.example\.org/', donate.text
    )
    assert "Caracas Chronicles is 100% reader-supported." in donate.text

    issue_page = client.get(issue.get_absolute_url()).text
    link = re.search(r'href="(/donate/\?[^"]+)"', issue_page).group(1)
    assert link == f"/donate/?from={issue.slug}"
    for n in range(3):  # three readers
        assert client.get(link, REMOTE_ADDR=f"192.0.2.{n}").status_code == 200

    rows = donate_report()
    row = next(row for row in rows[1:] if row[0] == issue.slug)
    assert int(row[-1]) >= 3


def test_loading_the_demo_twice_adds_no_second_campaign(client):
    load_demo()
    Campaign.objects.update(name="Renamed by an editor")

    load_demo()

    assert Campaign.objects.get().name == "Renamed by an editor"
    assert DonatePage.objects.count() == 1
    assert Tier.objects.count() == 6
