"""The donate page a new reader can trust: it says what a gift does, who the
newsroom is, its legal and tax status and where to write; it links to no page
that does not exist; and only the demo says it is a demo."""

import io
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from newsroom.fundraising.models import DonatePage
from tests.fundraising.builders import make_campaign, make_page

pytestmark = pytest.mark.django_db


def load_demo():
    call_command("load_demo", "--force", stdout=io.StringIO())


def visible_text(html):
    return re.sub(r"<[^>]+>", " ", html)


def local_links(html):
    links = set(re.findall(r'href="([^"]+)"', html))
    return sorted(
        link.replace("&amp;", "&")
        for link in links
        if not urlsplit(link).netloc and not link.startswith(("mailto:", "#"))
    )


@pytest.mark.parametrize("path", ["/donate/", "/donate/thanks/"])
def test_every_link_of_the_demo_donate_pages_leads_to_a_page_that_exists(client, path):
    load_demo()

    page = client.get(path).text

    assert local_links(page)
    for link in local_links(page):
        assert client.get(link).status_code == 200, link
    assert "contact page" not in page
    assert "(demo link)" not in page


def test_the_demo_page_says_what_a_gift_does_who_we_are_and_the_tax_status(client):
    load_demo()

    page = client.get("/donate/").text

    assert "Every gift goes to reporting" in page
    assert "Who we are" in page and "independent newsroom" in page
    assert "not tax-deductible" in page
    assert 'href="mailto:support@donate.example.org"' in page
    assert "Covers a reporter&#x27;s travel to a story outside Caracas." in page
    assert 'href="https://donate.example.org/demo/manage"' in page
    assert "Manage your monthly gift" in page


def test_the_demo_says_it_is_a_demo_once_and_a_real_site_never(client):
    load_demo()
    demo = client.get("/donate/").text
    assert demo.count('class="demo-notice"') == 1
    assert "demonstration site" in demo

    DonatePage.objects.update(demo_notice="")
    real = visible_text(client.get("/donate/").text)
    assert "demo" not in real.lower()


def test_a_page_without_those_texts_leaves_their_sections_out(client):
    make_page()
    make_campaign()

    page = client.get("/donate/").text

    assert "Who we are" not in page
    assert "mailto:" not in page
    assert "Manage your monthly gift" not in page
    assert "demo" not in visible_text(page).lower()


def test_the_thanks_page_links_monthly_donors_to_the_portal(client):
    make_page(portal_url="https://billing.example.org/p/login/abc")

    page = client.get("/donate/thanks/").text

    assert '<a href="https://billing.example.org/p/login/abc" rel="noopener">' in page
    assert "Manage your monthly gift" in page


@pytest.mark.parametrize(
    "count, phone, wide",
    [(1, 1, 1), (2, 2, 2), (3, 1, 3), (4, 2, 4), (5, 1, 3), (6, 2, 3), (7, 1, 4)],
)
def test_tier_cards_never_leave_one_card_alone_on_a_row(client, count, phone, wide):
    tiers = [(f"Tier {n}", str(10 * (n + 1)), "one_time", n == 1) for n in range(count)]
    make_campaign(tiers=tiers)

    page = client.get("/donate/").text

    assert f'class="tier-list tiers-phone-{phone} tiers-wide-{wide}"' in page
    assert count % phone != 1 or phone == 1
    assert count <= wide or count % wide != 1


def test_the_campaign_chooses_whether_one_time_or_monthly_comes_first(client):
    make_campaign(default_frequency="monthly")

    page = client.get("/donate/").text

    assert re.search(r'<a href="\?frequency=monthly#give" aria-current="true">', page)
    assert "https://pay.example.org/monthly-10" in page
    assert "https://pay.example.org/one_time-50" not in page
