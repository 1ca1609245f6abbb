"""Contributors' photos: uploaded in the admin with the lead images' safety,
shown on their page and beside their bylines, to readers only once public."""

import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from issues import images
from issues.models import Issue
from issues.previews import preview_path
from stories.models import Byline, Contributor

pytestmark = pytest.mark.django_db

GPS, MAKE, ORIENTATION = 0x8825, 0x010F, 0x0112


def jpeg(size=(600, 800), exif=None, colour="teal"):
    buffer = io.BytesIO()
    options = {"exif": exif.tobytes()} if exif is not None else {}
    Image.new("RGB", size, colour).save(buffer, "JPEG", **options)
    return buffer.getvalue()


def camera_portrait():
    """A 1600×900 JPEG as a phone writes it: GPS, camera make, turned on its side."""
    exif = Image.Exif()
    exif[MAKE] = "Camera maker"
    exif[GPS] = {1: "N", 2: (10.0, 30.0, 0.0), 3: "W", 4: (66.0, 55.0, 0.0)}
    exif[ORIENTATION] = 6
    return jpeg((1600, 900), exif=exif)


def add_url():
    return reverse("admin:stories_contributor_add")


def change_url(contributor):
    return reverse("admin:stories_contributor_change", args=[contributor.pk])


def post_photo(client, content, name="portrait.jpg", contributor=None, **fields):
    data = {
        "name": "Ana Pérez",
        "slug": "ana-perez",
        "bio": "",
        "links": "",
        "photo": SimpleUploadedFile(name, content),
        **fields,
    }
    url = change_url(contributor) if contributor else add_url()
    return client.post(url, data)


def stored_photos():
    if not default_storage.exists("contributors"):
        return []
    return sorted(default_storage.listdir("contributors")[1])


def photo_urls(client, path):
    """The photo rendition URLs that a reader's page links to."""
    page = client.get(path).content.decode()
    return sorted(set(re.findall(r"/media/renditions/contributors/[^\"\s,]+", page)))


@pytest.fixture
def published(make_issue, make_story):
    issue = make_issue(headline="A week in Caracas")
    story = make_story(issue=issue, headline="Key takeaways", slug="key-takeaways")
    return issue, story


@pytest.fixture
def credited(admin_client, published):
    """Ana, with a photo uploaded in the admin, credited on a published issue and story."""
    issue, story = published
    assert post_photo(admin_client, camera_portrait()).status_code == 302
    ana = Contributor.objects.get(slug="ana-perez")
    Byline.objects.create(issue=issue, contributor=ana)
    Byline.objects.create(issue=issue, story=story, contributor=ana, role="Reported by")
    return ana


def test_an_uploaded_photo_is_stored_upright_without_gps_or_camera(credited):
    with credited.photo.open() as file:
        raw = file.read()
    stored = Image.open(io.BytesIO(raw))
    exif = stored.getexif()

    assert GPS not in exif and MAKE not in exif and ORIENTATION not in exif
    assert b"Camera maker" not in raw
    assert stored.size == (900, 1600), "the orientation was applied"
    assert credited.photo.name.startswith("contributors/")
    assert "portrait" not in credited.photo.name, "a random name, not the file's"


def test_its_square_renditions_are_made_by_the_editors_save(credited):
    stem = images.original_stem(credited.photo.name)
    for side in (96, 240, 480):
        for ext in ("webp", "jpg"):
            name = f"renditions/{stem}-{side}sq.{ext}"
            assert default_storage.exists(name), name
            with default_storage.open(name) as file:
                assert Image.open(file).size == (side, side)


def test_the_contributor_page_shows_the_photo_with_their_name_as_alt_text(
    client, credited
):
    page = client.get(credited.get_absolute_url()).content.decode()

    photo = re.search(r'<picture class="contributor-photo">.*?</picture>', page)
    assert photo, "the page shows the photo"
    assert 'alt="Ana Pérez"' in photo[0]
    assert "-480sq.jpg" in photo[0] and "-240sq.webp 240w" in photo[0]
    for url in photo_urls(client, credited.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] in ("image/jpeg", "image/webp")


def test_bylines_carry_the_photo_small_on_the_issue_and_story_pages_not_in_feeds(
    client, credited, published
):
    issue, story = published
    for path in (issue.get_absolute_url(), story.get_absolute_url()):
        page = client.get(path).content.decode()
        byline = re.search(r'<p class="byline">.*?</p>', page, re.S)[0]
        assert 'class="byline-photo"' in byline, path
        assert "-96sq.jpg" in byline and "-96sq.webp" in byline, path
        assert ">Ana Pérez</a>" in byline, (
            "the name is the link's text, after the photo"
        )
    for path in ("/feed/", "/feed/atom/"):
        assert (
            "/media/renditions/contributors/" not in client.get(path).content.decode()
        )


