"""`narrate keys create|list|revoke`: API keys in the catalog (DATABASE_URL)."""

from __future__ import annotations

import argparse

from workers.catalog.scopes import SCOPES


def _create(args: argparse.Namespace) -> int:
    from service.cli.usage import UsageError
    from workers.catalog.keys import KeyRequestError, create_key

    with _session() as session:
        try:
            row, key = create_key(
                session, args.name, args.scope, args.collection or None, args.limit
            )
        except KeyRequestError as error:
            raise UsageError(str(error)) from None
        limited = f", collections {', '.join(row.collections)}" if row.collections else ""
        limit = f", limit {row.submission_limit}" if row.submission_limit else ""
        print(
            f"created key {row.id} ({row.name}, {row.scope}{limited}{limit}); it is shown only now:"
        )
    print(key)
    return 0


def _list(_: argparse.Namespace) -> int:
    from workers.catalog.keys import list_keys

    with _session() as session:
        rows = list_keys(session)
        print(
            f"{'id':<8}  {'name':<24}  {'scope':<5}  {'collections':<16}  "
            f"{'limit':<22}  {'created':<16}  {'last used':<16}  revoked"
        )
        for row in rows:
            print(
                f"{row.id:<8}  {row.name[:24]:<24}  {row.scope:<5}  "
                f"{','.join(row.collections or ['*'])[:16]:<16}  "
                f"{row.submission_limit or 'default':<22}  {_when(row.created_at):<16}  "
                f"{_when(row.last_used_at):<16}  {_when(row.revoked_at)}"
            )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from service.cli.usage import UsageError
    from workers.catalog.keys import revoke_key

    with _session() as session:
        if not revoke_key(session, args.id):
            raise UsageError(f"there is no active key {args.id!r}; 'narrate keys list' shows them")
    print(f"revoked key {args.id}")
    return 0


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _session():
    from workers.catalog.db import migrate, session_scope
    from workers.config import Settings

    settings = Settings.from_env()
    migrate(settings.database_url)
    return session_scope(settings.database_url)


def add_keys_command(commands) -> None:
    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make a key and print it (once)")
    create.add_argument("--name", required=True, help="who or what the key is for")
    create.add_argument("--scope", choices=SCOPES, required=True)
    create.add_argument(
        "--collection", action="append", help="limit the key to this collection (repeatable)"
    )
    create.add_argument(
        "--limit",
        help="its own submission limit in Flask-Limiter's notation, e.g. "
        "'600/minute;10000/hour' (default: NARRATE_LIMIT_SUBMISSIONS)",
    )
    create.set_defaults(run=_create)
    actions.add_parser("list", help="every key, without secrets").set_defaults(run=_list)
    revoke = actions.add_parser("revoke", help="stop a key from working")
    revoke.add_argument("id", help="the key's id, as 'narrate keys list' shows it")
    revoke.set_defaults(run=_revoke)
