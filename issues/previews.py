"""Signed, expiring, revocable preview links: one issue, in any state, without an account.

A token is the issue's primary key and its preview key, signed with the
project's SECRET_KEY, a salt of its own and the time of signing
(`django.core.signing`), so it cannot be forged, altered or moved to another
issue, is checked in constant time, and stops working after
`settings.PREVIEW_MAX_AGE` seconds. Giving the issue a new preview key
(`Issue.revoke_preview_links()`, which unpublishing does too) kills every
link made before at once.

Tokens travel in the path, so the access log masks that part of it
(`newsroom.access_log`), and the preview page sends no referrer. The lead
image's renditions are fetched without the token, so the preview page also
leaves a signed cookie that the media view (`newsroom.views.media`) accepts.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from issues import images
from issues.models import Issue

SALT = "issues.preview"
IMAGE_SALT = "issues.preview-image"
#: Where every preview path starts; the access log masks what follows it.
PATH_PREFIX = "/preview/"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def preview_token(issue: Issue) -> str:
    return _signer().sign(f"{issue.pk}:{issue.preview_key}")


def preview_path(issue: Issue) -> str:
    return reverse("issues:preview", kwargs={"token": preview_token(issue)})


def issue_from_token(token: str, queryset=None) -> Issue:
    """The issue `token` was signed for, from `queryset` (all issues by default).

    A forged, altered, expired or revoked token, or one for an issue that is
    gone, raises Http404: whoever holds a bad link learns nothing more.
    """
    invalid = Http404("This preview link is not valid or has expired.")
    try:
        value = _signer().unsign(token, max_age=settings.PREVIEW_MAX_AGE)
        pk, key = value.split(":", 1)
        pk = int(pk)
    except (signing.BadSignature, ValueError):
        raise invalid from None
    queryset = Issue.objects.all() if queryset is None else queryset
    issue = queryset.filter(pk=pk).first()
    if issue is None or not constant_time_compare(key, issue.preview_key):
        raise invalid
    return issue


def token_expires_at(token: str) -> datetime:
    """When `token` stops working; call only after `issue_from_token` accepted it."""
    timestamp = token.rsplit(_signer().sep, 2)[1]
    signed_at = datetime.fromtimestamp(signing.b62_decode(timestamp), tz=UTC)
    return signed_at + timedelta(seconds=settings.PREVIEW_MAX_AGE)


def allow_preview_image(response, name, token):
    """Let the holder of a preview link load its lead image's renditions.

    The browser fetches them without the token, so the preview page leaves a
    signed cookie naming the image, for the rest of the link's life, and only
    on the renditions' path.
    """
    stem = images.original_stem(name)
    response.set_signed_cookie(
        _image_cookie(stem),
        stem,
        salt=IMAGE_SALT,
        max_age=max(0, int((token_expires_at(token) - timezone.now()).total_seconds())),
        path=reverse("media", kwargs={"path": "renditions/"}),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def previewed_image(request, stem) -> bool:
    """Whether this browser opened a preview link showing the image `stem`."""
    if not stem:
        return False
    found = request.get_signed_cookie(
        _image_cookie(stem),
        default=None,
        salt=IMAGE_SALT,
        max_age=settings.PREVIEW_MAX_AGE,
    )
    return found == stem


def _image_cookie(stem):
    return "preview-" + hashlib.sha256(stem.encode()).hexdigest()[:16]
