"""A TCP proxy a test owns, to cut a server off and bring it back: `cut()` drops every
connection and stops listening (new connections are refused), `restore()` listens again
on the same port. The server behind it is a (host, port) or a unix socket's path (the
tests' PostgreSQL answers on one), so the proxy also gives a socket-only server a port.
Setting `delay` (seconds) makes it a slow server: each new connection waits that long
before the server behind it hears of it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

from tests.support.services import free_port


class TcpProxy:
    def __init__(self, target: tuple[str, int] | str, port: int | None = None) -> None:
        self.target = target
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delay = 0.0
        self.accepted = 0  # connections accepted since the proxy was made

    def __enter__(self) -> TcpProxy:
        self.restore()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cut()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.1)
        self._listener, self._stop = listener, threading.Event()
        self._thread = threading.Thread(target=self._accept, args=(listener, self._stop))
        self._thread.daemon = True
        self._thread.start()

    def cut(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._sockets) // 2

    def _accept(self, listener: socket.socket, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
            if self.delay:
                with self._lock:
                    self._sockets.add(client)  # cut() closes it while it waits
                threading.Thread(target=self._open, args=(client, self.delay), daemon=True).start()
            else:
                self._open(client, 0)

    def _open(self, client: socket.socket, delay: float) -> None:
        """Connects a client to the server behind, after `delay` seconds."""
        time.sleep(delay)
        if client.fileno() == -1:  # cut() while it waited
            return
        try:
            upstream = self._connect()
        except OSError:
            with self._lock:
                self._sockets.discard(client)
            client.close()
            return
        client.settimeout(None)
        upstream.settimeout(None)
        with self._lock:
            self._sockets.update((client, upstream))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _connect(self) -> socket.socket:
        if isinstance(self.target, str):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.settimeout(5)
            try:
                upstream.connect(self.target)
            except OSError:
                upstream.close()
                raise
            return upstream
        return socket.create_connection(self.target, timeout=5)

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            with self._lock:
                for sock in (source, sink):
                    if sock in self._sockets:
                        self._sockets.discard(sock)
                        sock.close()
