"""Which lead images readers fetch straight from the bucket, and when.

With media on the filesystem there is nothing to do here: every image is
served by the media view (`newsroom.views.media`), which checks on each
request that the issue is public, or that the browser is staff's or opened
the preview link.

With media in a bucket (`newsroom.storage`), every stored object is private
and still reached through that same view, except the renditions of public
issues: those are copied to the bucket's public prefix, which the bucket
policy or the CDN lets anyone read, and pages link there. The copies follow
the issue:

- Saving an issue that is public (publishing it, or replacing its image)
  copies its current image's renditions, once the transaction commits; a
  replaced or removed image's copies are deleted.
- Saving one that is not (a draft, in review, scheduled, unpublished), or
  deleting it, deletes its copies. Until its time comes, a scheduled issue's
  images stay private.
- A scheduled issue goes public with no save and no cron job, so the first
  page that shows it public makes the copies (`link`), then reads the issue
  again from the primary database: if it stopped being public meanwhile, the
  copies are deleted again. Until copies exist the page links to the media
  view, which serves a public issue's renditions to anyone.

The original upload and the share cards are never copied: no public page
links to an original, and the share card has its own view.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage, storages
from django.db import router, transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from issues import images
from issues.models import Issue

logger = logging.getLogger(__name__)

#: The alias in settings.STORAGES of the bucket's public prefix, when media
#: are in a bucket.
PUBLIC_STORAGE = "public_media"
#: Seconds a reader's page links the media view after failing to make copies.
RETRY_AFTER = 60


def public_storage():
    """The storage readers may fetch from directly, or None (media on disk)."""
    if PUBLIC_STORAGE not in settings.STORAGES:
        return None
    return storages[PUBLIC_STORAGE]


def link(issue):
    """The function that gives the URL of each of `issue`'s renditions.

    The public copy's URL (the CDN's, with `AWS_S3_CUSTOM_DOMAIN`) for a
    public issue whose copies exist or can be made now; otherwise the
    storage's own URL, the media view.
    """
    public = public_storage()
    if public is not None and issue.is_public and _ensure_public(issue):
        return public.url
    return default_storage.url


def _ensure_public(issue):
    key = _copied_key(issue.lead_image.name)
    copied = cache.get(key)
    if copied is not None:
        return copied is True
    names = images.rendition_names(issue.lead_image)
    if not names:
        return False
    try:
        _copy(names)
    except Exception:
        logger.warning(
            "Cannot make public copies of %s", issue.lead_image.name, exc_info=True
        )
        # Readers' pages do not wait on a failing bucket again for a while.
        cache.set(key, "failed", RETRY_AFTER)
        return False
    if not _shown_publicly(issue.lead_image.name):
        _withdraw(issue.lead_image.name)
        return False
    cache.set(key, True, None)
    return True


def _copy(names):
    public = public_storage()
    for name in names:
        public.copy_from(default_storage, name)


def _withdraw(name):
    """Delete the public copies of the image stored at `name`'s renditions.

    Kept while another public issue shows the same image.
    """
    public = public_storage()
    if public is None or not name:
        return
    if _shown_publicly(name):
        return
    cache.delete(_copied_key(name))
    stem = images.original_stem(name)
    public.delete_prefix(f"renditions/{stem}-")


def _shown_publicly(name):
    """Whether a public issue shows the image `name`, as the primary database says."""
    primary = router.db_for_write(Issue)
    return Issue.objects.using(primary).published().filter(lead_image=name).exists()


def _copied_key(name):
    return f"public-media:v1:{name}"


def sync(issue, previous="", was_public=True):
    """Make the bucket's public copies match what `issue` now shows the public.

    `previous` is the image the issue had before this save and `was_public`
    whether it was public then: an issue that was not has no copies to
    delete (a draft is autosaved every half minute; that costs nothing here).
    """
    current = issue.lead_image.name if issue.lead_image else ""
    if previous and previous != current:
        _withdraw(previous)
    if not current:
        return
    if issue.is_public:
        names = images.rendition_names(issue.lead_image)
        if names:
            _copy(names)
            cache.set(_copied_key(current), True, None)
    elif was_public:
        _withdraw(current)


def sync_public():
    """Copy the renditions of every public issue with an image; how many issues.

    `restore` runs it: backups leave the public copies out (they are the
    database's to decide), so a restored bucket gets them from here. Their
    stored bodies are emptied too: their image links name the bucket they
    were rendered with.
    """
    from issues import snapshots

    if public_storage() is None:
        return 0
    synced = []
    for issue in Issue.objects.published().exclude(lead_image=""):
        sync(issue)
        synced.append(issue.pk)
    snapshots.empty(synced)
    return len(synced)


def _sync_after_commit(issue, previous, was_public):
    def run():
        try:
            sync(issue, previous, was_public)
        except Exception:
            # Pages fall back to the media view; the next save tries again.
            logger.exception("Cannot update the public copies of issue %s", issue.pk)

    transaction.on_commit(run)


@receiver(pre_save, sender=Issue, dispatch_uid="issues.media.remember")
def _remember_previous_image(sender, instance, raw=False, **kwargs):
    if raw or public_storage() is None or instance.pk is None:
        return
    stored = (
        Issue.objects.filter(pk=instance.pk)
        .values_list("lead_image", "status", "published_at")
        .first()
    )
    if stored is not None:
        name, status, published_at = stored
        was_public = (
            status == Issue.Status.PUBLISHED
            and published_at is not None
            and published_at <= timezone.now()
        )
        instance._stored_media = (name or "", was_public)


@receiver(post_save, sender=Issue, dispatch_uid="issues.media.saved")
def _issue_saved(sender, instance, raw=False, **kwargs):
    if raw or public_storage() is None:
        return
    previous, was_public = getattr(instance, "_stored_media", ("", False))
    _sync_after_commit(instance, previous, was_public)


@receiver(post_delete, sender=Issue, dispatch_uid="issues.media.deleted")
def _issue_deleted(sender, instance, **kwargs):
    if public_storage() is None or not instance.lead_image:
        return
    name = instance.lead_image.name
    transaction.on_commit(lambda: _withdraw(name))
