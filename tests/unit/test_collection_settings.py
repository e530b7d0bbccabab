"""A collection's settings are checked field by field (workers.catalog.collection_fields),
its artwork by Pillow (workers.catalog.images), and its chapters found from timings
(workers.pipeline.chapters)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from workers.catalog.collection_fields import InvalidSetting, checked, merged
from workers.catalog.images import InvalidImage, checked_image, cover_file_name, default_cover
from workers.pipeline.chapters import chapters


def image(size: tuple[int, int], mode: str = "RGB", kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "white" if mode != "CMYK" else (0, 0, 0, 0)).save(out, kind)
    return out.getvalue()


def test_settings_are_checked_and_given_their_canonical_form():
    assert checked(
        {
            "category": "News > Daily News",
            "style": "en_us",
            "language": "FR",
            "owner_email": " desk@example.com ",
            "brand": {"colours": {"accent": "#AA3300"}, "label": "  Listen  now "},
            "title": None,
        }
    ) == {
        "category": ["News", "Daily News"],
        "style": "en-US",
        "language": "fr",
        "owner_email": "desk@example.com",
        "brand": {"colours": {"accent": "#aa3300"}, "label": "Listen now"},
        "title": None,
    }


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"category": "Newsy"}, "category"),
        ({"category": ["News", "Drama"]}, "category"),  # Drama is Fiction's
        ({"owner_email": "not an address"}, "owner_email"),
        ({"brand": {"colours": {"accent": "red"}}}, "brand.colours.accent"),
        ({"brand": {"colours": {"shadow": "#000000"}}}, "brand.colours"),
        ({"brand": {"logo": "javascript:alert(1)"}}, "brand.logo"),
        ({"style": "fr-FR"}, "style"),
        ({"language": "french"}, "language"),
        ({"explicit": "no"}, "explicit"),
        ({"link": "ftp://example.com/"}, "link"),
        ({"guid": "nope"}, "guid"),
        ({"colour": "#000000"}, "colour"),
        ({"title": "x" * 256}, "title"),
    ],
)
def test_a_setting_that_cannot_be_is_refused_by_name(changes, names):
    with pytest.raises(InvalidSetting, match=names):
        checked(changes)


def test_a_change_merges_the_brand_and_none_clears_a_field():
    current = {
        "title": "Old",
        "brand": {"colours": {"accent": "#000000"}, "logo": "https://x.example/l.png"},
    }
    changed = merged(current, checked({"title": None, "brand": {"colours": {"text": "#ffffff"}}}))
    assert changed == {
        "brand": {
            "colours": {"accent": "#000000", "text": "#ffffff"},
            "logo": "https://x.example/l.png",
        }
    }


def test_artwork_must_be_a_square_rgb_jpeg_or_png_of_1400_to_3000_px():
    assert checked_image(image((1400, 1400)), "artwork").extension == "png"
    assert checked_image(image((3000, 3000), kind="JPEG"), "artwork").extension == "jpg"
    for wrong, says in [
        (image((1399, 1399)), "1399x1399"),
        (image((3001, 3001)), "3001x3001"),
        (image((1400, 1600)), "square"),
        (image((1400, 1400), "CMYK", "JPEG"), "CMYK"),
        (image((1400, 1400), "L"), "RGB"),
        (image((1400, 1400), kind="GIF"), "GIF"),
        (b"not an image", "JPEG or PNG"),
    ]:
        with pytest.raises(InvalidImage, match=says):
            checked_image(wrong, "artwork")
    assert checked_image(image((300, 120)), "logo").extension == "png"  # a logo: any shape


def test_the_default_cover_is_a_3000_px_rgb_jpeg_named_by_its_title():
    cover = default_cover("Harbour News")
    with Image.open(io.BytesIO(cover)) as drawn:
        assert (drawn.format, drawn.mode, drawn.size) == ("JPEG", "RGB", (3000, 3000))
    assert checked_image(cover, "artwork").extension == "jpg"
    assert cover_file_name("Harbour News") != cover_file_name("Harbour News Weekly")


def test_chapters_open_at_the_headline_and_each_subheading():
    paragraphs = [
        "Harbour wall to be rebuilt",
        "The council agreed on Tuesday to rebuild the harbour wall.",
        "What happens next",
        "Work will start in the spring.",
        "Who pays",
        "The government will pay for most of it, the council said.",
        "A closing line without a full stop",  # the last paragraph opens nothing
    ]
    timings = {
        "duration_ms": 70000,
        "paragraphs": [
            {"index": n, "start_ms": n * 10000, "end_ms": n * 10000 + 9000, "text": text}
            for n, text in enumerate(paragraphs)
        ],
    }
    document = chapters(timings, "Harbour wall to be rebuilt", "Jo Bloggs")
    assert document["version"] == "1.2.0" and document["author"] == "Jo Bloggs"
    assert document["chapters"] == [
        {"startTime": 0, "title": "Harbour wall to be rebuilt"},
        {"startTime": 20.0, "title": "What happens next"},
        {"startTime": 40.0, "title": "Who pays"},
    ]
