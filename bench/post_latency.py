"""How long `POST /api/v1/articles` takes for a 100 KB article, against gunicorn as
bench/service.py starts it (its own redis-server, a SQLite catalog in a temporary
directory, all on 127.0.0.1), with no worker running: the answer is the request's own
work (validate, store the submission, queue its task), not the cleaning.

    .venv/bin/python bench/post_latency.py                      # 1 and 20 clients
    .venv/bin/python bench/post_latency.py --clients 1 --posts 200 --kb 100

Every article is different (a generated text, padded to the size), so every POST is a
new article answered 202; a POST answered otherwise counts as failed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __name__ == "__main__":
    # as in bench/service.py: the project's root, not bench/, provides `service`
    sys.path[:] = [str(ROOT)] + [
        p for p in sys.path if Path(p or ".").resolve() not in (HERE, ROOT)
    ]

from bench.run import generated_article  # noqa: E402
from bench.service import Client, Service, catalog, load, percentile, timed_posts  # noqa: E402

TARGET_P95_MS = 50


def article_of(kb: int, seed: int) -> str:
    """A generated article of about `kb` KB of UTF-8 (20 paragraphs at a time)."""
    paragraphs = 20
    while len(text := generated_article(paragraphs, seed=seed).encode()) < kb * 1000:
        paragraphs += 20
    return text.decode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,20", help="comma-separated client counts")
    parser.add_argument("--posts", type=int, default=200, help="POSTs per client count")
    parser.add_argument("--kb", type=int, default=100, help="article size in KB")
    args = parser.parse_args()
    counts = [int(n) for n in args.clients.split(",")]
    template = article_of(args.kb, seed=1)
    print(
        f"POST /api/v1/articles, {len(template.encode()) / 1000:.0f} KB articles, "
        f"{args.posts} per row, gunicorn 2 processes, SQLite, no worker; {os.cpu_count()} cores"
    )
    failed_any = False
    with tempfile.TemporaryDirectory(prefix="narrate-post-bench-") as tmp:
        work = Path(tmp)
        with catalog(work, None) as database_url:
            service = Service(work, database_url)
            try:
                service.start()
                client = Client(service.web_port)
                client.request("POST", "/api/v1/articles", b'{"text": "Warm\\n\\nUp."}',
                               {"Content-Type": "application/json"})  # fmt: skip
                serial = 0
                for clients in counts:
                    per_client = max(1, args.posts // clients)
                    bodies = []
                    for _ in range(clients):
                        row = []
                        for _ in range(per_client):
                            serial += 1  # a different article each time: a new one, 202
                            text = f"Story {serial}\n\n{template}"
                            row.append(json.dumps({"text": text}).encode())
                        bodies.append(row)
                    latencies, seconds, failed = timed_posts(client, bodies)
                    p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
                    failed_any |= bool(failed)
                    print(
                        f"{clients:>3} clients: p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
                        f"max {max(latencies) * 1000:.0f} ms; {len(latencies)} posts in "
                        f"{seconds:.1f} s ({len(latencies) / seconds:.0f}/s)"
                        + (f", {failed} failed" if failed else "")
                        + f"; target p95 <= {TARGET_P95_MS} ms; {load()}",
                        flush=True,
                    )
            finally:
                service.close()
    return 1 if failed_any else 0


if __name__ == "__main__":
    sys.exit(main())
