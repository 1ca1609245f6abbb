"""Lead images: uploads are checked, and readers get small, clean renditions."""

import io

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issues import images
from tests.issues.admin_forms import change_form_data, change_url

pytestmark = pytest.mark.django_db


def image_bytes(size=(1600, 900), fmt="JPEG", mode="RGB", **save_options):
    buffer = io.BytesIO()
    Image.new(mode, size, "teal").save(buffer, fmt, **save_options)
    return buffer.getvalue()


def jpeg_with_exif(size=(1600, 900)):
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (10.0, 30.0, 0.0)}  # GPS latitude
    return image_bytes(size, exif=exif.tobytes())


def upload(client, issue, name, content, content_type="image/jpeg"):
    data = change_form_data(
        client,
        issue,
        lead_image=SimpleUploadedFile(name, content, content_type=content_type),
        lead_image_alt="A street in Caracas",
    )
    return client.post(change_url(issue), data)


def form_errors(response):
    assert response.status_code == 200, "the form is shown again"
    return response.context["adminform"].form.errors.get("lead_image", [])


@pytest.fixture
def issue(make_issue):
    return make_issue(headline="A week in Caracas")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notes.jpg", b"just some text, not an image", "is not an image we can use"),
        ("drawing.svg", SVG, "is not an image we can use"),
        ("page.png", b"<html><script>alert(1)</script></html>", "is not an image"),
        (
            "huge.png",
            b"\x89PNG\r\n\x1a\n" + b"\0" * (10 * 1024 * 1024),
            "an image may be at most 10",
        ),
    ],
)
def test_bad_uploads_get_a_clear_form_error(
    admin_client, issue, name, content, message
):
    response = upload(admin_client, issue, name, content)

    errors = form_errors(response)
    assert any(message in error for error in errors), errors
    issue.refresh_from_db()
    assert not issue.lead_image


def test_a_decompression_bomb_is_refused_without_being_decoded(admin_client, issue):
    bomb = image_bytes((12_000, 12_000), "PNG", mode="1")
    assert len(bomb) < 1024 * 1024, "a small file that decodes to 144 megapixels"

    errors = form_errors(upload(admin_client, issue, "bomb.png", bomb, "image/png"))

    assert any("the limit is 40 megapixels" in error for error in errors), errors


def test_an_image_over_40_megapixels_is_refused_with_its_size(admin_client, issue):
    big = image_bytes((9_000, 5_000), "PNG", mode="1")

    errors = form_errors(upload(admin_client, issue, "big.png", big, "image/png"))

    assert any("9000×5000 pixels" in error for error in errors), errors


def test_a_tiff_is_refused_by_name(admin_client, issue):
    tiff = image_bytes((100, 100), "TIFF")

    errors = form_errors(upload(admin_client, issue, "scan.tif", tiff, "image/tiff"))

    assert any("This is a TIFF file" in error for error in errors), errors


def test_a_good_photo_is_saved_and_shown_as_responsive_renditions(
    admin_client, client, issue
):
    response = upload(admin_client, issue, "street.jpg", jpeg_with_exif())

    assert response.status_code == 302, form_errors(response)
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "<picture>" in page
    assert 'type="image/webp"' in page
    assert "480w" in page and "800w" in page and "1200w" in page
    assert 'width="1200" height="675"' in page
    assert 'sizes="' in page
    assert 'alt="A street in Caracas"' in page


def test_renditions_are_webp_and_jpeg_at_fixed_widths_without_exif(issue):
    issue.lead_image.save("street.jpg", ContentFile(jpeg_with_exif()))
    storage = issue.lead_image.storage

    renditions = issue.lead_image_renditions()

    assert [(r.width, r.height) for r in renditions.items] == [
        (480, 270),
        (800, 450),
        (1200, 675),
    ]
    for rendition in renditions.items:
        for url, fmt in ((rendition.webp_url, "WEBP"), (rendition.jpeg_url, "JPEG")):
            name = url.split("/media/", 1)[1]
            with storage.open(name) as file:
                image = Image.open(file)
                assert image.format == fmt
                assert image.size == (rendition.width, rendition.height)
                assert not image.getexif(), "EXIF (camera, GPS) is stripped"


def test_renditions_are_made_once(issue):
    issue.lead_image.save("street.jpg", ContentFile(image_bytes()))
    first = issue.lead_image_renditions()
    name = first.largest.jpeg_url.split("/media/", 1)[1]
    storage = issue.lead_image.storage
    made_at = storage.get_modified_time(name)

    cache.clear()
    again = issue.lead_image_renditions()

    assert again == first
    assert storage.get_modified_time(name) == made_at


def test_a_small_image_is_never_upscaled(issue):
    issue.lead_image.save("small.png", ContentFile(image_bytes((600, 400), "PNG")))

    renditions = issue.lead_image_renditions()

    assert [r.width for r in renditions.items] == [480, 600]


def test_a_rotated_photo_keeps_its_orientation(issue):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise
    photo = image_bytes((1600, 900), exif=exif.tobytes())
    issue.lead_image.save("portrait.jpg", ContentFile(photo))

    renditions = issue.lead_image_renditions()

    assert renditions.largest.width == 900
    assert renditions.largest.height == 1600


def test_a_missing_file_leaves_the_page_without_the_image(client, issue):
    issue.lead_image.name = "issues/gone.jpg"
    issue.lead_image_alt = "Gone"
    issue.save()

    response = client.get(issue.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="lead-image"' not in page
    assert "/media/issues/gone.jpg" not in page


def test_renditions_are_served_as_images(client, issue):
    issue.lead_image.save("street.jpg", ContentFile(image_bytes()))
    renditions = issue.lead_image_renditions()

    for url, content_type in [
        (renditions.largest.webp_url, "image/webp"),
        (renditions.largest.jpeg_url, "image/jpeg"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == content_type
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "max-age=" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/issues/no-such-image.jpg",
        "/media/../tests/settings.py",
        "/media/%2e%2e/tests/settings.py",
        "/media/issues/",
        "/media/notes.html",
        "/media/drawing.svg",
    ],
)
def test_media_serves_nothing_but_existing_images(client, db, path):
    default_storage.save("notes.html", ContentFile(b"<script>alert(1)</script>"))
    default_storage.save("drawing.svg", ContentFile(SVG))

    assert client.get(path).status_code == 404


def test_an_uploaded_lead_image_gets_a_random_name_keeping_its_extension():
    first = images.lead_image_upload_path(None, "Secret Plans Photo.JPG")
    second = images.lead_image_upload_path(None, "Secret Plans Photo.JPG")

    assert first != second
    assert first.startswith("issues/") and first.endswith(".jpg")
    assert "Secret" not in first
    assert images.lead_image_upload_path(None, "no-extension").endswith(".img")
