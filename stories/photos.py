"""Contributors' photos: the lead images' upload checks, square renditions.

A photo is held to the same checks as a lead image (`issues.images`): its
size, real format, pixel count and sides are read from the header before
anything is decoded, and the stored original is turned upright and
re-encoded without EXIF, XMP or comments, so no camera or GPS position is
kept. Its shape is tighter: at most twice as tall as wide, or as wide as
tall, since it is shown cropped to a square.

Renditions are square, cropped from the middle, at a few fixed sizes in
WebP and JPEG, made in the editor's request when the photo is stored or the
contributor saved (`make_renditions`); a reader's request only looks them up
(`renditions`), never decodes nor writes anything, and a photo that cannot
be rendered leaves the page without it. Everything goes through the field's
storage (the default storage: the media folder, or a bucket).
"""

import io
import logging
import re
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.db import models
from PIL import Image, ImageOps

from issues import images

MAX_ASPECT_RATIO = 2
WHAT = "a contributor's photo"
#: Square sides: beside a byline (2 rem, twice for sharp screens) and on the
#: contributor's page (10 rem).
SIZES = (96, 240, 480)
RENDITION_NAME = re.compile(
    r"renditions/(?P<stem>contributors/.+)-[0-9]+sq\.(?:webp|jpg)"
)

logger = logging.getLogger(__name__)


def upload_path(instance, filename: str) -> str:
    """A random name, keeping the extension: a photo is found only by its pages."""
    suffix = "".join(filter(str.isalnum, PurePosixPath(filename).suffix.lower()))
    return f"contributors/{uuid.uuid4().hex}.{suffix[:4] or 'img'}"


class PhotoFormField(images.LeadImageFormField):
    max_ratio = MAX_ASPECT_RATIO
    what = WHAT


class PhotoFieldFile(models.fields.files.ImageFieldFile):
    """A stored photo: cleaned when saved, with its renditions made then."""

    def save(self, name, content, save=True):
        if not isinstance(content, images.CleanImage):
            images.check_image(content, MAX_ASPECT_RATIO, WHAT)
            content = images.clean_original(content)
        super().save(name, content, save)
        make_renditions(self)


class PhotoField(models.ImageField):
    """A model image field whose form refuses bad uploads with clear messages."""

    attr_class = PhotoFieldFile
    default_validators = [FileExtensionValidator(images.EXTENSIONS)]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhotoFormField, **kwargs})


@dataclass(frozen=True)
class Rendition:
    size: int
    webp_url: str
    jpeg_url: str


@dataclass(frozen=True)
class RenditionSet:
    """One photo at several square sizes, for `<picture>` and `srcset`."""

    items: tuple[Rendition, ...]

    @property
    def smallest(self):
        return self.items[0]

    @property
    def largest(self):
        return self.items[-1]

    @property
    def webp_srcset(self):
        return ", ".join(f"{r.webp_url} {r.size}w" for r in self.items)

    @property
    def jpeg_srcset(self):
        return ", ".join(f"{r.jpeg_url} {r.size}w" for r in self.items)


def rendered_stem(path: str) -> str | None:
    """The name, without extension, of the photo that `path` is a rendition of."""
    match = RENDITION_NAME.fullmatch(path)
    return match["stem"] if match else None


def sizes_for(side: int) -> list[int]:
    """The fixed sizes not larger than the photo's shorter side; never an upscale."""
    largest = min(side, SIZES[-1])
    return [s for s in SIZES if s < largest] + [largest]


def renditions(field_file) -> RenditionSet | None:
    """The renditions made when the photo was stored; None if there are none.

    Runs in readers' requests: it only reads the header and checks that each
    rendition is there (once, then from the cache). Linked by the storage's URLs.
    """
    plan = _plan(field_file, make=False)
    if plan is None:
        return None
    url = field_file.storage.url
    return RenditionSet(
        tuple(Rendition(s, url(f"{t}.webp"), url(f"{t}.jpg")) for s, t in plan)
    )


def make_renditions(field_file) -> RenditionSet | None:
    """Make whichever renditions are missing; None (logged) if it cannot."""
    if _plan(field_file, make=True) is None:
        return None
    return renditions(field_file)


def _plan(field_file, make):
    """The sizes and names (without extension) of the renditions, cached.

    Only names are cached: where a file is linked from may change while the
    file stays the same.
    """
    key = f"photo-renditions:v1:{field_file.name}"
    found = cache.get(key)
    if found is None:
        try:
            found = _renditions(field_file.storage, field_file.name, make)
        except Exception:
            if make:
                logger.exception("Cannot make the renditions of %s", field_file.name)
            else:
                logger.warning(
                    "Cannot find the renditions of %s", field_file.name, exc_info=True
                )
            return None
        if found is not None:
            cache.set(key, found, None)
    return found


def _renditions(storage, name, make):
    base = PurePosixPath("renditions") / images.original_stem(name)
    with storage.open(name) as file:
        if make:
            images.check_image(file, MAX_ASPECT_RATIO, WHAT)
        image = Image.open(file)
        width, height = image.size
        plan = [(s, f"{base}-{s}sq") for s in sizes_for(min(width, height))]
        square = None
        for side, target in plan:
            for ext, fmt, options in (
                (".webp", "WEBP", {"quality": 82, "method": 4}),
                (".jpg", "JPEG", {"quality": 84, "optimize": True}),
            ):
                if storage.exists(target + ext):
                    continue
                if not make:
                    return None
                if square is None:
                    upright = images._flatten(ImageOps.exif_transpose(image))
                    square = ImageOps.fit(
                        upright, (min(upright.size),) * 2, centering=(0.5, 0.4)
                    )
                buffer = io.BytesIO()
                resized = square.resize((side, side), Image.Resampling.LANCZOS)
                resized.save(buffer, fmt, **options)
                storage.save(target + ext, ContentFile(buffer.getvalue()))
    return tuple(plan)
