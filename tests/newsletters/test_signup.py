"""Signing up: the form on every page, double opt-in, no enumeration, limits."""

import re
from datetime import timedelta

import pytest
from django.core.signing import TimestampSigner
from django.utils import timezone

from newsroom.newsletters import tokens
from newsroom.newsletters.models import Subscriber

LINK = re.compile(r"http://127\.0\.0\.1:8000(/newsletter/confirm/[^/\s]+/)")


@pytest.fixture
def public_series(make_issue, series):
    make_issue(series=series, slug="first-issue")
    return series


def sign_up(client, email, **data):
    return client.post("/newsletter/", {"email": email, **data})


def confirmation_path(message):
    return LINK.search(message.body).group(1)


def test_every_public_page_carries_the_sign_up_form_without_javascript(
    client, public_series
):
    for path in ["/", "/issues/", "/issues/first-issue/", "/sources/", "/donate/"]:
        page = client.get(path).content.decode()
        assert 'action="/newsletter/"' in page, path
        assert 'type="email" name="email"' in page, path
        assert "<script" not in page.split('class="site-footer"')[1], path


def test_the_issue_page_ends_with_a_sign_up_form_as_well(client, public_series):
    page = client.get("/issues/first-issue/").content.decode()
    article_end = page.index("</article>")
    assert 'id="issue-newsletter-email"' in page[article_end:]
    assert 'id="footer-newsletter-email"' in page


def test_the_newsletter_page_has_the_form(client, public_series):
    response = client.get("/newsletter/")
    assert response.status_code == 200
    assert "Now What Venezuela" in response.content.decode()
    assert 'name="email"' in response.content.decode()


def test_signing_up_sends_one_confirmation_and_gives_nothing_until_confirmed(
    client, public_series, outbox
):
    response = sign_up(client, "Reader@Example.ORG", source="/issues/first-issue/")

    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    row = Subscriber.objects.get()
    assert (row.email, row.state, row.source) == (
        "Reader@example.org",
        Subscriber.State.PENDING,
        "/issues/first-issue/",
    )
    assert len(outbox) == 1
    assert outbox[0].to == ["Reader@example.org"]
    assert "Now What Venezuela" in outbox[0].subject
    assert not Subscriber.objects.receiving().exists()


def test_the_confirmation_link_shows_a_button_and_its_post_confirms(
    client, public_series, outbox
):
    sign_up(client, "reader@example.org")
    path = confirmation_path(outbox[0])

    page = client.get(path)
    assert page.status_code == 200
    assert "Confirm my subscription" in page.content.decode()
    assert Subscriber.objects.get().state == Subscriber.State.PENDING

    done = client.post(path)
    assert done.status_code == 200
    assert "You are subscribed" in done.content.decode()
    row = Subscriber.objects.get()
    assert row.state == Subscriber.State.ACTIVE and row.confirmed_at is not None

    again = client.post(path)
    assert again.status_code == 200
    assert "You are subscribed" in again.content.decode()
    assert Subscriber.objects.get().confirmed_at == row.confirmed_at


def test_an_expired_confirmation_link_offers_a_new_one(
    client, public_series, outbox, settings
):
    sign_up(client, "reader@example.org")
    path = confirmation_path(outbox[0])
    settings.NEWSLETTER_CONFIRM_MAX_AGE = -1

    response = client.post(path)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This confirmation link has expired" in page
    assert 'action="/newsletter/"' in page
    assert Subscriber.objects.get().state == Subscriber.State.PENDING


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "a" * 300,
        "eyJlIjoieEB5LnoiLCJzIjpbMV19:1tAAAA:forged",
        TimestampSigner(salt="another").sign("x"),
    ],
)
def test_a_tampered_confirmation_link_gets_a_clear_page(client, public_series, token):
    for method in (client.get, client.post):
        response = method(f"/newsletter/confirm/{token}/")
        assert response.status_code == 400
        assert "This confirmation link does not work" in response.content.decode()


def test_a_confirmation_token_cannot_be_forged_for_another_address(
    client, public_series, outbox
):
    sign_up(client, "reader@example.org")
    Subscriber.objects.create(email="victim@example.org", series=public_series)
    genuine = confirmation_path(outbox[0]).split("/")[3]
    payload, rest = genuine.split(":", 1)
    forged = tokens.confirmation_token("victim@example.org", [public_series.pk])
    tampered = forged.split(":", 1)[0] + ":" + rest

    response = client.post(f"/newsletter/confirm/{tampered}/")

    assert response.status_code == 400
    assert Subscriber.objects.get(email="victim@example.org").state == "pending"


def answer(response):
    return response.status_code, response.get("Location"), response.content


def test_the_answer_is_the_same_for_known_and_unknown_addresses(
    client, public_series, make_subscriber, outbox
):
    make_subscriber("active@example.org")
    make_subscriber("gone@example.org", state=Subscriber.State.UNSUBSCRIBED)
    make_subscriber("bounced@example.org", state=Subscriber.State.BOUNCED)

    answers = {
        email: answer(sign_up(client, email))
        for email in [
            "new@example.org",
            "active@example.org",
            "gone@example.org",
            "bounced@example.org",
        ]
    }

    assert len(set(answers.values())) == 1
    assert answers["new@example.org"][1] == "/newsletter/check-your-inbox/"


