"""Signed, expiring preview links: show one issue, in any state, without an account.

A token is the issue's primary key signed with the project's SECRET_KEY, a
salt of its own and the time of signing (`django.core.signing`), so it cannot
be forged, altered or moved to another issue, is checked in constant time,
and stops working after `settings.PREVIEW_MAX_AGE` seconds. Unlike a preview
keyed by the issue's id alone, a leaked link dies by itself.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from issues.models import Issue

SALT = "issues.preview"


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def preview_token(issue: Issue) -> str:
    return _signer().sign(str(issue.pk))


def preview_path(issue: Issue) -> str:
    return reverse("issues:preview", kwargs={"token": preview_token(issue)})


def issue_from_token(token: str, queryset=None) -> Issue:
    """The issue `token` was signed for, from `queryset` (all issues by default).

    A forged, altered or expired token, or one for an issue that is gone,
    raises Http404: whoever holds a bad link learns nothing more.
    """
    try:
        pk = int(_signer().unsign(token, max_age=settings.PREVIEW_MAX_AGE))
    except (signing.BadSignature, ValueError):
        raise Http404("This preview link is not valid or has expired.") from None
    queryset = Issue.objects.all() if queryset is None else queryset
    try:
        return queryset.get(pk=pk)
    except Issue.DoesNotExist:
        raise Http404("This preview link is not valid or has expired.") from None


def token_expires_at(token: str) -> datetime:
    """When `token` stops working; call only after `issue_from_token` accepted it."""
    timestamp = token.rsplit(_signer().sep, 2)[1]
    signed_at = datetime.fromtimestamp(signing.b62_decode(timestamp), tz=UTC)
    return signed_at + timedelta(seconds=settings.PREVIEW_MAX_AGE)
