"""A webhook receiver on a local port that fails as often as told."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """An HTTP endpoint that answers 500 to the first `failures` posts, then 200."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.posts: list[tuple[dict, bytes, int]] = []
        self.paths: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 500 if len(receiver.posts) < receiver.failures else 200
                receiver.posts.append((dict(self.headers), body, status))
                receiver.paths.append(self.path)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self) -> list[dict]:
        return [json.loads(body) for _, body, status in self.posts if status == 200]
