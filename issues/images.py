"""Lead images and share cards, made with Pillow.

Three jobs, none of which touches the database:

- Upload checks (`check_image`, used by `LeadImageField`'s form field): the
  file's size, its real format and its pixel count are checked from the
  header before anything is decoded, so a 10 kB file that would decode to
  gigabytes (a decompression bomb) is refused with a clear message.
- Renditions (`renditions`): the lead image at a few fixed widths, in WebP and
  JPEG, re-encoded without EXIF. They are made once, on first use, and their
  sizes are cached, so a page only looks them up.
- Share cards (`share_card`): a 1200×630 PNG with the series and headline for
  issues without a lead image, rendered once per issue version and stored.
"""

import io
import textwrap
import uuid
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
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
SIZES = "(min-width: 44rem) 40rem, 100vw"

# Pillow refuses to open anything larger than twice this (and warns above it):
# our own limit, checked first with a clearer message, is the same number.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

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

    Uploads are served without checking who may see them (a preview link must
    show a draft's image to someone with no account), so a draft's image must
    not be findable from its original file name.
    """
    suffix = "".join(filter(str.isalnum, PurePosixPath(filename).suffix.lower()))
    return f"issues/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix[:4] or 'img'}"


def check_image(file) -> None:
    """Refuse anything but a real JPEG, PNG, WebP or GIF within our limits.

    Raises ValidationError with a message an editor can act on. Only the
    header is read: `Image.open` is lazy, and `verify()` checks the file's
    structure without decoding its pixels.
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


def _too_many_pixels(width=None, height=None):
    size = f"{width}×{height} pixels" if width else "too many pixels"
    return ValidationError(
        "This image is %(size)s; the limit is %(limit)s megapixels. "
        "Resize it before uploading.",
        code="too_many_pixels",
        params={"size": size, "limit": MAX_PIXELS // 1_000_000},
    )


class LeadImageFormField(forms.ImageField):
    """An image field that runs `check_image` before Django's own decoding."""

    def to_python(self, data):
        if data and hasattr(data, "size"):
            check_image(data)
        return super().to_python(data)


class LeadImageField(models.ImageField):
    """A model image field whose form refuses bad uploads with clear messages."""

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


def renditions(field_file) -> RenditionSet | None:
    """The renditions of a stored image, made on first use; None if unreadable."""
    key = f"renditions:v1:{field_file.name}"
    found = cache.get(key)
    if found is None:
        try:
            found = _make_renditions(field_file.storage, field_file.name)
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
            return None
        cache.set(key, found, None)
    return found


def _display_size(image):
    """Width and height as displayed, after the EXIF orientation is applied."""
    width, height = image.size
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _make_renditions(storage, name) -> RenditionSet:
    stem = PurePosixPath("renditions") / PurePosixPath(name).with_suffix("")
    with storage.open(name) as file:
        image = Image.open(file)
        width, height = _display_size(image)
        plan = [
            (w, max(1, round(height * w / width)), f"{stem}-{w}w")
            for w in rendition_widths(width)
        ]
        names = {}
        decoded = None
        for w, h, base in plan:
            for ext, save in ((".webp", _save_webp), (".jpg", _save_jpeg)):
                target = base + ext
                if not storage.exists(target):
                    if decoded is None:
                        decoded = _flatten(ImageOps.exif_transpose(image))
                    buffer = io.BytesIO()
                    save(decoded.resize((w, h), Image.Resampling.LANCZOS), buffer)
                    target = storage.save(target, ContentFile(buffer.getvalue()))
                names[w, ext] = target
    return RenditionSet(
        tuple(
            Rendition(
                w, h, storage.url(names[w, ".webp"]), storage.url(names[w, ".jpg"])
            )
            for w, h, _ in plan
        )
    )


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
