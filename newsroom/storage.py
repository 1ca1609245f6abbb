"""Media in an S3-compatible bucket: private objects, and a public prefix.

Used when `AWS_STORAGE_BUCKET_NAME` is set (see settings.STORAGES); without it
media are files under MEDIA_ROOT, served by the media view as before.

- `PrivateMediaStorage` is the default storage: every upload, rendition and
  share card is stored with no ACL, in a bucket that grants the public
  nothing, so an object is readable only with the app's credentials. Its
  `url()` is the app's own media view (`/media/<name>`), never the bucket:
  that view decides who may see what, as it does for files on disk.
- `PublicMediaStorage` is the `public/` prefix of the same bucket, which the
  bucket policy (or the CDN in front of it, `AWS_S3_CUSTOM_DOMAIN`) lets
  anyone read. `issues.media` copies a public issue's renditions there when
  the issue goes public and deletes them when it stops being public.
"""

from django.urls import reverse
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from issues import images

PUBLIC_PREFIX = "public"
#: How long browsers and a CDN may keep a public copy; the media view says the same.
PUBLIC_CACHE_CONTROL = "public, max-age=86400"


class PrivateMediaStorage(S3Storage):
    """The bucket, with no object readable without the app's credentials."""

    def __init__(self, **settings):
        settings.setdefault("default_acl", None)
        # Links go through the media view, never to the bucket or the CDN.
        settings.setdefault("custom_domain", None)
        super().__init__(**settings)

    def url(self, name, parameters=None, expire=None, http_method=None):
        return reverse("media", kwargs={"path": clean_name(name)})

    def listdir(self, name):
        """The folders and files under `name`, leaving out the public copies.

        The copies are made again from the database (`issues.media`), so
        backups and the restore's empty-storage check look past them.
        """
        folders, files = super().listdir(name)
        if not clean_name(name).strip("/"):
            folders = [folder for folder in folders if folder != PUBLIC_PREFIX]
        return folders, files


class PublicMediaStorage(S3Storage):
    """The bucket's `public/` prefix, read by anyone at its plain URL or the CDN's."""

    def __init__(self, **settings):
        settings.setdefault("location", PUBLIC_PREFIX)
        settings.setdefault("default_acl", None)
        settings.setdefault("querystring_auth", False)
        settings.setdefault("file_overwrite", True)
        super().__init__(**settings)

    def copy_from(self, source, name):
        """Copy `source`'s object `name` here, inside the bucket (no bytes pass the app)."""
        suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
        self.bucket.meta.client.copy_object(
            Bucket=self.bucket_name,
            Key=self._normalize_name(clean_name(name)),
            CopySource={
                "Bucket": source.bucket_name,
                "Key": source._normalize_name(clean_name(name)),
            },
            MetadataDirective="REPLACE",
            ContentType=images.MEDIA_TYPES.get(suffix, "application/octet-stream"),
            CacheControl=PUBLIC_CACHE_CONTROL,
        )

    def delete_prefix(self, prefix):
        """Delete every object whose name starts with `prefix`; how many there were."""
        found = self.bucket.objects.filter(
            Prefix=self._normalize_name(clean_name(prefix))
        )
        keys = [{"Key": item.key} for item in found]
        for start in range(0, len(keys), 1000):
            self.bucket.delete_objects(Delete={"Objects": keys[start : start + 1000]})
        return len(keys)
