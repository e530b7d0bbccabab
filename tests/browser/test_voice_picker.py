"""The submit page's voice picker, in Chromium."""

from __future__ import annotations

import json
import urllib.request

JOE = "piper:en_US-joe-medium"


def article_of(page, server: str) -> dict:
    page.wait_for_url("**/articles/*")
    article_id = page.url.rsplit("/", 1)[-1]
    return json.load(urllib.request.urlopen(f"{server}/api/v1/articles/{article_id}"))


def test_the_picked_voice_goes_with_pasted_text(page, server):
    page.goto(server + "/")
    assert page.locator("#voice option", has_text="Joe (English, United States)").count() == 1
    page.select_option("#voice", JOE)
    page.fill("#text", "A headline\n\nA paragraph to be read by the natural voice.")
    page.click("button[type=submit]")
    assert article_of(page, server)["voice"] == JOE


def test_the_picked_voice_goes_with_an_uploaded_file(page, server, tmp_path):
    upload = tmp_path / "story.txt"
    upload.write_text("Another headline\n\nA paragraph read in espeak-ng's American voice.")
    page.goto(server + "/")
    page.select_option("#voice", "espeak:gmw/en-us")
    page.set_input_files("#file", str(upload))
    page.click("button[type=submit]")
    assert article_of(page, server)["voice"] == "espeak:gmw/en-us"


def test_without_a_pick_the_servers_voice_applies(page, server):
    page.goto(server + "/")
    page.fill("#text", "A third headline\n\nNo voice was picked for this one.")
    page.click("button[type=submit]")
    assert article_of(page, server)["voice"] == "gmw/en"
