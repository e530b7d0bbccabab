"""An open service (no API key at all) may listen on a loopback address only: on any
other address anyone who reaches it could read and change everything.

Checked when the server starts (`refusal`, by `narrate serve` and gunicorn's
on_starting) and again at every request (service.security.auth), since a key may be
revoked while the service runs. Where the service listens is what the operator set
(NARRATE_LISTEN) or else what gunicorn bound (recorded by service.gunicorn_conf before
its workers fork), never anything a request says: a Host header or the server address
in the WSGI environment can be chosen by the client.
"""

from __future__ import annotations

import ipaddress
import logging

from sqlalchemy.exc import OperationalError

from workers.catalog.db import migrate, session_scope
from workers.catalog.keys import any_active_key
from workers.config import Settings

log = logging.getLogger("narrate.exposure")
_BOUND: list[str] = []  # the hosts this process's gunicorn listens on
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


def record_binding(hosts: list[str]) -> None:
    """Remember the hosts the web server listens on (gunicorn, before its workers fork)."""
    _BOUND[:] = hosts


def exposed_hosts(settings: Settings) -> list[str]:
    """The non-loopback hosts the service listens on: NARRATE_LISTEN, else what gunicorn
    bound; none when neither is known (a test client, `flask run`)."""
    return [host for host in (settings.listen or _BOUND) if not is_loopback(host)]


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
