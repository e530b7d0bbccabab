"""gunicorn settings for the Procfile's web process (`-c python:service.gunicorn_conf`)."""

from __future__ import annotations

import sys


def on_starting(server) -> None:
    """Refuse to serve an open service on a non-loopback address (see service.security.exposure)."""
    from service.security.exposure import refusal
    from workers.config import Settings

    hosts = [address[0] for address in server.cfg.address if isinstance(address, tuple)]
    reason = refusal(Settings.from_env(), hosts)
    if reason:
        print(f"narrate: error: {reason}", file=sys.stderr)
        sys.exit(1)
