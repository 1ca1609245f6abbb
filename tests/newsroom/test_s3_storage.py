"""Media in an S3-compatible bucket, against a real S3 API on loopback (moto's server).

The bucket is set up as the README asks: private, with a policy that lets
anyone read `public/*` and nothing else. Readers' requests are made as a
browser makes them: an HTTP GET with no credentials, straight to the bucket
(or the CDN domain, here the same server). Everything an issue does goes
through the admin, as an editor does it.
"""

import base64
import io
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from moto.server import ThreadedMotoServer
from PIL import Image

from issues.models import Issue
from newsroom.settings import bucket_origins
from tests.issues.admin_forms import change_form_data, change_url
from tests.issues.test_images import image_bytes
from tests.ops import test_backup
from tests.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}

pytestmark = pytest.mark.django_db(transaction=True)

#: A new, empty database to restore into (SQLite or PostgreSQL, as the run's).
new_site = test_backup.new_site


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server on a free loopback port; its endpoint URL."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def public_prefix_policy(bucket):
    """The README's bucket policy: anyone may read public/*, nothing else."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "PublicCopiesOfPublishedImages",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/public/*",
                }
            ],
        }
    )


def make_bucket(endpoint):
    name = f"media-{uuid.uuid4().hex[:12]}"
    client = s3_client(endpoint)
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=public_prefix_policy(name))
    return name


def bucket_environment(endpoint, bucket):
    """The environment of a site whose media are in `bucket`, its CDN domain
    the server itself (a CDN serves the bucket's paths as they are)."""
    host = endpoint.removeprefix("http://")
    return {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        "AWS_S3_CUSTOM_DOMAIN": f"{host}/{bucket}",
        "AWS_S3_URL_PROTOCOL": "http:",
        **CREDENTIALS,
    }


@pytest.fixture
def bucket(s3_server, settings):
    """A new bucket that the site's media go to, as AWS_STORAGE_BUCKET_NAME does."""
    name = make_bucket(s3_server)
    for setting, value in bucket_environment(s3_server, name).items():
        setattr(settings, setting, value)
    settings.AWS_DEFAULT_ACL = None
    policy = settings.CONTENT_SECURITY_POLICY
    directives = policy["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {
        **policy,
        "DIRECTIVES": {
            **directives,
            "img-src": directives["img-src"]
            + bucket_origins(
                name,
                settings.AWS_S3_ENDPOINT_URL,
                settings.AWS_S3_CUSTOM_DOMAIN,
                settings.AWS_S3_URL_PROTOCOL,
            ),
        },
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "newsroom.storage.PrivateMediaStorage"},
        "public_media": {"BACKEND": "newsroom.storage.PublicMediaStorage"},
    }
    return name