def test_the_json_ld_gives_the_persons_photo(client, credited, published):
    issue, _ = published
    page = client.get(issue.get_absolute_url()).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1]
    )

    (person,) = data["author"]
    assert person["name"] == "Ana Pérez"
    assert re.fullmatch(
        r"http://testserver/media/renditions/contributors/\w+-480sq\.jpg",
        person["image"],
    )
    assert (
        client.get(person["image"].removeprefix("http://testserver")).status_code == 200
    )


def test_the_original_is_only_for_staff(admin_client, client, credited):
    assert client.get(credited.photo.url).status_code == 404
    assert admin_client.get(credited.photo.url).status_code == 200


def test_a_photo_of_someone_credited_only_on_a_draft_is_for_staff_and_its_preview(
    admin_client, client, make_issue
):
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    assert post_photo(admin_client, jpeg()).status_code == 302
    ana = Contributor.objects.get(slug="ana-perez")
    Byline.objects.create(issue=draft, contributor=ana)
    renditions = photo_urls(admin_client, preview_path(draft))
    assert renditions, "the preview shows the byline's photo"

    assert client.get(ana.get_absolute_url()).status_code == 404
    assert all(client.get(url).status_code == 404 for url in renditions)
    staff = admin_client.get(renditions[0])
    assert staff.status_code == 200 and staff["Cache-Control"] == "private, no-store"
    assert client.get(preview_path(draft)).status_code == 200
    assert all(client.get(url).status_code == 200 for url in renditions)


def test_a_replaced_or_removed_photo_is_no_longer_served(
    admin_client, client, credited
):
    first = photo_urls(client, credited.get_absolute_url())
    response = post_photo(
        admin_client, jpeg((500, 500), colour="navy"), contributor=credited
    )
    assert response.status_code == 302
    second = photo_urls(client, credited.get_absolute_url())

    assert first and second and not set(first) & set(second)
    assert all(client.get(url).status_code == 404 for url in first)
    assert all(client.get(url).status_code == 200 for url in second)

    data = {"name": "Ana Pérez", "slug": "ana-perez", "photo-clear": "on"}
    assert admin_client.post(change_url(credited), data).status_code == 302
    assert photo_urls(client, credited.get_absolute_url()) == []
    assert all(client.get(url).status_code == 404 for url in second)


@pytest.mark.parametrize(
    "content, message",
    [
        (jpeg((1000, 300)), "a contributor&#x27;s photo may be at most 2 times"),
        (jpeg((300, 13_000)), "each side may be at most 12,000 pixels"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>",
            "not an image we can use",
        ),
        (jpeg()[:-200], "damaged or incomplete"),
    ],
    ids=["too wide", "too tall", "svg", "cut short"],
)
def test_a_photo_out_of_bounds_or_broken_gets_a_clear_form_error(
    admin_client, content, message
):
    before = stored_photos()
    response = post_photo(admin_client, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contributor.objects.exists()
    assert stored_photos() == before, "nothing was stored"


def test_a_file_over_the_size_limit_is_refused(admin_client, monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 10_000)
    response = post_photo(admin_client, jpeg((2000, 2000)) + b"\0" * 20_000)

    assert response.status_code == 200
    assert "an image may be at most 9.8\xa0KB" in response.content.decode()


def test_a_reader_never_makes_a_missing_rendition(client, credited):
    stem = images.original_stem(credited.photo.name)
    default_storage.delete(f"renditions/{stem}-96sq.webp")
    cache.clear()

    page = client.get(credited.get_absolute_url()).content.decode()

    assert "contributor-photo" not in page, "the page goes without the photo"
    assert not default_storage.exists(f"renditions/{stem}-96sq.webp")
    credited.save()
    assert default_storage.exists(f"renditions/{stem}-96sq.webp"), "the editor's save"


def test_photos_go_through_the_default_storage(admin_client, client, published):
    """Media may move to a bucket: nothing reads or writes the media folder itself."""
    issue, _ = published
    memory = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    with override_settings(STORAGES=memory):
        assert post_photo(admin_client, jpeg()).status_code == 302
        ana = Contributor.objects.get(slug="ana-perez")
        Byline.objects.create(issue=issue, contributor=ana)
        assert default_storage.exists(ana.photo.name)
        assert not (Path(settings.MEDIA_ROOT) / ana.photo.name).exists()
        urls = photo_urls(client, ana.get_absolute_url())
        assert urls
        assert all(client.get(url).status_code == 200 for url in urls)
    cache.clear()
