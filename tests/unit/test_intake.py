"""What the request works out from a submission without the cleaner: the character
quota's estimate and the title shown until the worker has cleaned the text."""

from __future__ import annotations

import pytest

from service.intake.store import check_words, estimated_chars, provisional_title
from service.intake.submissions import Submission
from workers.pipeline.errors import NoSpeakableText


@pytest.mark.parametrize(
    ("raw", "form", "expected"),
    [
        ("T\n\nOne paragraph.", "text", len("T One paragraph.")),
        ("  spaced   out \n\n\n words ", "text", len("spaced out words")),
        ("", "text", 1),
        ("<h1>T</h1><p class='x'>One &amp; two</p>\n<div>  </div>", "html", len("T One & two")),
        ("<script>var a = '<p>';</script><STYLE>p {}</style><p>Read</p>", "html", 4),
        ("<noscript>Turn on JavaScript</noscript><template><p>Hi</p></template>Read", "html", 4),
        ("x" * 1_000_000, "text", 1_000_000),  # one line is charged by its length
    ],
)
def test_the_quota_is_charged_the_characters_of_text_without_markup(raw, form, expected):
    assert estimated_chars(raw, form) == expected


def test_the_provisional_title_is_the_first_line_or_the_pages_title():
    assert provisional_title(Submission("\n\n  Budget   passed \nThe council met.", "text")) == (
        "Budget passed"
    )
    page = "<html><head><title>Oil &amp; gas\n<b>up</b>&#1;</title></head><body><p>x</p>"
    assert provisional_title(Submission(page, "html")) == "Oil & gas up"
    assert provisional_title(Submission("<p>No title</p>", "html")) == ""
    assert len(provisional_title(Submission("word " * 200, "text"))) == 300


@pytest.mark.parametrize(
    ("raw", "form"),
    [
        ("", "text"),
        (" \n\t\u00a0\u3000", "text"),
        ("!!! --- ___ * * *", "text"),
        ("", "html"),
        ('<p title="Words only in an attribute"> </p><img alt="a picture">', "html"),
        ("<div>&nbsp;&mdash;&#8230;</div><!-- a comment with words -->", "html"),
    ],
)
def test_nothing_to_read_at_all_is_refused(raw, form):
    with pytest.raises(NoSpeakableText, match=r"no letter or digit.*: send"):
        check_words(raw, form)


@pytest.mark.parametrize(
    ("raw", "form"),
    [("7", "text"), ("Élan", "text"), ("日本", "text"), ("<p>&eacute;</p>", "html"), ("x", "html")],
)
def test_a_letter_or_digit_anywhere_is_let_through_for_the_cleaner(raw, form):
    check_words(raw, form)


def test_json_depth_leaves_out_strings_and_takes_linear_time():
    import time

    from service.intake.submissions import json_depth

    assert json_depth('{"a": [1, {"b": "[{[{"}], "c": "\\\\\\"]]"}') == 3
    assert json_depth("[" * 1000 + "]" * 1000) == 1000
    started = time.monotonic()
    json_depth('"' + 'a\\"' * 300_000)  # an unterminated string of escaped quotes
    json_depth('["' * 300_000)
    assert time.monotonic() - started < 1.0
