"""Lead images and share cards, made with Pillow.

Three jobs, none of which touches the database:

- Upload checks (`check_image`, used by `LeadImageField`'s form field): the
  file's size, its real format, its pixel count, its sides and its shape are
  checked from the header before anything is decoded, so a 10 kB file that
  would decode to gigabytes (a decompression bomb), or a strip no rendition
  can be made of, is refused with a clear message. The stored original is
  re-encoded upright and without EXIF, XMP or comments (`clean_original`), so
  no camera or GPS position is kept.
- Renditions: the lead image at a few fixed widths, in WebP and JPEG. They are
  made in the editor's request, when the image is stored or the issue saved
  (`make_renditions`); a reader's request only looks them up (`renditions`),
  so no reader ever pays for decoding, and an image that cannot be rendered
  leaves the page without it instead of failing it.
- Share cards (`share_card`): a 1200×630 PNG with the series and headline for
  issues without a lead image, rendered once per issue version and stored.
"""

import io
import logging
import re
import textwrap
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import FileExtensionValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# Renditions are at most 1200 px wide, and the WebP encoder refuses anything
# over 16,383 px a side: five times as tall as wide keeps the tallest one at
# 6,000 px, and a 12,000 px side is more than any rendition needs.
MAX_SIDE = 12_000
MAX_ASPECT_RATIO = 5
FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
EXTENSIONS = ["jpg", "jpeg", "png", "webp", "gif"]
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
RENDITION_WIDTHS = (480, 800, 1200)
RENDITION_NAME = re.compile(r"renditions/(?P<stem>.+)-[0-9]+w\.(?:webp|jpg)")
SIZES = "(min-width: 44rem) 40rem, 100vw"

# Pillow refuses to open anything larger than twice this (and warns above it):
# our own limit, checked first with a clearer message, is the same number.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

logger = logging.getLogger(__name__)

CARD_SIZE = (1200, 630)
# The site's own palette (static/css/site.css): paper, ink, accent, muted.
CARD_BACKGROUND = "#fbf8f1"
CARD_ACCENT = "#9b1c1f"
CARD_TEXT = "#1f1d1a"
CARD_MUTED = "#595550"
FONT_PATHS = {
    "headline": [
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSerif-Bold.ttf",
        "DejaVuSerif-Bold.ttf",
    ],
    "bold": [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "DejaVuSans-Bold.ttf",
    ],
    "regular": [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "DejaVuSans.ttf",
    ],
}


# Upload checks ------------------------------------------------------------


def lead_image_upload_path(instance, filename: str) -> str:
    """A random name under the month's folder, keeping the extension.

    A draft's renditions are served to whoever opened its preview link, so
    their names, which follow from this one, must not be guessable from the
    original file name.
    """
    suffix = "".join(filter(str.isalnum, PurePosixPath(filename).suffix.lower()))
    return f"issues/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix[:4] or 'img'}"


def check_image(file, max_ratio=MAX_ASPECT_RATIO, what="a lead image") -> None:
    """Refuse anything but a real JPEG, PNG, WebP or GIF within our limits.

    Raises ValidationError with a message an editor can act on. Only the
    header is read: `Image.open` is lazy, and `verify()` checks the file's
    structure without decoding its pixels. `max_ratio` and `what` are for
    images of another shape (contributors' photos).
    """
    if file.size is not None and file.size > MAX_BYTES:
        raise ValidationError(
            "This file is %(size)s; an image may be at most %(limit)s.",
            code="too_large",
            params={
                "size": filesizeformat(file.size),
                "limit": filesizeformat(MAX_BYTES),
            },
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Between our limit and twice it Pillow only warns; we refuse below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file)
        image_format = image.format
        width, height = image.size
        if width * height <= MAX_PIXELS:
            image.verify()
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            "This file is not an image we can use. Upload a JPEG, PNG, WebP "
            "or GIF (SVG and other formats are not accepted).",
            code="not_an_image",
        ) from error
    finally:
        file.seek(0)
    if image_format not in FORMATS:
        raise ValidationError(
            "This is a %(format)s file. Upload a JPEG, PNG, WebP or GIF.",
            code="bad_format",
            params={"format": image_format or "unknown"},
        )
    if width * height > MAX_PIXELS:
        raise _too_many_pixels(width, height)
    check_shape(width, height, max_ratio, what)


def check_shape(width, height, max_ratio=MAX_ASPECT_RATIO, what="a lead image"):
    """Refuse sides and shapes that no rendition could be made of.

    A strip 800×20,000 or 39,000,000×1 is within the pixel limit, but its
    renditions would be beyond the WebP encoder's limit or take a minute of
    CPU to make.
    """
    if max(width, height) > MAX_SIDE:
        raise ValidationError(
            "This image is %(width)s×%(height)s pixels; each side may be at most "
            "%(limit)s pixels. Resize it before uploading.",
            code="too_long_a_side",
            params={"width": width, "height": height, "limit": f"{MAX_SIDE:,}"},
        )
    if max(width, height) > max_ratio * min(width, height):
        raise ValidationError(
            "This image is %(width)s×%(height)s pixels; %(what)s may be at "
            "most %(ratio)s times as wide as it is tall, or as tall as it is wide. "
            "Crop it before uploading.",
            code="bad_shape",
            params={"width": width, "height": height, "ratio": max_ratio, "what": what},
        )


