"""/api/v1/collections/NAME and `narrate collection`: settings read and changed by the
keys of that collection, checked (400 naming the field), images uploaded and served at a
URL of their content, and the feed built from them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.support.harness import environment_for
from workers.catalog.db import session_scope
from workers.catalog.keys import create_key

pytestmark = pytest.mark.integration
ADMIN = {"Authorization": "Bearer collections-admin"}
NARRATE = str(Path(sys.executable).parent / "narrate")


def png(size: tuple[int, int], colour: str = "navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def protected(settings):
    from service.app import create_app

    configured = settings.with_overrides(api_tokens=("collections-admin",))
    app = create_app({"TESTING": True, "NARRATE_SETTINGS": configured})
    with session_scope(configured.database_url) as session:
        keys = {
            "news writer": create_key(session, "news writer", "write", ["news"])[1],
            "news reader": create_key(session, "news reader", "read", ["news"])[1],
        }
    return app.test_client(), {k: {"Authorization": f"Bearer {v}"} for k, v in keys.items()}


def test_a_collection_is_read_and_changed_by_its_own_keys(protected):
    client, keys = protected
    assert client.get("/api/v1/collections/news", headers=ADMIN).status_code == 404
    made = client.put(
        "/api/v1/collections/news",
        json={"title": "Harbour Gazette", "category": "News", "style": "en-US"},
        headers=keys["news writer"],
    )
    assert made.status_code == 200, made.get_json()
    assert made.get_json()["style"] == "en-US" and made.get_json()["set"] == [
        "category",
        "style",
        "title",
    ]
    assert client.get("/api/v1/collections/news", headers=keys["news reader"]).status_code == 200
    assert client.get("/api/v1/collections/news").status_code == 401
    for path in ("/api/v1/collections/sport", "/api/v1/collections/news"):
        refused = client.patch(path, json={"title": "T"}, headers=keys["news reader"])
        assert refused.status_code == 403
    assert (
        client.put("/api/v1/collections/sport", json={}, headers=keys["news writer"]).status_code
        == 403
    )
    assert client.put("/api/v1/collections/sport", json={}, headers=ADMIN).status_code == 200


def test_settings_are_checked_and_a_patch_keeps_what_it_does_not_name(protected):
    client, _ = protected
    url = "/api/v1/collections/news"
    bad = client.put(url, json={"category": "Sports > Drama"}, headers=ADMIN)
    assert bad.status_code == 400 and "category" in bad.get_json()["detail"]
    assert client.put(url, json={"explicit": "yes"}, headers=ADMIN).status_code == 400
    brand = {"colours": {"accent": "#112233"}, "label": "Listen"}
    client.put(url, json={"title": "Gazette", "brand": brand}, headers=ADMIN)
    changed = client.patch(
        url, json={"brand": {"colours": {"text": "#FFFFFF"}}, "title": None}, headers=ADMIN
    ).get_json()
    assert changed["title"] == "Narrate: news"  # cleared: its default
    assert changed["brand"] == {
        "colours": {"accent": "#112233", "text": "#ffffff"},
        "label": "Listen",
    }


def test_artwork_is_uploaded_checked_and_served_for_ever_at_its_own_url(protected):
    client, keys = protected
    url = "/api/v1/collections/news"
    client.put(url, json={"title": "Gazette"}, headers=ADMIN)
    default = client.get(url, headers=ADMIN).get_json()["artwork"]
    assert default["uploaded"] is False and default["url"].endswith(".jpg")
    small = client.put(f"{url}/artwork", data=png((1000, 1000)), headers=keys["news writer"])
    assert small.status_code == 400 and "1400" in small.get_json()["detail"]
    uploaded = client.put(f"{url}/artwork", data=png((1400, 1400)), headers=keys["news writer"])
    assert uploaded.status_code == 200, uploaded.get_json()
    artwork = uploaded.get_json()["artwork"]
    assert artwork["uploaded"] is True and artwork["url"] != default["url"]
    path = artwork["url"].split("://", 1)[1].partition("/")[2]
    served = client.get(f"/{path}")  # anyone may: podcast apps fetch it
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.data == png((1400, 1400))
    assert "immutable" in served.headers["Cache-Control"]
    assert client.head(f"/{path}").status_code == 200
    assert (
        client.get(f"/{path}", headers={"If-None-Match": served.headers["ETag"]}).status_code == 304
    )
    logo = client.put(f"{url}/logo", data=png((200, 80)), headers=ADMIN).get_json()
    assert logo["brand"]["logo"].endswith(".png")
    assert client.get(url.replace("news", "news") + "/images/nothing.png").status_code == 404
    assert client.put(f"{url}/banner", data=png((10, 10)), headers=ADMIN).status_code == 404


def test_narrate_collection_set_and_show(settings, tmp_path, app):
    artwork = tmp_path / "cover.png"
    artwork.write_bytes(png((1500, 1500), "darkred"))
    environment = {**environment_for(settings), "PYTHONWARNINGS": "ignore"}

    def narrate(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [NARRATE, *args], env=environment, capture_output=True, text=True, timeout=60
        )

    done = narrate(
        "collection", "set", "news", "--title", "Gazette", "--owner-email", "desk@news.example",
        "--category", "News > Politics", "--brand-accent", "#aa0000", "--artwork", str(artwork),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(narrate("collection", "show", "news").stdout)
    assert shown["settings"]["category"] == ["News", "Politics"]
    assert shown["settings"]["brand"] == {"colours": {"accent": "#aa0000"}}
    assert shown["missing"] == [] and shown["artwork"].endswith(".png")
    refused = narrate("collection", "set", "news", "--owner-email", "nobody")
    assert refused.returncode == 1 and "owner_email" in refused.stderr
    body = app.test_client().get("/api/v1/collections/news").get_json()
    assert body["title"] == "Gazette" and body["artwork"]["uploaded"] is True
    feed = app.test_client().get("/feeds/news.xml").get_data(as_text=True)
    assert "<itunes:email>desk@news.example</itunes:email>" in feed
    assert narrate("collection", "show", "unknown").returncode == 2