def test_one_confirmation_message_per_address_per_hour(client, public_series, outbox):
    for _ in range(3):
        sign_up(client, "reader@example.org")
    sign_up(client, "READER@example.org")
    assert len(outbox) == 1

    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(hours=2))
    from django.core.cache import cache

    cache.clear()
    sign_up(client, "reader@example.org")
    assert len(outbox) == 2


def test_sign_ups_from_one_client_are_limited_per_hour(
    client, public_series, outbox, settings
):
    settings.NEWSLETTER_SIGNUPS_PER_HOUR = 3
    for n in range(3):
        assert sign_up(client, f"reader{n}@example.org").status_code == 302

    refused = sign_up(client, "reader9@example.org")

    assert refused.status_code == 429
    assert "Too many sign-ups" in refused.content.decode()
    assert not Subscriber.objects.filter(email="reader9@example.org").exists()
    other = client.post(
        "/newsletter/", {"email": "x@example.org"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_the_honeypot_gets_the_same_answer_and_nothing_is_done(
    client, public_series, outbox
):
    response = sign_up(client, "bot@example.org", website="http://spam.example")

    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    assert not Subscriber.objects.exists()
    assert outbox == []


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid email address"),
        ("reader@example.org\r\nBcc: all@example.org", "line breaks"),
        ("reader@example.org\nBcc: all@example.org", "line breaks"),
        ("read\ter@example.org", "control characters"),
        ("reader\x00@example.org", "control characters"),
        ('"a,b"@example.org', "quotes, commas"),
        ("a@example.org, b@example.org", "quotes, commas"),
        ("Reader <reader@example.org>", "quotes, commas"),
        ("=?utf-8?q?x?=@example.org", "Enter a valid email address"),
        ("a" * 250 + "@example.org", "at most 254"),
    ],
)
def test_bad_or_header_breaking_addresses_are_refused_with_a_clear_message(
    client, public_series, outbox, email, message
):
    response = sign_up(client, email)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Subscriber.objects.exists()
    assert outbox == []


def test_with_several_series_the_reader_ticks_which(
    client, public_series, make_series, make_issue, outbox
):
    other = make_series(name="Economy Weekly", slug="economy-weekly")
    make_issue(series=other)
    page = client.get("/").content.decode()
    assert 'name="series"' in page and "Economy Weekly" in page

    none_ticked = sign_up(client, "reader@example.org")
    assert none_ticked.status_code == 400
    assert "Tick at least one newsletter." in none_ticked.content.decode()

    sign_up(client, "reader@example.org", series=[other.pk, public_series.pk])
    assert sorted(Subscriber.objects.values_list("series__slug", flat=True)) == [
        "economy-weekly",
        "now-what-venezuela",
    ]
    assert len(outbox) == 1
    client.post(confirmation_path(outbox[0]))
    assert Subscriber.objects.receiving().count() == 2


def test_a_series_with_no_public_issue_offers_no_sign_up(
    client, make_series, make_issue, outbox
):
    hidden = make_series(name="Secret Series", slug="secret")
    make_issue(series=hidden, status="draft", published_at=None)

    assert "Secret Series" not in client.get("/newsletter/").content.decode()
    response = sign_up(client, "reader@example.org", series=[hidden.pk])
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_a_bounced_address_is_suppressed_until_it_signs_up_and_confirms_anew(
    client, public_series, make_subscriber, outbox
):
    make_subscriber("reader@example.org", state=Subscriber.State.BOUNCED)

    sign_up(client, "reader@example.org")
    assert not Subscriber.objects.receiving().exists()

    client.post(confirmation_path(outbox[0]))
    assert Subscriber.objects.get().state == Subscriber.State.ACTIVE


def test_an_old_confirmation_link_does_not_undo_an_unsubscribe(
    client, public_series, outbox
):
    sign_up(client, "reader@example.org")
    path = confirmation_path(outbox[0])
    client.post(path)
    Subscriber.objects.get().unsubscribe()

    response = client.post(path)

    assert response.status_code == 400
    assert "This confirmation link no longer applies" in response.content.decode()
    assert Subscriber.objects.get().state == Subscriber.State.UNSUBSCRIBED


def test_a_source_that_is_not_a_page_of_the_site_is_not_stored(
    client, public_series, outbox
):
    sign_up(client, "reader@example.org", source="https://evil.example/<script>")
    assert Subscriber.objects.get().source == ""


def test_pages_with_the_form_stay_cacheable(client, public_series):
    client.get("/issues/first-issue/")
    again = client.get("/issues/first-issue/")
    assert again["X-Page-Cache"] == "hit"
    assert "csrftoken" not in again.cookies


@pytest.mark.parametrize(("days", "works"), [(6, True), (8, False)])
def test_a_confirmation_link_works_for_seven_days_by_default(
    client, public_series, outbox, monkeypatch, days, works
):
    import time

    from django.core import signing

    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - days * 86400)
    sign_up(client, "reader@example.org")
    monkeypatch.setattr(signing.time, "time", real_time)

    response = client.post(confirmation_path(outbox[0]))

    assert (response.status_code == 200) is works
    assert (Subscriber.objects.get().state == "active") is works