def _too_many_pixels(width=None, height=None):
    size = f"{width}×{height} pixels" if width else "too many pixels"
    return ValidationError(
        "This image is %(size)s; the limit is %(limit)s megapixels. "
        "Resize it before uploading.",
        code="too_many_pixels",
        params={"size": size, "limit": MAX_PIXELS // 1_000_000},
    )


class CleanImage(SimpleUploadedFile):
    """An upload that `clean_original` has already re-encoded."""


def clean_original(file) -> CleanImage:
    """The image turned upright and re-encoded without its metadata.

    Cameras write the owner's GPS position, the camera and more into EXIF and
    XMP; nothing of it is kept, only the colour profile. The file must have
    passed `check_image`. A file that passed it but cannot be decoded (cut
    short, say) raises ValidationError.
    """
    file.seek(0)
    try:
        with Image.open(file) as image:
            image_format = image.format
            upright = ImageOps.exif_transpose(image)
            upright.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError(
            "This image is damaged or incomplete; export it again and upload "
            "the new file.",
            code="broken_image",
        ) from error
    finally:
        file.seek(0)
    kept = {
        k: upright.info[k] for k in ("icc_profile", "transparency") if k in upright.info
    }
    upright.info = {}
    buffer = io.BytesIO()
    upright.save(buffer, image_format, **kept, **ORIGINAL_OPTIONS.get(image_format, {}))
    name = PurePosixPath(getattr(file, "name", None) or "image").name
    content_type = f"image/{image_format.lower()}"
    return CleanImage(name, buffer.getvalue(), content_type=content_type)


ORIGINAL_OPTIONS = {"JPEG": {"quality": 92}, "WEBP": {"quality": 90}}


class LeadImageFormField(forms.ImageField):
    """An image field that runs `check_image` before Django's own decoding.

    What it hands on is the upload already cleaned by `clean_original`, so a
    file that cannot be cleaned is an error on the form, not in the save.
    """

    max_ratio = MAX_ASPECT_RATIO
    what = "a lead image"

    def to_python(self, data):
        if data and hasattr(data, "size") and not isinstance(data, CleanImage):
            check_image(data, self.max_ratio, self.what)
            data = clean_original(data)
        return super().to_python(data)


class LeadImageFieldFile(models.fields.files.ImageFieldFile):
    """A stored lead image: cleaned when saved, with its renditions made then."""

    def save(self, name, content, save=True):
        if not isinstance(content, CleanImage):
            check_image(content)
            content = clean_original(content)
        super().save(name, content, save)
        make_renditions(self)


class LeadImageField(models.ImageField):
    """A model image field whose form refuses bad uploads with clear messages."""

    attr_class = LeadImageFieldFile
    default_validators = [FileExtensionValidator(EXTENSIONS)]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": LeadImageFormField, **kwargs})


# Renditions ---------------------------------------------------------------


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    webp_url: str
    jpeg_url: str


@dataclass(frozen=True)
class RenditionSet:
    """One image at several widths, ready for `<picture>` and `srcset`."""

    items: tuple[Rendition, ...]

    @property
    def largest(self):
        return self.items[-1]

    @property
    def webp_srcset(self):
        return ", ".join(f"{r.webp_url} {r.width}w" for r in self.items)

    @property
    def jpeg_srcset(self):
        return ", ".join(f"{r.jpeg_url} {r.width}w" for r in self.items)

    sizes = SIZES


def rendition_widths(width: int) -> list[int]:
    """The fixed widths not larger than the original; never an upscale."""
    largest = min(width, RENDITION_WIDTHS[-1])
    return [w for w in RENDITION_WIDTHS if w < largest] + [largest]


def rendered_stem(path: str) -> str | None:
    """The name, without extension, of the original that `path` is a rendition of."""
    match = RENDITION_NAME.fullmatch(path)
    return match["stem"] if match else None


def original_stem(name: str) -> str:
    return str(PurePosixPath(name).with_suffix(""))


def renditions(field_file, url=None) -> RenditionSet | None:
    """The renditions made when the image was stored; None if there are none.

    This runs in readers' requests, so it never decodes nor writes anything:
    it reads the original's header and checks that every rendition is there.
    Whatever goes wrong leaves the page without its image. Each file is
    linked by `url(name)`, the storage's own URL by default.
    """
    plan = _plan(field_file, make=False)
    if plan is None:
        return None
    url = url or field_file.storage.url
    return RenditionSet(
        tuple(
            Rendition(w, h, url(f"{target}.webp"), url(f"{target}.jpg"))
            for w, h, target in plan
        )
    )


def rendition_names(field_file) -> list[str]:
    """The stored names of the image's renditions; empty if it has none."""
    plan = _plan(field_file, make=False) or ()
    return [f"{target}{ext}" for _, _, target in plan for ext in (".webp", ".jpg")]


def make_renditions(field_file) -> RenditionSet | None:
    """Make whichever renditions of a stored image are missing; None if it cannot.

    The editor's request pays for this, when the image is stored or the issue
    saved. A file that bypassed the upload checks is held to them here, before
    anything is decoded; a failure is logged and leaves the issue without
    renditions, which pages show as no image.
    """
    if _plan(field_file, make=True) is None:
        return None
    return renditions(field_file)


def _plan(field_file, make):
    """The renditions' widths, heights and names (without extension), cached.

    Only names are cached, never URLs: where a file is linked from can change
    (an issue going public) while the file stays the same.
    """
    key = _cache_key(field_file.name)
    found = cache.get(key)
    if found is None:
        try:
            found = _renditions(field_file.storage, field_file.name, make=make)
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


def _cache_key(name):
    return f"renditions:v3:{name}"


def _display_size(image):
    """Width and height as displayed, after the EXIF orientation is applied.

    Read from the header only: a PNG may keep its EXIF after the pixels, and
    Pillow would decode them all to reach it, so for a PNG only EXIF found in
    the header counts (cleaned originals have none at all).
    """
    width, height = image.size
    if image.format == "PNG":
        exif = Image.Exif()
        if "exif" in image.info:
            exif.load(image.info["exif"])
    else:
        exif = image.getexif()
    orientation = exif.get(ExifTags.Base.Orientation, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _renditions(storage, name, make):
    """The plan of `_plan`, checking (and with `make`, making) every file of it."""
    base = PurePosixPath("renditions") / original_stem(name)
    with storage.open(name) as file:
        if make:
            check_image(file)
        image = Image.open(file)
        width, height = _display_size(image)
        plan = [
            (w, max(1, round(height * w / width)), f"{base}-{w}w")
            for w in rendition_widths(width)
        ]
        decoded = None
        for w, h, target in plan:
            for ext, save in ((".webp", _save_webp), (".jpg", _save_jpeg)):
                if storage.exists(target + ext):
                    continue
                if not make:
                    return None
                if decoded is None:
                    decoded = _flatten(ImageOps.exif_transpose(image))
                buffer = io.BytesIO()
                save(decoded.resize((w, h), Image.Resampling.LANCZOS), buffer)
                storage.save(target + ext, ContentFile(buffer.getvalue()))
    return tuple(plan)


def _flatten(image):
    """RGB on white: JPEG has no transparency, and a palette image resizes badly."""
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _save_webp(image, buffer):
    image.save(buffer, "WEBP", quality=80, method=4)


def _save_jpeg(image, buffer):
    image.save(buffer, "JPEG", quality=82, optimize=True, progressive=True)


# Share cards --------------------------------------------------------------


def font(weight: str, size: int):
    """DejaVu Sans when the system has it, else Pillow's own scalable font."""
    for path in FONT_PATHS[weight]:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def wrap(text: str, typeface, max_width: int) -> list[str]:
    """Break `text` into lines no wider than `max_width` pixels."""
    lines = []
    for word in text.split():
        if lines and typeface.getlength(f"{lines[-1]} {word}") <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        elif typeface.getlength(word) <= max_width:
            lines.append(word)
        else:
            chars = max(1, int(len(word) * max_width / typeface.getlength(word)))
            lines.extend(textwrap.wrap(word, chars))
    return lines


def render_share_card(kicker: str, headline: str, footer: str) -> bytes:
    """A 1200×630 PNG: the series at the top, the headline, the newsroom's name."""
    width, height = CARD_SIZE
    margin, box = 80, 340
    card = Image.new("RGB", CARD_SIZE, CARD_BACKGROUND)
    draw = ImageDraw.Draw(card)
    draw.rectangle((0, 0, width, 14), fill=CARD_ACCENT)
    draw.text((margin, 70), kicker, font=font("bold", 36), fill=CARD_ACCENT)

    for size in (68, 60, 52, 46, 40):
        typeface = font("headline", size)
        lines = wrap(headline, typeface, width - 2 * margin)
        line_height = int(size * 1.2)
        if len(lines) * line_height <= box:
            break
    max_lines = box // line_height
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    top = 150 + (box - len(lines) * line_height) // 2
    for number, line in enumerate(lines):
        draw.text(
            (margin, top + number * line_height), line, font=typeface, fill=CARD_TEXT
        )

    draw.text((margin, height - 90), footer, font=font("regular", 30), fill=CARD_MUTED)
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def share_card(storage, key: str, kicker: str, headline: str, footer: str) -> str:
    """The stored name of the card for `key`, rendering it the first time only.

    `key` names one version of the issue (its pk and last change), so an edit
    gets a new card and an unchanged issue is never rendered twice.
    """
    name = f"share/{key}.png"
    if not storage.exists(name):
        png = render_share_card(kicker, headline, footer)
        name = storage.save(name, ContentFile(png))
    return name
