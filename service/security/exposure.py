"""An open service (no API key at all) may listen on a loopback address only: on any
other address anyone who reaches it could read and change everything."""

from __future__ import annotations

import ipaddress
import logging

from sqlalchemy.exc import OperationalError

from workers.catalog.db import migrate, session_scope
from workers.catalog.keys import any_active_key
from workers.config import Settings

log = logging.getLogger("narrate.exposure")
HOW = (
    "create a key first: narrate keys create --name NAME --scope admin "
    "(or set NARRATE_API_TOKENS), or listen on 127.0.0.1"
)


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name or a wildcard: reachable from elsewhere, as far as we know


def refusal(settings: Settings, hosts: list[str]) -> str | None:
    """Why the service must not start on `hosts`, or None when it may."""
    exposed = [host for host in hosts if not is_loopback(host)]
    if not exposed or settings.api_tokens:
        return None
    try:
        migrate(settings.database_url)
        with session_scope(settings.database_url) as session:
            if any_active_key(session):
                return None
    except OperationalError as exc:  # the database is away: start, as the web must
        log.warning(
            "could not look for API keys (%s); every request checks again once the "
            "database is back",
            exc.__class__.__name__,
        )
        return None
    return f"refusing to listen on {', '.join(exposed)} with no API key, open to anyone: {HOW}"
