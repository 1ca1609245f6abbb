"""Lead images cannot take pages down, cost readers CPU, or give a photo's GPS away."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issues import images
from issues.models import Issue
from issues.previews import preview_path
from tests.issues.admin_forms import change_form_data, change_url

pytestmark = pytest.mark.django_db

GPS, MAKE, ORIENTATION = 0x8825, 0x010F, 0x0112


def png(size, mode="L"):
    buffer = io.BytesIO()
    Image.new(mode, size, 0).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size=(1600, 900), exif=None):
    buffer = io.BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    Image.new("RGB", size, "teal").save(buffer, "JPEG", **options)
    return buffer.getvalue()


def camera_photo():
    """A 1600×900 JPEG as a phone writes it: GPS, camera make, turned on its side."""
    exif = Image.Exif()
    exif[MAKE] = "Camera maker"
    exif[GPS] = {1: "N", 2: (10.0, 30.0, 0.0), 3: "W", 4: (66.0, 55.0, 0.0)}
    exif[ORIENTATION] = 6
    return jpeg(exif=exif)


def upload(client, issue, name, content, **changes):
    data = change_form_data(
        client,
        issue,
        lead_image=SimpleUploadedFile(name, content),
        lead_image_alt="A street in Caracas",
        **changes,
    )
    return client.post(change_url(issue), data)


def stored_files():
    """Every file in media storage, with when it was last written."""
    root = Path(settings.MEDIA_ROOT)
    return {
        str(path.relative_to(root)): os.stat(path).st_mtime_ns
        for path in root.rglob("*")
        if path.is_file()
    }


def reader_pages(issue, story):
    return [
        "/",
        issue.get_absolute_url(),
        story.get_absolute_url(),
        "/feed/",
        "/feed/atom/",
        issue.series.get_absolute_url() + "feed/",
        "/tags/elections/feed/",
        "/tags/elections/feed/atom/",
    ]


def page_renditions(client, issue):
    """The rendition URLs a reader's page of the issue links to."""
    page = client.get(issue.get_absolute_url()).content.decode()
    return sorted(
        {part.split()[0] for part in page.split('"') if "/media/renditions/" in part}
    )


@pytest.fixture
def issue(make_issue, make_story):
    issue = make_issue(headline="A week in Caracas", tags=["elections"])
    make_story(issue=issue, slug="key-takeaways")
    return issue


@pytest.mark.parametrize(
    "size, message",
    [
        ((800, 20_000), "each side may be at most 12,000 pixels"),
        ((39_000_000, 1), "each side may be at most 12,000 pixels"),
        ((6_000, 1_000), "at most 5 times as wide as it is tall"),
    ],
)
def test_an_image_no_rendition_can_serve_is_refused_at_upload(
    admin_client, issue, size, message
):
    before = stored_files()

    response = upload(admin_client, issue, "strip.png", png(size, mode="1"))

    assert response.status_code == 200, "the form is shown again"
    errors = response.context["adminform"].form.errors["lead_image"]
    assert any(message in error for error in errors), errors
    issue.refresh_from_db()
    assert not issue.lead_image
    assert stored_files() == before, "nothing is stored"


@pytest.fixture
def unrenderable(issue):
    """An 800×20,000 PNG put in place behind the form's back, then the issue saved."""
    name = default_storage.save(
        "issues/2026/01/tall.png", ContentFile(png((800, 20_000)))
    )
    issue.lead_image.name = name
    issue.lead_image_alt = "A very tall image"
    issue.save()
    return issue


def test_an_image_that_cannot_be_rendered_leaves_every_page_without_it(
    client, unrenderable
):
    story = unrenderable.stories.get()

    for url in reader_pages(unrenderable, story):
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "A week in Caracas" in content, url
        assert "/media/" not in content, url


