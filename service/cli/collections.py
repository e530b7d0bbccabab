"""`narrate collection show|set NAME`: a collection's settings in the catalog
(DATABASE_URL), by the same code as /api/v1/collections (workers.catalog.collections)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from workers.catalog.collection_fields import BRAND_COLOURS, FIELDS

# the settings given as plain text options (--owner-email for owner_email, ...)
TEXT_OPTIONS = (
    "title",
    "description",
    "author",
    "owner_name",
    "owner_email",
    "category",
    "copyright",
    "link",
    "language",
    "style",
    "guid",
)


def _settings():
    from workers.catalog.db import migrate
    from workers.config import Settings

    settings = Settings.from_env()
    migrate(settings.database_url)
    return settings


def _shown(name: str) -> int:
    from service.cli.usage import UsageError
    from workers.catalog.collections import find_collection
    from workers.catalog.db import session_scope

    with session_scope(_settings().database_url) as session:
        found = find_collection(session, name)
    if found is None:
        raise UsageError(f"there is no collection {name!r}: it has no articles and no settings")
    body = {
        "name": found.name,
        "settings": found.settings,
        "title": found.title,
        "language": found.language,
        "artwork": found.artwork or f"default cover ({found.artwork_file})",
        "articles": found.articles,
        "missing": found.missing,
    }
    print(json.dumps(body, ensure_ascii=False, indent=2))
    return 0


def _show(args: argparse.Namespace) -> int:
    return _shown(_checked_name(args.name))


def _checked_name(name: str) -> str:
    from service.cli.usage import UsageError
    from workers.catalog.models import COLLECTION_NAME, COLLECTION_RULE

    if not COLLECTION_NAME.match(name):
        raise UsageError(f"{name!r} cannot be a collection's name ({COLLECTION_RULE})")
    return name


def _changes(args: argparse.Namespace) -> dict[str, Any]:
    changes: dict[str, Any] = {
        field: getattr(args, field) for field in TEXT_OPTIONS if getattr(args, field) is not None
    }
    for flag in ("explicit", "locked"):
        if getattr(args, flag) is not None:
            changes[flag] = getattr(args, flag)
    colours = {c: getattr(args, f"brand_{c}") for c in BRAND_COLOURS if getattr(args, f"brand_{c}")}
    brand = {"colours": colours} if colours else {}
    if args.brand_label:
        brand["label"] = args.brand_label
    if args.brand_logo:
        brand["logo"] = args.brand_logo
    if brand:
        changes["brand"] = brand
    for field in args.clear or ():
        changes[field] = None
    return changes


def _image(path: str, kind: str):
    from service.cli.usage import UsageError
    from workers.catalog.images import checked_image

    file = Path(path)
    if not file.is_file():
        raise UsageError(f"no such file: {path} (give a JPEG or PNG)")
    return checked_image(file.read_bytes(), kind)


def _set(args: argparse.Namespace) -> int:
    from workers import links
    from workers.catalog.collections import change_settings, set_artwork
    from workers.catalog.db import session_scope
    from workers.catalog.images import image_key
    from workers.storage.factory import storage_for

    name = _checked_name(args.name)
    settings = _settings()
    changes = _changes(args)
    artwork = _image(args.artwork, "artwork") if args.artwork else None
    logo = _image(args.logo, "logo") if args.logo else None
    store = storage_for(settings)
    for image in (artwork, logo):
        if image is not None:
            store.write_bytes(image_key(name, image.file_name), image.data)
    if logo is not None:
        url = links.collection_image_link(settings.public_url, name, logo.file_name)
        changes.setdefault("brand", {})["logo"] = url
    with session_scope(settings.database_url) as session:
        change_settings(session, name, changes)
        if artwork is not None:
            set_artwork(session, name, artwork.file_name)
        if args.default_artwork:
            set_artwork(session, name, None)
    return _shown(name)


def add_collection_command(commands) -> None:
    collection = commands.add_parser(
        "collection", help="show or change a collection's settings (its feed, cover, branding)"
    )
    actions = collection.add_subparsers(dest="action", required=True)
    show = actions.add_parser("show", help="print its settings as JSON")
    show.add_argument("name")
    show.set_defaults(run=_show)
    change = actions.add_parser("set", help="change the settings given, keep the others")
    change.add_argument("name")
    for field in TEXT_OPTIONS:
        change.add_argument(f"--{field.replace('_', '-')}", dest=field)
    for flag in ("explicit", "locked"):
        change.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None)
    for colour in BRAND_COLOURS:
        change.add_argument(f"--brand-{colour}", help="a colour as #rrggbb")
    change.add_argument("--brand-label", help="the player's label text")
    change.add_argument("--brand-logo", help="the logo's URL (or --logo FILE to upload one)")
    change.add_argument("--artwork", help="podcast artwork: a square JPEG or PNG, 1400-3000 px")
    change.add_argument("--default-artwork", action="store_true", help="back to the drawn cover")
    change.add_argument("--logo", help="the brand's logo: a JPEG or PNG file")
    change.add_argument(
        "--clear", action="append", choices=tuple(FIELDS), help="back to its default (repeatable)"
    )
    change.set_defaults(run=_set)