def keys(endpoint, bucket, prefix=""):
    listing = s3_client(endpoint).list_objects_v2(Bucket=bucket, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def anonymous_get(url):
    """A GET with no credentials, as a reader's browser sends it: (status, type, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def bucket_url(endpoint, bucket, key):
    return f"{endpoint}/{bucket}/{key}"


def image_urls(html):
    """Every URL in the page's `srcset`s and `src`s of the lead image."""
    urls = set()
    for part in html.split('srcset="')[1:]:
        for candidate in part.split('"', 1)[0].split(","):
            urls.add(candidate.strip().split(" ")[0])
    return sorted(urls)


@pytest.fixture
def ready_issue(make_issue, make_story, make_read):
    """A draft the checklist lets an editor publish."""

    def make(**overrides):
        fields = {
            "status": Issue.Status.DRAFT,
            "published_at": None,
            "headline": "The Carter Center says goodbye",
            "channel_url": "https://t.me/nowwhatvenezuela",
        }
        issue = make_issue(**{**fields, **overrides})
        make_story(issue=issue, headline="A damning verdict", body="<p>Text.</p>")
        make_read(issue=issue)
        return issue

    return make


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


def upload(client, issue, size=(1600, 900), **changes):
    data = change_form_data(
        client,
        issue,
        lead_image=SimpleUploadedFile(
            "street.jpg", image_bytes(size), content_type="image/jpeg"
        ),
        lead_image_alt="A street in Caracas",
        **changes,
    )
    response = client.post(change_url(issue), data, follow=True)
    assert response.status_code == 200
    assert not response.context.get("errors"), response.context.get("errors")
    issue.refresh_from_db()
    assert issue.lead_image, "the upload was stored"
    return response


def press(client, issue, transition, **changes):
    data = change_form_data(client, issue, transition=transition, **changes)
    response = client.post(change_url(issue), data, follow=True)
    assert response.status_code == 200
    issue.refresh_from_db()
    return response


def preview_url(issue):
    from issues.previews import preview_path

    return preview_path(issue)


def test_a_lead_image_uploaded_in_the_admin_is_stored_in_the_bucket_with_renditions(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue()

    upload(editor_client, issue)

    stem = issue.lead_image.name.rsplit(".", 1)[0]
    assert keys(s3_server, bucket) == sorted(
        [issue.lead_image.name]
        + [f"renditions/{stem}-{w}w.{ext}" for w in (480, 800, 1200) for ext in ("jpg", "webp")]
    )  # fmt: skip
    assert keys(s3_server, bucket, "public/") == [], "a draft has no public copies"
    # The admin links the original through the app's media view, never the bucket.
    page = editor_client.get(change_url(issue)).content.decode()
    assert f'href="/media/{issue.lead_image.name}"' in page
    original = editor_client.get(f"/media/{issue.lead_image.name}")
    assert original.status_code == 200
    assert original["Content-Type"] == "image/jpeg"


def test_a_draft_s_media_are_refused_to_anonymous_readers_of_the_bucket(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue()
    upload(editor_client, issue)

    stored = keys(s3_server, bucket)
    assert len(stored) == 7
    for key in stored:
        status, _, body = anonymous_get(bucket_url(s3_server, bucket, key))
        assert status == 403, key
        assert b"\xff\xd8" not in body[:4] and b"RIFF" not in body[:4]
    # Nor through the app: no public page shows it, and the media view says 404.
    reader = Client()
    assert reader.get(issue.get_absolute_url()).status_code == 404
    for key in stored:
        assert reader.get(f"/media/{key}").status_code == 404, key


def test_the_preview_link_and_staff_see_a_draft_s_renditions_through_the_app(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue()
    upload(editor_client, issue)

    holder = Client()
    page = holder.get(preview_url(issue))
    assert page.status_code == 200
    urls = image_urls(page.content.decode())
    assert urls and all(url.startswith("/media/renditions/") for url in urls), urls
    for url in urls:
        image = holder.get(url)
        assert image.status_code == 200, url
        assert image["Content-Type"] in ("image/webp", "image/jpeg")
        assert image["Cache-Control"] == "private, no-store"
        assert editor_client.get(url).status_code == 200
        assert Client().get(url).status_code == 404, "without the preview's cookie"


def test_publishing_makes_the_renditions_public_and_unpublishing_withdraws_them(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue()
    upload(editor_client, issue)
    stem = issue.lead_image.name.rsplit(".", 1)[0]
    cdn = f"{s3_server}/{bucket}/public/renditions/{stem}"

    press(editor_client, issue, "publish")

    assert issue.is_public
    response = Client().get(issue.get_absolute_url())
    html = response.content.decode()
    img_src = response["Content-Security-Policy"].split("img-src ", 1)[1].split(";")[0]
    assert s3_server in img_src.split(), "browsers may load the images"
    urls = image_urls(html)
    assert urls == sorted(
        f"{cdn}-{w}w.{ext}" for w in (480, 800, 1200) for ext in ("jpg", "webp")
    )
    assert f'<img src="{cdn}-1200w.jpg"' in html
    for url in urls:
        status, content_type, body = anonymous_get(url)
        assert status == 200, url
        assert content_type == ("image/webp" if url.endswith(".webp") else "image/jpeg")
        assert body[:4] in (b"RIFF", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xdb")
    # Once the copies are made, rendering the page asks nothing of the bucket.
    sent = []
    for storage in (default_storage, storages["public_media"]):
        storage.connection.meta.client.meta.events.register(
            "before-send.s3", lambda request, **kwargs: sent.append(request.url)
        )
    uncached = Client()
    uncached.cookies["sessionid"] = "a session skips the page cache"
    assert image_urls(uncached.get(issue.get_absolute_url()).content.decode()) == urls
    assert sent == []
    assert default_storage.exists(issue.lead_image.name) and sent, "requests are seen"
    # The original and the private renditions stay private.
    for key in keys(s3_server, bucket):
        if not key.startswith("public/"):
            assert anonymous_get(bucket_url(s3_server, bucket, key))[0] == 403, key

    press(editor_client, issue, "unpublish")

    assert Client().get(issue.get_absolute_url()).status_code == 404
    assert keys(s3_server, bucket, "public/") == []
    for url in urls:
        # Gone: AWS answers 403 to anonymous readers for a missing key, moto 404.
        assert anonymous_get(url)[0] in (403, 404), url


def test_a_scheduled_issue_s_images_stay_private_until_its_time_comes(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue(status=Issue.Status.IN_REVIEW)
    upload(editor_client, issue)
    in_a_day = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    press(editor_client, issue, "schedule", publish_at=in_a_day)

    assert issue.is_scheduled
    assert keys(s3_server, bucket, "public/") == []
    assert Client().get(issue.get_absolute_url()).status_code == 404

    # Its time comes, with no save and no cron job.
    Issue.objects.filter(pk=issue.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    html = Client().get(issue.get_absolute_url()).content.decode()

    urls = image_urls(html)
    assert urls and all(url.startswith(f"{s3_server}/{bucket}/public/") for url in urls)
    assert all(anonymous_get(url)[0] == 200 for url in urls)


def test_a_page_rendered_as_the_issue_is_unpublished_leaves_no_public_copies(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue(status=Issue.Status.IN_REVIEW)
    upload(editor_client, issue)
    in_a_day = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    press(editor_client, issue, "schedule", publish_at=in_a_day)
    Issue.objects.filter(pk=issue.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    # A reader's request read the issue public; the editor's unpublish
    # commits before that request's page makes the copies.
    seen_by_reader = Issue.objects.get(pk=issue.pk)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.UNPUBLISHED)

    renditions = seen_by_reader.lead_image_renditions()

    assert renditions.largest.jpeg_url.startswith("/media/renditions/")
    assert keys(s3_server, bucket, "public/") == []


def test_when_the_bucket_refuses_the_copies_the_page_shows_its_image_through_the_app(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue(status=Issue.Status.IN_REVIEW)
    upload(editor_client, issue)
    in_a_day = (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    press(editor_client, issue, "schedule", publish_at=in_a_day)
    policy = json.loads(public_prefix_policy(bucket))
    policy["Statement"].append(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/public/*",
        }
    )
    s3_client(s3_server).put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    Issue.objects.filter(pk=issue.pk).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )

    reader = Client()
    urls = image_urls(reader.get(issue.get_absolute_url()).content.decode())

    assert urls and all(url.startswith("/media/renditions/") for url in urls), urls
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=86400"
    # The next page within the minute does not wait on the bucket again.
    sent = []
    default_storage.connection.meta.client.meta.events.register(
        "before-send.s3", lambda request, **kwargs: sent.append(request.url)
    )
    storages["public_media"].connection.meta.client.meta.events.register(
        "before-send.s3", lambda request, **kwargs: sent.append(request.url)
    )
    uncached = Client()
    uncached.cookies["sessionid"] = "a session skips the page cache"
    assert image_urls(uncached.get(issue.get_absolute_url()).content.decode()) == urls
    assert sent == []


def test_a_replaced_image_s_public_copies_are_withdrawn(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue()
    upload(editor_client, issue)
    press(editor_client, issue, "publish")
    old = image_urls(Client().get(issue.get_absolute_url()).content.decode())
    assert all(anonymous_get(url)[0] == 200 for url in old)

    upload(editor_client, issue, size=(1000, 800))

    new = image_urls(Client().get(issue.get_absolute_url()).content.decode())
    assert new and not set(new) & set(old)
    assert all(anonymous_get(url)[0] == 200 for url in new)
    assert all(anonymous_get(url)[0] in (403, 404) for url in old)
    stem = issue.lead_image.name.rsplit(".", 1)[0]
    assert keys(s3_server, bucket, "public/") == sorted(
        f"public/renditions/{stem}-{w}w.{ext}" for w in (480, 800, 1000) for ext in ("jpg", "webp")
    )  # fmt: skip


def test_deleting_a_public_issue_withdraws_its_public_copies(
    s3_server, bucket, editor_client, ready_issue
):
    issue = ready_issue()
    upload(editor_client, issue)
    press(editor_client, issue, "publish")
    assert keys(s3_server, bucket, "public/")

    issue.delete()

    assert keys(s3_server, bucket, "public/") == []


def test_a_contributor_s_photo_is_stored_privately_and_served_through_the_app(
    s3_server, bucket, editor_client, ready_issue
):
    from stories.models import Byline, Contributor

    issue = ready_issue(
        status=Issue.Status.PUBLISHED, published_at=timezone.now() - timedelta(hours=1)
    )
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), "teal").save(buffer, "JPEG")
    response = editor_client.post(
        reverse("admin:stories_contributor_add"),
        {
            "name": "Ana Pérez",
            "slug": "ana-perez",
            "photo": SimpleUploadedFile("ana.jpg", buffer.getvalue()),
        },
    )
    assert response.status_code == 302
    ana = Contributor.objects.get(slug="ana-perez")
    Byline.objects.create(issue=issue, contributor=ana)

    stem = ana.photo.name.rsplit(".", 1)[0]
    assert keys(s3_server, bucket, "renditions/contributors/") == sorted(
        f"renditions/{stem}-{side}sq.{ext}" for side in (96, 240, 480) for ext in ("jpg", "webp")
    )  # fmt: skip
    for key in [ana.photo.name, *keys(s3_server, bucket, "renditions/contributors/")]:
        assert anonymous_get(bucket_url(s3_server, bucket, key))[0] == 403, key
    reader = Client()
    urls = image_urls(reader.get(ana.get_absolute_url()).content.decode())
    assert urls and all(
        url.startswith("/media/renditions/contributors/") for url in urls
    )
    for url in urls:
        image = reader.get(url)
        assert image.status_code == 200, url
        assert image["Content-Type"] in ("image/webp", "image/jpeg")
    assert reader.get(f"/media/{ana.photo.name}").status_code == 404, "the original"


def test_the_share_card_is_stored_privately_and_served_by_its_view(
    s3_server, bucket, make_issue
):
    issue = make_issue(headline="A card drawn for an issue without a photo")
    reader = Client()

    page = reader.get(issue.get_absolute_url()).content.decode()
    card_url = f"/issues/{issue.slug}/share.png"
    assert f'content="http://testserver{card_url}"' in page
    response = reader.get(card_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    (card,) = keys(s3_server, bucket, "share/")
    assert anonymous_get(bucket_url(s3_server, bucket, card))[0] == 403
    draft = make_issue(status=Issue.Status.DRAFT, published_at=None)
    assert reader.get(f"/issues/{draft.slug}/share.png").status_code == 404


def test_media_view_of_an_unreachable_bucket_is_a_missing_image_not_an_error(
    settings, bucket, make_issue, admin_client
):
    settings.AWS_S3_ENDPOINT_URL = f"http://127.0.0.1:{free_port()}"
    settings.STORAGES = {**settings.STORAGES}  # new storage objects, new endpoint

    response = admin_client.get("/media/issues/2026/12/nothing.jpg")

    assert response.status_code == 404


# Backup from a bucket, restore into a fresh empty one.


def manage(env, *arguments):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=dict(env, DJANGO_SETTINGS_MODULE="newsroom.settings", DEBUG="0"),
        capture_output=True,
        text=True,
        timeout=600,
    )


def objects(endpoint, bucket):
    client = s3_client(endpoint)
    return {
        key: client.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in keys(endpoint, bucket)
    }


def test_backup_reads_the_bucket_and_restore_fills_a_fresh_empty_one(
    s3_server, bucket, editor_client, ready_issue, new_site, tmp_path
):
    published = ready_issue(headline="Published with a photo")
    upload(editor_client, published)
    press(editor_client, published, "publish")
    draft = ready_issue(headline="A draft with a photo")
    upload(editor_client, draft, size=(900, 600))
    card = Client().get(f"/issues/{published.slug}/share.png")
    assert card.status_code == 200
    source = objects(s3_server, bucket)
    private = {
        key: data for key, data in source.items() if not key.startswith("public/")
    }
    assert len(private) == 7 + 7 + 1, "two originals, six renditions each, a card"
    archive = tmp_path / "site.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())

    target_bucket = make_bucket(s3_server)
    target = {**new_site("s3"), **bucket_environment(s3_server, target_bucket)}
    result = manage(target, "restore", str(archive))

    assert result.returncode == 0, result.stderr
    assert "15 media files restored" in result.stdout
    assert "The images of 1 public issues copied" in result.stdout
    restored = objects(s3_server, target_bucket)
    assert {k: v for k, v in restored.items() if not k.startswith("public/")} == private
    public_keys = sorted(k for k in restored if k.startswith("public/"))
    stem = published.lead_image.name.rsplit(".", 1)[0]
    assert public_keys == sorted(
        f"public/renditions/{stem}-{w}w.{ext}" for w in (480, 800, 1200) for ext in ("jpg", "webp")
    )  # fmt: skip
    for key in public_keys:
        status, _, body = anonymous_get(bucket_url(s3_server, target_bucket, key))
        assert status == 200, key
        assert body == source[key.removeprefix("public/")]
    draft_stem = draft.lead_image.name.rsplit(".", 1)[0]
    for key in restored:
        if draft_stem in key:
            assert anonymous_get(bucket_url(s3_server, target_bucket, key))[0] == 403
    # The restored site links its published issue's images at the new bucket.
    page = subprocess.run(
        [sys.executable, "-m", "tests.ops.site_snapshot", published.get_absolute_url()],
        cwd=ROOT,
        env=dict(target, DJANGO_SETTINGS_MODULE="tests.settings"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert page.returncode == 0, page.stderr
    snapshot = json.loads(page.stdout)
    assert set(snapshot["media"]) == set(private)
    html = base64.b64decode(
        snapshot["pages"][published.get_absolute_url()]["body"]
    ).decode()
    urls = image_urls(html)
    assert urls and all(f"/{target_bucket}/public/renditions/" in u for u in urls)
    assert all(anonymous_get(url)[0] == 200 for url in urls)


def test_the_email_edition_of_a_public_issue_shows_its_image_from_the_cdn(
    s3_server, bucket, editor_client, ready_issue, mailoutbox
):
    issue = ready_issue()
    upload(editor_client, issue)
    press(editor_client, issue, "publish")
    cdn = f"{s3_server}/{bucket}/public/renditions/"

    call_command(
        "send_edition",
        issue.slug,
        "--test-to",
        "editor@example.org",
        stdout=io.StringIO(),
    )

    (message,) = mailoutbox
    html = message.alternatives[0][0]
    image = html.split('<img src="', 1)[1].split('"', 1)[0]
    assert image.startswith(cdn) and image.endswith("-1200w.jpg"), image
    assert anonymous_get(image)[0] == 200


ENVIRONMENT_TO_STORAGE = (
    "import django; from django.conf import settings; django.setup(); "
    "from django.core.files.storage import default_storage, storages; "
    "print(type(storages['default']).__name__, type(storages['public_media']).__name__); "
    "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']); "
    "print(storages['public_media'].url('renditions/a-480w.webp')); "
    "print(default_storage.url('renditions/a-480w.webp'))"
)


@pytest.mark.parametrize(
    "env, origin, public_url",
    [
        (
            {"AWS_S3_CUSTOM_DOMAIN": "media.example.org"},
            "https://media.example.org",
            "https://media.example.org/public/renditions/a-480w.webp",
        ),
        (
            {"AWS_S3_ENDPOINT_URL": "https://objects.example.net"},
            "https://objects.example.net",
            "https://objects.example.net/newsroom-media/public/renditions/a-480w.webp",
        ),
        (
            {"AWS_S3_REGION_NAME": "eu-west-1"},
            "https://newsroom-media.s3.eu-west-1.amazonaws.com",
            "amazonaws.com/public/renditions/a-480w.webp",
        ),
    ],
)
def test_the_bucket_is_configured_from_the_environment(env, origin, public_url):
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="1",
        AWS_STORAGE_BUCKET_NAME="newsroom-media",
        **CREDENTIALS,
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", ENVIRONMENT_TO_STORAGE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    classes, img_src, public, private = result.stdout.splitlines()
    assert classes == "PrivateMediaStorage PublicMediaStorage"
    assert origin in img_src
    assert public.endswith(public_url) and "Signature" not in public, public
    assert private == "/media/renditions/a-480w.webp", (
        "private objects go through the app"
    )


def test_without_a_bucket_media_stay_files_in_media_root():
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith("AWS_")
    }
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", DEBUG="1")
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "from django.core.files.storage import storages; "
        "print(type(storages['default']).__name__, sorted(settings.STORAGES)); "
        "print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "FileSystemStorage ['default', 'staticfiles']",
        "[\"'self'\", 'data:']",
    ]
