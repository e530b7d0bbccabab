"""A webhook receiver cannot hold a worker: one total deadline, a bounded answer."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from workers.delivery import pinned_http


class _Receiver:
    """A raw TCP receiver on 127.0.0.1 that answers the way `behaviour` says."""

    def __init__(self, behaviour) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sent = 0
        self.behaviour = behaviour
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        with connection:
            connection.recv(65536)
            with contextlib.suppress(OSError):  # the client hung up, which is the point
                self.behaviour(self, connection)

    def close(self) -> None:
        self.server.close()
        self.thread.join(5)


def drip(receiver: _Receiver, connection: socket.socket) -> None:
    """Headers and then a byte a second: each read is quick, the whole never ends."""
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n")
    for _ in range(60):
        time.sleep(0.5)
        connection.sendall(b"X-Slow: 1\r\n")
        receiver.sent += 1


def endless_body(receiver: _Receiver, connection: socket.socket) -> None:
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
    chunk = b"x" * 65536
    for _ in range(1500):  # 100 MB, if anyone read it all
        connection.sendall(chunk)
        receiver.sent += len(chunk)


@pytest.fixture
def receiver_with(request):
    receivers = []

    def make(behaviour):
        receivers.append(_Receiver(behaviour))
        return receivers[-1]

    yield make
    for receiver in receivers:
        receiver.close()


def test_a_dripping_receiver_is_cut_at_the_total_deadline(receiver_with):
    receiver = receiver_with(drip)
    started = time.monotonic()
    with pytest.raises(pinned_http.DeadlineExceeded, match="within 2 s"):
        pinned_http.post(
            f"http://hooks.example.com:{receiver.port}/x", "127.0.0.1", b"{}", {}, 2.0
        )
    elapsed = time.monotonic() - started
    assert 1.9 <= elapsed < 3.5, elapsed  # not 30 s of half-second drips
    assert receiver.sent < 10


def test_only_the_start_of_a_huge_answer_is_read(receiver_with):
    receiver = receiver_with(endless_body)
    status = pinned_http.post(
        f"http://hooks.example.com:{receiver.port}/x", "127.0.0.1", b"{}", {}, 10.0
    )
    assert status == 200
    receiver.thread.join(10)
    # the sender stops once the kernel's buffers fill after we hung up
    assert receiver.sent < 20_000_000
