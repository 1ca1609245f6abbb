"""Importing a processor's export: idempotent, all or nothing, totals follow."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from newsroom.fundraising.models import Campaign, Donation
from tests.fundraising.builders import make_campaign

pytestmark = pytest.mark.django_db

GOOD = """date,amount,currency,transaction id,donor name,consent
2025-03-01,25.00,USD,ch_001,Ana Pérez,yes
2025-03-01 14:02:11,0.10,USD,ch_002,,
2025-03-02,0.20,usd,ch_003,Luis Gómez,no
"""


def import_file(tmp_path, content, *args):
    path = tmp_path / "export.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    out = io.StringIO()
    call_command("import_donations", str(path), *args, stdout=out)
    return out.getvalue()


def test_a_good_file_records_each_donation_and_updates_the_campaign(tmp_path, client):
    campaign = make_campaign(raised_offline=Decimal("100"), supporters_offline=2)

    output = import_file(tmp_path, GOOD)

    assert "Imported 3 donations" in output
    assert "$125.30 raised of $50,000 goal" in output
    donation = Donation.objects.get(transaction_id="ch_002")
    assert donation.amount == Decimal("0.10")
    assert donation.currency == "USD"
    progress = Campaign.objects.with_totals().get(pk=campaign.pk).progress()
    assert (progress.raised, progress.supporters) == (Decimal("125.30"), 5)
    page = client.get("/donate/").text
    assert "$125.30 raised of $50,000 goal — 0%" in page
    assert "<li>Ana Pérez</li>" in page
    assert "Luis Gómez" not in page


def test_importing_the_same_file_twice_adds_nothing(tmp_path):
    make_campaign()
    import_file(tmp_path, GOOD)

    output = import_file(tmp_path, GOOD)

    assert "Imported 0 donations" in output and "3 already imported" in output
    assert Donation.objects.count() == 3


def test_a_file_overlapping_an_earlier_one_adds_only_the_new_transactions(tmp_path):
    make_campaign()
    import_file(tmp_path, GOOD)

    output = import_file(tmp_path, GOOD + "2025-03-03,40,USD,ch_004,,\n")

    assert "Imported 1 donation " in output
    assert Donation.objects.count() == 4


def test_bad_rows_are_reported_by_line_and_nothing_is_written(tmp_path):
    make_campaign()
    content = (
        "date,amount,currency,transaction id\n"
        "2025-03-01,25.00,USD,ch_ok\n"
        "yesterday,25.00,USD,ch_bad_date\n"
        "2025-03-01,abc,USD,ch_bad_amount\n"
        "2025-03-01,-5,USD,ch_refund\n"
        "2025-03-01,1.005,USD,ch_fraction\n"
        "2025-03-01,10,dollars,ch_bad_currency\n"
        "2025-03-01,10,USD,\n"
        "2025-03-01,10,USD,ch_ok\n"
        "2025-03-01,10\n"
    )

    with pytest.raises(CommandError) as error:
        import_file(tmp_path, content)

    message = str(error.value)
    assert "nothing imported" in message
    for line, words in [
        (3, "date 'yesterday' is not a date"),
        (4, "amount 'abc' is not a positive amount"),
        (5, "amount '-5'"),
        (6, "amount '1.005'"),
        (7, "currency 'dollars'"),
        (8, "transaction id is missing"),
        (9, "appears already on line 2"),
        (10, "2 cells where the header has 4"),
    ]:
        assert f"line {line}: " in message and words in message
    assert not Donation.objects.exists()


def test_a_currency_other_than_the_campaigns_is_refused_clearly(tmp_path):
    make_campaign(currency="USD")

    with pytest.raises(CommandError, match="line 2: currency EUR does not match"):
        import_file(tmp_path, "date,amount,currency,id\n2025-03-01,10,EUR,ch_1\n")

    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    "content,words",
    [
        ("", "empty"),
        ("when,how much\n2025-03-01,10\n", "lacks the column(s) date, amount"),
        ("date,amount,currency,id\n", "no donations"),
        (b"date,amount,currency,id\n2025-03-01,10,USD,\xff\xfe\n", "not UTF-8"),
        ("date,amount,currency,id,consent\n2025-03-01,10,USD,a,maybe\n", "consent"),
    ],
    ids=["empty", "no-header", "header-only", "not-utf8", "bad-consent"],
)
def test_malformed_files_are_refused_with_a_clear_message(tmp_path, content, words):
    make_campaign()

    with pytest.raises(CommandError, match="nothing imported") as error:
        import_file(tmp_path, content)

    assert words in str(error.value)
    assert not Donation.objects.exists()


def test_a_missing_file_is_a_clear_error(tmp_path):
    make_campaign()

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_donations", str(tmp_path / "missing.csv"))


def test_without_an_open_campaign_the_command_asks_for_one(tmp_path):
    make_campaign(slug="old-drive", is_active=False)

    with pytest.raises(CommandError, match="--campaign SLUG"):
        import_file(tmp_path, GOOD)

    output = import_file(tmp_path, GOOD, "--campaign", "old-drive")
    assert "Imported 3 donations" in output


def test_an_unknown_campaign_slug_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No campaign with the slug 'nope'"):
        import_file(tmp_path, GOOD, "--campaign", "nope")


def upload(content):
    return SimpleUploadedFile("export.csv", content.encode(), content_type="text/csv")


def test_an_editor_imports_a_file_from_the_admin(client, editor):
    campaign = make_campaign()
    client.force_login(editor)

    response = client.post(
        "/admin/fundraising/donation/import/",
        {"campaign": campaign.pk, "file": upload(GOOD)},
        follow=True,
    )

    assert response.status_code == 200
    assert "Imported 3 donations into Spring drive (0 already imported)" in (
        response.text
    )
    assert Donation.objects.count() == 3


def test_a_bad_upload_in_the_admin_lists_the_lines_and_writes_nothing(client, editor):
    campaign = make_campaign()
    client.force_login(editor)

    response = client.post(
        "/admin/fundraising/donation/import/",
        {
            "campaign": campaign.pk,
            "file": upload(GOOD + "2025-03-04,lots,USD,ch_009,,\n"),
        },
    )

    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert "line 5: amount &#x27;lots&#x27;" in response.text
    assert not Donation.objects.exists()


def test_a_writer_cannot_import_donations(client, writer):
    campaign = make_campaign()
    client.force_login(writer)

    response = client.post(
        "/admin/fundraising/donation/import/",
        {"campaign": campaign.pk, "file": upload(GOOD)},
    )

    assert response.status_code == 403
    assert not Donation.objects.exists()


@pytest.mark.parametrize("amount", ["99999999999", "10000000000.00", "1e12"])
def test_an_amount_too_large_to_record_is_refused_naming_its_line(tmp_path, amount):
    make_campaign()

    with pytest.raises(CommandError) as caught:
        import_file(tmp_path, GOOD + f"2025-03-04,{amount},USD,ch_009,,\n")

    assert f"line 5: amount {amount!r} is more than $9,999,999,999.99" in str(
        caught.value
    )
    assert "nothing imported" in str(caught.value)
    assert not Donation.objects.exists()


def test_an_amount_too_large_to_record_is_refused_in_the_admin(client, editor):
    campaign = make_campaign()
    client.force_login(editor)

    response = client.post(
        "/admin/fundraising/donation/import/",
        {
            "campaign": campaign.pk,
            "file": upload(GOOD + "2025-03-04,99999999999,USD,ch_009,,\n"),
        },
    )

    assert response.status_code == 200
    assert "Nothing was imported" in response.text
    assert "line 5: amount &#x27;99999999999&#x27; is more than" in response.text
    assert not Donation.objects.exists()


def test_donations_that_would_take_the_total_past_what_it_can_hold_are_refused(
    tmp_path,
):
    campaign = make_campaign(raised_offline=Decimal("9000000000"))
    rows = "".join(f"2025-03-0{n},400000000.00,USD,ch_1{n},,\n" for n in range(1, 4))

    with pytest.raises(CommandError) as caught:
        import_file(tmp_path, GOOD.splitlines()[0] + "\n" + rows)

    assert "line 4: the campaign's total would pass $9,999,999,999.99" in str(
        caught.value
    )
    assert not Donation.objects.exists()
    progress = Campaign.objects.with_totals().get(pk=campaign.pk).progress()
    assert progress.raised == Decimal("9000000000")
