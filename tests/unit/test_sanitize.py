from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from service.errors import ApiError
from service.intake.sanitize import (
    checked_string,
    decode_utf8,
    printable,
    refuse_controls,
    without_control_references,
    without_controls,
    xml_text,
)


def test_controls_are_removed_and_tabs_and_line_breaks_kept():
    raw = "Head\x00line\x01\x07\x1b\x7f\x80\x9f\ufffe\uffff\tcol\r\nnext\nend"
    assert without_controls(raw) == "Headline\tcol\r\nnext\nend"


def test_page_and_record_separators_become_line_breaks():
    assert without_controls("one\x0ctwo\x0bthree\x1efour\x85five") == "one\ntwo\nthree\nfour\nfive"


def test_ordinary_text_is_untouched():
    text = "Ünïcödé — “quotes”, \u200fRTL mark\u200e, 🎧 and <script>]]>"
    assert without_controls(text) == text
    assert xml_text(text) == text


def test_lone_surrogate_is_refused_naming_the_field_and_position():
    with pytest.raises(ApiError) as caught:
        checked_string("ab\ud800c", "external_id")
    assert caught.value.status == 400
    assert "'external_id'" in caught.value.detail and "\\ud800" in caught.value.detail
    assert "character 2" in caught.value.detail
    assert checked_string("pair 😀", "title") == "pair 😀"


def test_invalid_utf8_names_what_and_the_byte():
    with pytest.raises(ApiError) as caught:
        decode_utf8(b"fine \xff\xfe", "notes.txt")
    assert caught.value.status == 400
    assert "notes.txt" in caught.value.detail and "byte 5" in caught.value.detail
    assert decode_utf8(b"\xef\xbb\xbfwith BOM", "x") == "with BOM"
    with pytest.raises(ApiError):  # an encoded surrogate is not UTF-8 either
        decode_utf8("x\ud800".encode("utf-8", "surrogatepass"), "x")


def test_identifiers_with_controls_are_refused_not_changed():
    assert refuse_controls("story-42", "external_id") == "story-42"
    for bad in ("story\x00", "a\tb", "line\nbreak", "c1\x85"):
        with pytest.raises(ApiError) as caught:
            refuse_controls(bad, "external_id")
        assert "'external_id'" in caught.value.detail


def test_xml_text_makes_any_stored_string_serialisable():
    hostile = "A\x00B\x01\ud800C\udfff\ufffeD\x0bE\x9f"
    element = ET.Element("title")
    element.text = xml_text(hostile)
    parsed = ET.fromstring(ET.tostring(element, encoding="utf-8"))
    assert parsed.text == "ABCDE"


def test_printable_names_can_be_stored_anywhere():
    assert printable("dir/\x00evil\ud800.txt") == "dir/evil?.txt"


def test_html_references_to_controls_are_dropped_and_others_kept():
    html = "<h1>A&#1;B&#x1F;C&#0;D&#65;&#x41;&#9;&#10;&#xD800;&amp;&#128;&#99999999999;</h1>"
    assert (
        without_control_references(html)
        == "<h1>ABCD&#65;&#x41;&#9;&#10;&#xD800;&amp;&#128;&#99999999999;</h1>"
    )
