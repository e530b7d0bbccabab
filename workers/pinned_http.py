"""POST to a URL at one given IP address: the one its host name resolved to when it was
checked, so a second DNS answer (a rebinding) cannot send the request elsewhere.

The Host header and, for https, the TLS server name and certificate check still use the
name in the URL. Redirects are never followed: the caller sees the 3xx status.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit


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


def post(url: str, address: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST `body` to `url`, connecting to `address`; the response's status code.
    Raises OSError (including ssl and socket errors) when no answer comes."""
    parts = urlsplit(url)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = kind(parts.hostname or "", parts.port, address, timeout)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    except http.client.HTTPException as exc:  # a malformed answer
        raise OSError(f"bad HTTP answer: {exc!r}") from exc
    finally:
        connection.close()
