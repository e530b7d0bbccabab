"""A collection's images: its podcast artwork and its brand's logo, uploaded (checked
here with Pillow) or, for the artwork, a cover drawn with the collection's title.

Each image is stored by its content, `collections/NAME/images/DIGEST.EXT`, and served at
that name: a new image is a new URL (as Apple asks of artwork: "change the artwork file
name and URL at the same time"), and one URL always names the same bytes, so it can be
cached for ever.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from workers.pipeline.errors import InvalidInput

FORMATS = {"JPEG": "jpg", "PNG": "png"}
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png"}
ARTWORK_PIXELS = (1400, 3000)  # Apple Podcasts: square, 1400-3000 px, JPEG or PNG, RGB
LOGO_MAX_PIXELS = 2000
MAX_BYTES = 8 * 1024 * 1024
COVER_PIXELS = 3000
COVER_VERSION = "cover-1"  # a new drawing of the default cover is a new image
KINDS = ("artwork", "logo")


class InvalidImage(InvalidInput):
    title = "Invalid image"


@dataclass(frozen=True)
class StoredImage:
    data: bytes
    extension: str  # "jpg" or "png"

    @property
    def file_name(self) -> str:
        return f"{hashlib.sha256(self.data).hexdigest()[:24]}.{self.extension}"


def image_key(collection: str, file_name: str) -> str:
    return f"collections/{collection}/images/{file_name}"


def checked_image(data: bytes, kind: str) -> StoredImage:
    """An uploaded artwork (square JPEG or PNG, RGB, 1400-3000 px) or logo (JPEG or PNG,
    at most 2000 px a side), as it will be stored; InvalidImage saying what to change."""
    if len(data) > MAX_BYTES:
        raise InvalidImage(
            f"the {kind} is over {MAX_BYTES // (1024 * 1024)} MB; send a smaller file"
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            found, mode, (width, height) = image.format, image.mode, image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidImage(f"the {kind} is not a JPEG or PNG image Pillow can read") from None
    if found not in FORMATS:
        raise InvalidImage(f"the {kind} is {found}; send a JPEG or PNG")
    if kind == "logo":
        if max(width, height) > LOGO_MAX_PIXELS:
            raise InvalidImage(f"the logo is {width}x{height} px; at most {LOGO_MAX_PIXELS} a side")
        return StoredImage(data, FORMATS[found])
    low, high = ARTWORK_PIXELS
    if width != height or not low <= width <= high:
        raise InvalidImage(
            f"the artwork is {width}x{height} px; podcast apps take a square of {low} to {high} px"
        )
    if mode != "RGB":
        raise InvalidImage(
            f"the artwork's colours are {mode}; podcast apps take RGB (no CMYK, no "
            "greyscale, no transparency)"
        )
    return StoredImage(data, FORMATS[found])


def cover_file_name(title: str) -> str:
    """The default cover's file name, known without drawing it."""
    digest = hashlib.sha256(f"{COVER_VERSION}\n{title}".encode()).hexdigest()[:24]
    return f"{digest}.jpg"


def default_cover(title: str) -> bytes:
    """A 3000x3000 px JPEG: the title in large type on a dark square."""
    image = Image.new("RGB", (COVER_PIXELS, COVER_PIXELS), (24, 38, 56))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 2400, COVER_PIXELS, 2440), fill=(232, 93, 63))
    lines = textwrap.wrap(title, 14)[:5] or [title[:14]]
    size = 380 if len(lines) <= 2 else 260
    font = ImageFont.load_default(size=size)
    top = 1200 - len(lines) * size * 6 // 10
    for n, line in enumerate(lines):
        draw.text((240, top + n * size * 12 // 10), line, font=font, fill=(255, 255, 255))
    small = ImageFont.load_default(size=120)
    draw.text((240, 2560), "Listen with Narrate", font=small, fill=(200, 210, 220))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88, dpi=(72, 72))
    return out.getvalue()
