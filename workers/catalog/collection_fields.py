"""A collection's settings, field by field: what a publisher may set over the API
(`/api/v1/collections/NAME`) or the command line (`narrate collection set`), each
checked here and nowhere else. A field set to None is cleared (its default applies).

The podcast category is checked against Apple's list, kept as data
(data/apple_podcast_categories.json); `style` is the speech module's house style;
`brand` (colours, logo, label) is what the player draws the collection with.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workers.pipeline.errors import InvalidInput
from workers.pipeline.speech.style import checked_style

CATEGORIES_FILE = Path(__file__).with_name("data") / "apple_podcast_categories.json"
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")  # ISO 639, as Apple asks: "en-us"
_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
BRAND_COLOURS = ("accent", "background", "text")  # what the player paints with them
LABEL_MAX = 60


class InvalidSetting(InvalidInput):
    """A setting that cannot be: the message names the field and what it takes."""

    title = "Invalid collection setting"


@cache
def podcast_categories() -> dict[str, tuple[str, ...]]:
    """Apple Podcasts' categories, each with its subcategories."""
    data = json.loads(CATEGORIES_FILE.read_text(encoding="utf-8"))
    return {name: tuple(subs) for name, subs in data["categories"].items()}


def _text(limit: int) -> Callable[[str, Any], str]:
    def check(field: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise InvalidSetting(f"{field} must be a non-empty string")
        value = " ".join(value.split()) if limit <= 255 else value.strip()
        if _CONTROLS.search(value) or len(value) > limit:
            raise InvalidSetting(f"{field} must be text of at most {limit} characters")
        return value

    return check


def _flag(field: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidSetting(f"{field} must be true or false")
    return value


def web_url(field: str, value: Any) -> str:
    """An absolute http(s) URL."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidSetting(f"{field} must be an absolute http:// or https:// URL")
    if len(value) > 2000 or _CONTROLS.search(value) or " " in value:
        raise InvalidSetting(f"{field} must be a URL of at most 2000 characters, no spaces")
    return value


def _email(field: str, value: Any) -> str:
    if not isinstance(value, str) or len(value) > 255 or not _EMAIL.match(value.strip()):
        raise InvalidSetting(f"{field} must be an e-mail address such as podcasts@example.com")
    return value.strip()


def _category(field: str, value: Any) -> list[str]:
    """["News"] or ["News", "Daily News"]; "News > Daily News" is read the same."""
    parts = [p.strip() for p in value.split(">")] if isinstance(value, str) else value
    known = podcast_categories()
    if (
        isinstance(parts, list)
        and 1 <= len(parts) <= 2
        and parts[0] in known
        and (len(parts) == 1 or parts[1] in known[parts[0]])
    ):
        return list(parts)
    raise InvalidSetting(
        f"{field} must be one of Apple Podcasts' categories, optionally with a subcategory "
        f'("News" or "News > Daily News"): {", ".join(known)}'
    )


def _language(field: str, value: Any) -> str:
    if not isinstance(value, str) or not _LANGUAGE.match(value.strip().lower()):
        raise InvalidSetting(f'{field} must be an ISO 639 language code such as "fr" or "en-gb"')
    return value.strip().lower()


def _style(field: str, value: Any) -> str:
    try:
        return checked_style(value if isinstance(value, str) else "")
    except ValueError as error:
        raise InvalidSetting(f"{field}: {error}") from None


def _guid(field: str, value: Any) -> str:
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise InvalidSetting(f"{field} must be a UUID (a podcast:guid)") from None


def _brand(field: str, value: Any) -> dict[str, Any]:
    """{"colours": {"accent": "#rrggbb", ...}, "logo": URL, "label": text}."""
    if not isinstance(value, Mapping) or set(value) - {"colours", "logo", "label"}:
        raise InvalidSetting(f'{field} must be an object with "colours", "logo" and "label"')
    brand: dict[str, Any] = {}
    colours = value.get("colours")
    if colours is not None:
        if not isinstance(colours, Mapping) or set(colours) - set(BRAND_COLOURS):
            raise InvalidSetting(f"{field}.colours may name {', '.join(BRAND_COLOURS)}")
        for name, colour in colours.items():
            if not isinstance(colour, str) or not _COLOUR.match(colour.lower()):
                raise InvalidSetting(f"{field}.colours.{name} must be a colour as #rrggbb")
        brand["colours"] = {name: colours[name].lower() for name in colours}
    if value.get("logo") is not None:
        brand["logo"] = web_url(f"{field}.logo", value["logo"])
    if value.get("label") is not None:
        brand["label"] = _text(LABEL_MAX)(f"{field}.label", value["label"])
    return brand


FIELDS: dict[str, Callable[[str, Any], Any]] = {
    "title": _text(255),
    "description": _text(4000),
    "author": _text(255),
    "owner_name": _text(255),
    "owner_email": _email,
    "category": _category,
    "copyright": _text(255),
    "explicit": _flag,
    "link": web_url,
    "language": _language,
    "style": _style,
    "brand": _brand,
    "locked": _flag,
    "guid": _guid,
}


def checked(changes: Any) -> dict[str, Any]:
    """Each field checked (None kept: it clears the field); unknown names refused."""
    if not isinstance(changes, Mapping):
        raise InvalidSetting(f"send a JSON object with any of: {', '.join(FIELDS)}")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidSetting(
            f"unknown setting {', '.join(map(repr, unknown))}: use {', '.join(FIELDS)}"
        )
    return {
        field: None if value is None else FIELDS[field](field, value)
        for field, value in changes.items()
    }


def merged(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """`current` with checked `changes` applied (None removes a field); a brand is
    merged into the brand there is, so that setting a colour keeps the logo."""
    result = dict(current)
    for field, value in changes.items():
        if value is None:
            result.pop(field, None)
        elif field == "brand":
            brand = {**result.get("brand", {}), **value}
            brand["colours"] = {
                **result.get("brand", {}).get("colours", {}),
                **value.get("colours", {}),
            }
            result["brand"] = {k: v for k, v in brand.items() if v}
        else:
            result[field] = value
    return result
