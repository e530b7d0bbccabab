"""The submit page's house-style picker, in Chromium: the style goes with the voice, in
the query for pasted text and as a form field for an uploaded file."""

from __future__ import annotations

from tests.browser.test_voice_picker import JOE, article_of


def test_the_picked_style_goes_with_pasted_text_and_the_picked_voice(page, server):
    page.goto(server + "/")
    page.select_option("#voice", JOE)
    page.select_option("#style", "en-GB")
    page.fill("#text", "A style headline\n\nAn American voice asked for British style.")
    page.click("button[type=submit]")
    article = article_of(page, server)
    assert (article["voice"], article["style"]) == (JOE, "en-GB")


def test_the_picked_style_goes_with_an_uploaded_file(page, server, tmp_path):
    upload = tmp_path / "style.txt"
    upload.write_text("Style upload\n\nShares rose $1.52 on July 4, 1976.")
    page.goto(server + "/")
    page.select_option("#style", "en-US")
    page.set_input_files("#file", str(upload))
    page.click("button[type=submit]")
    assert article_of(page, server)["style"] == "en-US"
