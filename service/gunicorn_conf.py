"""gunicorn settings for the Procfile's web process (`-c python:service.gunicorn_conf`)."""

from __future__ import annotations

import sys


def on_starting(server) -> None:
    """Refuse to serve an open service on a non-loopback address, record where it
    listens for the check at every request (see service.security.exposure), and load
    the language detector's model the submissions need."""
    from service.security.exposure import record_binding, refusal
    from workers.config import Settings
    from workers.pipeline.clean.language import load_model

    hosts = [address[0] for address in server.cfg.address if isinstance(address, tuple)]
    reason = refusal(Settings.from_env(), hosts)
    if reason:
        print(f"narrate: error: {reason}", file=sys.stderr)
        sys.exit(1)
    record_binding(hosts)  # every request checks the rule again (service.security.auth)
    load_model()  # before the workers fork, so they share it
