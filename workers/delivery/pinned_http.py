"""POST to a URL at one given IP address: the one its host name resolved to when it was
checked, so a second DNS answer (a rebinding) cannot send the request elsewhere.

The Host header and, for https, the TLS server name and certificate check still use the
name in the URL. Redirects are never followed: the caller sees the 3xx status.

A delivery has one total deadline, not a timeout per socket operation (a receiver that
drips a byte every few seconds would otherwise hold a worker for ever), and at most
MAX_RESPONSE_BYTES of the answer are read: only its status matters.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

MAX_RESPONSE_BYTES = 64 * 1024


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int | None, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


class DeadlineExceeded(TimeoutError):
    """The receiver did not answer in full within the delivery's deadline."""


def post(url: str, address: str, body: bytes, headers: dict[str, str], deadline_s: float) -> int:
    """POST `body` to `url`, connecting to `address`; the response's status code.
    Raises OSError (including ssl and socket errors, and DeadlineExceeded) when no
    complete answer comes within `deadline_s` seconds in all."""
    parts = urlsplit(url)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = kind(parts.hostname or "", parts.port, address, deadline_s)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    expired = threading.Event()

    def cut() -> None:  # unblocks whatever socket call is waiting
        expired.set()
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(deadline_s, cut)
    watchdog.daemon = True
    started = time.monotonic()
    watchdog.start()
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        if expired.is_set():
            raise DeadlineExceeded(f"no complete answer within {deadline_s:g} s")
        return response.status
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or time.monotonic() - started >= deadline_s:
            raise DeadlineExceeded(f"no complete answer within {deadline_s:g} s") from exc
        if isinstance(exc, OSError):
            raise
        raise OSError(f"bad HTTP answer: {exc!r}") from exc
    finally:
        watchdog.cancel()
        connection.close()