def test_a_rendition_that_fails_at_upload_leaves_the_page_without_the_image(
    admin_client, client, issue, monkeypatch
):
    def broken_encoder(image, buffer):
        raise ValueError("encoder limit")

    monkeypatch.setattr(images, "_save_webp", broken_encoder)

    response = upload(admin_client, issue, "street.jpg", jpeg())

    assert response.status_code == 302
    for url in reader_pages(issue, issue.stories.get()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/media/renditions/" not in response.content.decode(), url


def test_renditions_are_made_by_the_editors_save_and_never_by_a_reader(
    admin_client, client, issue
):
    existing = stored_files()
    assert upload(admin_client, issue, "street.jpg", jpeg()).status_code == 302
    made = [n for n in stored_files().keys() - existing if n.startswith("renditions/")]
    assert len(made) == 6, "three widths in WebP and JPEG, made by the save"
    cache.clear()
    before = stored_files()

    for url in reader_pages(issue, issue.stories.get()):
        assert client.get(url).status_code == 200, url

    assert stored_files() == before, "a reader's request writes nothing"
    assert "<picture>" in client.get(issue.get_absolute_url()).content.decode()


def test_a_reader_does_not_remake_missing_renditions(admin_client, client, issue):
    existing = stored_files()
    assert upload(admin_client, issue, "street.jpg", jpeg()).status_code == 302
    for name in stored_files().keys() - existing:
        if name.startswith("renditions/"):
            default_storage.delete(name)
    cache.clear()
    before = stored_files()

    response = client.get(issue.get_absolute_url())

    assert response.status_code == 200
    assert 'class="lead-image"' not in response.content.decode()
    assert stored_files() == before


def test_an_uploaded_photo_is_stored_upright_without_gps_or_camera(admin_client, issue):
    assert upload(admin_client, issue, "street.jpg", camera_photo()).status_code == 302

    issue.refresh_from_db()
    with issue.lead_image.open() as file:
        raw = file.read()
    stored = Image.open(io.BytesIO(raw))
    exif = stored.getexif()
    assert GPS not in exif and MAKE not in exif and ORIENTATION not in exif
    assert b"Camera maker" not in raw
    assert stored.size == (900, 1600), "the orientation was applied"


def test_a_readers_request_for_the_original_is_a_404(admin_client, client, issue):
    assert upload(admin_client, issue, "street.jpg", camera_photo()).status_code == 302
    issue.refresh_from_db()
    renditions = page_renditions(client, issue)
    assert renditions

    original = client.get(issue.lead_image.url)

    assert original.status_code == 404
    assert all(client.get(url).status_code == 200 for url in renditions)
    assert admin_client.get(issue.lead_image.url).status_code == 200, (
        "the admin's link to the file still works for staff"
    )


def test_a_replaced_or_removed_image_is_no_longer_served(admin_client, client, issue):
    assert upload(admin_client, issue, "first.jpg", jpeg()).status_code == 302
    first = page_renditions(client, issue)
    assert (
        upload(admin_client, issue, "second.jpg", jpeg((1200, 800))).status_code == 302
    )
    second = page_renditions(client, issue)

    assert first and second and not set(first) & set(second)
    assert all(client.get(url).status_code == 404 for url in first)
    assert all(client.get(url).status_code == 200 for url in second)

    data = change_form_data(admin_client, issue, **{"lead_image-clear": "on"})
    assert admin_client.post(change_url(issue), data).status_code == 302
    assert all(client.get(url).status_code == 404 for url in second)


def test_a_drafts_renditions_are_only_for_staff_and_its_preview_link(
    admin_client, client, issue
):
    assert upload(admin_client, issue, "street.jpg", jpeg()).status_code == 302
    renditions = page_renditions(client, issue)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.DRAFT)

    assert all(client.get(url).status_code == 404 for url in renditions)
    staff = admin_client.get(renditions[0])
    assert staff.status_code == 200
    assert staff["Cache-Control"] == "private, no-store"

    issue.refresh_from_db()
    assert client.get(preview_path(issue)).status_code == 200
    assert all(client.get(url).status_code == 200 for url in renditions)


def test_a_share_card_is_served_only_by_its_own_view(client, issue):
    assert client.get(f"/issues/{issue.slug}/share.png").status_code == 200
    cards = [name for name in stored_files() if name.startswith("share/")]

    assert cards
    assert all(client.get(f"/media/{name}").status_code == 404 for name in cards)


def test_a_share_card_that_cannot_be_drawn_is_a_404_not_an_error(
    client, issue, monkeypatch
):
    def broken_card(*args):
        raise OSError("no space left on device")

    monkeypatch.setattr(images, "render_share_card", broken_card)

    assert client.get(f"/issues/{issue.slug}/share.png").status_code == 404
    assert client.get(issue.get_absolute_url()).status_code == 200
