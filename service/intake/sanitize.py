"""Characters at the edge: what is refused (a 400 naming the field) and what is removed.

Refused: bytes that are not UTF-8 and strings with lone surrogates (JSON allows
"\\ud800"; no database or encoder does). Removed from article text: NUL and the other
control characters (tabs and line breaks stay), which PostgreSQL refuses and XML forbids.
"""

from __future__ import annotations

import re

from workers.pipeline.clean.controls import without_controls

__all__ = ["without_controls"]  # re-exported: the service strips what it is sent, too

# C0 and C1 controls and DEL, except tab, line feed and carriage return; U+FFFE/U+FFFF
# are no characters at all (XML forbids them too).
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Anything outside XML 1.0's Char production (and the C1 controls, which it discourages).
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def decode_utf8(data: bytes, what: str) -> str:
    """Strict UTF-8 (a leading BOM is dropped); a 400 naming `what` and the byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise bad_request(
            f"{what} is not UTF-8 text (byte {error.start}: {error.reason}); re-encode it as UTF-8"
        ) from None


def checked_string(value: str, field: str) -> str:
    """`value` unchanged, or a 400 when it holds a lone surrogate (which JSON can carry)."""
    return _refuse(
        _SURROGATE,
        value,
        field,
        "a lone surrogate",
        "which is not Unicode text; send valid UTF-8 (a surrogate pair or the character itself)",
    )


def _refuse(pattern: re.Pattern[str], value: str, field: str, what: str, advice: str) -> str:
    found = pattern.search(value)
    if found:
        raise bad_request(
            f"'{field}' holds {what} (\\u{ord(found.group()):04x}) at character "
            f"{found.start()}, {advice}"
        )
    return value


def bad_request(detail: str) -> Exception:
    """The web's 400 (service/errors.py), imported only when one is raised: the command
    line reads whole numbers here without loading Flask, SQLAlchemy and the broker."""
    from service.errors import bad_request as problem

    return problem(detail)


def without_control_references(html: str) -> str:
    """HTML without character references to control characters (&#1;): the HTML parser
    gives up on the whole page at the first one."""
    return _NUMERIC_REFERENCE.sub(_drop_control, html)


def _drop_control(reference: re.Match[str]) -> str:
    hexadecimal, decimal = reference.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    # C0 and DEL only: HTML reads &#128;-&#159; as Windows-1252 (&#128; is a euro sign).
    return "" if (code < 0x20 and chr(code) not in "\t\n\r") or code == 0x7F else reference.group()


def refuse_controls(value: str, field: str) -> str:
    """For identifiers and URLs, where dropping a character would change what they name."""
    return _refuse(_ANY_CONTROL, value, field, "a control character", "which it may not; remove it")


def is_id(value: str) -> bool:
    """Whether `value` can be an article or batch id (URL-safe base64, as they are made);
    anything else is not looked up at all (PostgreSQL refuses a NUL even in a query)."""
    return _ID.fullmatch(value) is not None


def xml_text(text: str) -> str:
    """Only characters XML 1.0 allows, so a feed stays well-formed whatever was stored."""
    return _NOT_XML.sub("", text)


def printable(name: str) -> str:
    """A file or item name fit to store and show: controls dropped, surrogates replaced."""
    return without_controls(name).encode("utf-8", "replace").decode("utf-8")


def whole_number(value: object, low: int, high: int) -> int | None:
    """`value` as a whole number in low..high, or None: a JSON integer (not true/false,
    not 100.7), or a string of ASCII digits only ("100"; not "1_00", " 100", "+100",
    "100.0" or "١٠٠", which int() would take or round). The one reader of whole numbers
    for the API, the query string and the command line."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 18:
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value
