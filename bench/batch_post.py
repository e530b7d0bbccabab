"""How long `POST /api/v1/batches` takes for a JSON array of 1,000, 3,000 and 10,000
articles, on SQLite and on PostgreSQL.

Each size is posted once through the real app (the Flask test client, so no socket or
gunicorn is in the figure) into an empty catalog: a fresh SQLite file, or a fresh schema
in the PostgreSQL database given. Jobs go to an embedded Redis that no worker reads. The
articles are generated and all different (three paragraphs each), so every item is
cleaned, stored and queued. Prints the seconds of each request and its answer's counts.

    .venv/bin/python bench/batch_post.py [--sizes 1000,3000,10000]
        [--postgresql postgresql://postgres@127.0.0.1/test] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCHEMA = f"narrate_bench_{os.getpid()}"


def articles(count: int) -> list[dict]:
    return [
        {
            "title": f"Council report number {n}",
            "text": "\n\n".join(
                f"Story {n} continues with point {p}: the council met on Tuesday and "
                f"agreed item {n * 7 + p} of its agenda, at a cost of {n + p} pounds."
                for p in range(3)
            ),
        }
        for n in range(count)
    ]


def _fresh_schema(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return f"{url}?options=-csearch_path%3D{SCHEMA}"


def _drop_schema(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


def post_once(database: str, count: int, folder: Path, profile: bool) -> tuple[float, dict]:
    from service.app import create_app
    from service.cli.serve import start_embedded_redis, stop
    from workers.config import Settings

    settings = Settings(
        data_dir=folder,
        database_url=database,
        redis_url=None,  # the embedded one, started here; no worker takes its jobs
        limit_submissions="1000000/minute",
        limit_characters="100000000000/day",
    )
    redis = start_embedded_redis(settings, dict(os.environ))
    try:
        client = create_app({"TESTING": True, "NARRATE_SETTINGS": settings}).test_client()
        payload = json.dumps(articles(count)).encode()
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        response = client.post("/api/v1/batches", data=payload, content_type="application/json")
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        assert response.status_code == 202, response.get_data(as_text=True)[:500]
        return seconds, response.get_json()["counts"]
    finally:
        stop([redis])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,3000,10000")
    parser.add_argument("--postgresql", help="a PostgreSQL URL (a scratch schema is made)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each POST")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print("| database | items | seconds | counts |")
    print("| --- | --- | --- | --- |")
    for count in sizes:
        if not args.no_sqlite:
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{folder}/narrate.db"
                seconds, counts = post_once(url, count, Path(folder), args.profile)
            print(f"| SQLite | {count} | {seconds:.2f} | {counts} |", flush=True)
        if args.postgresql:
            try:
                with tempfile.TemporaryDirectory() as folder:
                    url = _fresh_schema(args.postgresql)
                    seconds, counts = post_once(url, count, Path(folder), args.profile)
                print(f"| PostgreSQL | {count} | {seconds:.2f} | {counts} |", flush=True)
            finally:
                _drop_schema(args.postgresql)


if __name__ == "__main__":
    main()
