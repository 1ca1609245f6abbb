"""An editor in a real browser posts an issue to Telegram (a local fake), copies
its WhatsApp text, and copies and downloads its export."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from issues.models import Issue
from newsroom.newsletters.models import ChannelPost
from tests.newsletters.fake_telegram import FakeTelegram
from tests.seeds import SEED_REPORT


@pytest.fixture
def telegram(settings):
    fake = FakeTelegram().start()
    settings.TELEGRAM_BOT_TOKEN = fake.token
    settings.TELEGRAM_CHAT_ID = fake.chat_id
    settings.TELEGRAM_API_URL = fake.url
    yield fake
    fake.stop()


@pytest.mark.django_db(transaction=True)
def test_an_editor_posts_to_telegram_and_copies_the_whatsapp_text_and_export(
    live_server, browser, screenshot, telegram, make_staff, tmp_path
):
    make_staff("editor1", "Editors")
    call_command("import_report", str(SEED_REPORT), "--publish", stdout=StringIO())
    issue = Issue.objects.get()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor1")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")

    page.goto(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/")
    page.click("text=Channel: Telegram and WhatsApp")
    expect(page.locator("h1")).to_contain_text("Channel: The Carter Center")
    expect(page.locator(".channel-messages > li")).to_have_count(3)
    screenshot("channel-before-posting", page)
    page.get_by_role("button", name="Post to Telegram").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "to the Telegram channel (3 messages)."
    )
    expect(page.get_by_role("button", name="Post to Telegram")).to_have_count(0)
    assert len(telegram.received) == 3
    assert ChannelPost.objects.get().message_ids == [101, 102, 103]

    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#whatsapp-text").input_value()
    assert copied.startswith("*The Carter Center Says Goodbye with a Damning Verdict*")
    screenshot("channel-after-posting", page)

    page.goto(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/")
    page.click("text=Export as text")
    expect(page.get_by_role("status")).to_contain_text(
        "this text gives back the same issue"
    )
    with page.expect_download() as download:
        page.click("text=Download")
    path = tmp_path / "export.txt"
    download.value.save_as(path)
    out = StringIO()
    call_command("export_report", issue.slug, stdout=out)
    assert path.read_text(encoding="utf-8") == out.getvalue()
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()") == out.getvalue()
    context.close()
