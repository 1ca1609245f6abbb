"""A contributor's photo, uploaded in the admin and seen by a reader, in a real Chromium."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from stories.models import Byline, Contributor

from .test_editing import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def portrait(path):
    image = Image.new("RGB", (600, 800), "#d9c3a5")
    for y in range(200, 420):  # a head, so the crop can be seen
        for x in range(220, 380):
            if (x - 300) ** 2 / 80**2 + (y - 310) ** 2 / 110**2 <= 1:
                image.putpixel((x, y), (90, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def loaded(locator):
    return locator.evaluate("img => img.complete && img.naturalWidth > 0")


def test_a_photo_uploaded_in_the_admin_shows_on_the_contributor_page_and_bylines(
    live_server, page, make_staff, make_issue, make_story, tmp_path, screenshot
):
    issue = make_issue(headline="A week in Caracas")
    story = make_story(issue=issue, headline="Key takeaways")
    ana = Contributor.objects.create(
        name="Ana Pérez", slug="ana-perez", bio="Reporter."
    )
    Byline.objects.create(issue=issue, contributor=ana)
    Byline.objects.create(issue=issue, story=story, contributor=ana, role="Reported by")
    make_staff("editor1", "Editors")
    log_in(page, live_server, "editor1")

    page.goto(f"{live_server.url}/admin/stories/contributor/{ana.pk}/change/")
    page.set_input_files("#id_photo", str(portrait(tmp_path / "ana.jpg")))
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    preview = page.locator(".field-photo_preview img")
    expect(preview).to_have_attribute("alt", "Ana Pérez")
    assert loaded(preview)

    reader = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    tab = reader.new_page()
    tab.goto(f"{live_server.url}{ana.get_absolute_url()}")
    photo = tab.get_by_role("img", name="Ana Pérez")
    expect(photo).to_be_visible()
    assert loaded(photo), "served to a reader, under the site's CSP"
    screenshot("contributor-page-photo", tab)

    tab.goto(f"{live_server.url}{issue.get_absolute_url()}")
    avatars = tab.locator(".byline .byline-photo img")
    expect(avatars).to_have_count(2)
    assert all(loaded(avatars.nth(n)) for n in range(2))
    assert avatars.first.bounding_box()["width"] == 32
    screenshot("issue-byline-photo", tab)
    reader.close()
