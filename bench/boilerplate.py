"""Publisher boilerplate learned from the catalog, measured on tests/data/publisher: six
articles of one invented site (the Harbourtown Gazette) that share a newsletter prompt,
two author bios, a disclaimer, and two real body sentences that recur.

Each page goes through the real app's API (POST /api/v1/articles with its source_url),
in order, on an empty SQLite catalog; then every article is sent again (same external_id)
once all six are known. For each submission the table shows the boilerplate lines the
article has, those removed by `publisher-boilerplate`, those kept, and body lines removed
by mistake. No worker runs (jobs wait in an embedded Redis): this measures cleaning only.

    .venv/bin/python bench/boilerplate.py [--min-articles 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "tests" / "data" / "publisher"
RULE = "publisher-boilerplate"


def pages() -> list[tuple[str, str, set[str], list[str]]]:
    """(name, html, its boilerplate lines, its expected text) in publication order."""
    found = []
    for html in sorted(CORPUS.glob("*.html")):
        stem = html.name.removesuffix(".html")
        boilerplate = (CORPUS / f"{stem}.boilerplate.txt").read_text(encoding="utf-8")
        expected = (CORPUS / f"{stem}.expected.txt").read_text(encoding="utf-8")
        found.append(
            (
                stem,
                html.read_text(encoding="utf-8"),
                set(boilerplate.splitlines()),
                expected.strip().split("\n\n"),
            )
        )
    return found


def measure(min_articles: int, learn: bool = True) -> list[dict]:
    from service.app import create_app
    from service.cli.serve import start_embedded_redis, stop
    from workers.config import Settings

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            data_dir=Path(folder),
            database_url=f"sqlite:///{folder}/narrate.db",
            redis_url=None,  # the embedded one, started here; no worker takes its jobs
            learn_boilerplate=learn,
            boilerplate_min_articles=min_articles,
        )
        redis = start_embedded_redis(settings, dict(os.environ))
        try:
            return _submit_all(create_app({"TESTING": True, "NARRATE_SETTINGS": settings}))
        finally:
            stop([redis])


def _submit_all(app) -> list[dict]:
    client = app.test_client()
    rows = []
    for round_ in ("first", "again"):
        for name, html, boilerplate, expected in pages():
            body = {
                "html": html,
                "source_url": f"https://www.gazette.example/news/{name}",
                "external_id": name,
            }
            created = client.post("/api/v1/articles", json=body).get_json()
            article = client.get(created["links"]["self"]).get_json()
            learned = {r["text"] for r in article["removed"] if r["rule"] == RULE}
            rows.append(
                {
                    "round": round_,
                    "article": name,
                    "boilerplate": len(boilerplate),
                    "removed": len(learned & boilerplate),
                    "kept": len(boilerplate & set(article["paragraphs"])),
                    "wrongly_removed": sorted(learned - boilerplate),
                    "exact": article["paragraphs"] == expected,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-articles", type=int, default=3)
    parser.add_argument("--off", action="store_true", help="NARRATE_LEARN_BOILERPLATE=0")
    args = parser.parse_args()
    rows = measure(args.min_articles, learn=not args.off)
    print("| round | article | boilerplate lines | removed | kept | body lines removed | exact |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        wrong = "; ".join(row["wrongly_removed"]) or "0"
        print(
            f"| {row['round']} | {row['article']} | {row['boilerplate']} | {row['removed']} "
            f"| {row['kept']} | {wrong} | {'yes' if row['exact'] else 'no'} |"
        )
    for round_ in ("first", "again"):
        chosen = [row for row in rows if row["round"] == round_]
        total = sum(row["boilerplate"] for row in chosen)
        removed = sum(row["removed"] for row in chosen)
        wrong = sum(len(row["wrongly_removed"]) for row in chosen)
        print(
            f"{round_}: {removed} of {total} boilerplate lines removed "
            f"({removed / total:.0%}), {wrong} body line(s) removed by mistake"
        )


if __name__ == "__main__":
    main()
