"""A page's text without its markup, cheaply (regular expressions, no parser): what the
web process reads of a submission before a worker cleans it (the character estimate
in service/intake/store.py, the language in language.py)."""

from __future__ import annotations

import html
import re

# The elements whose content is never read (as workers/pipeline/clean/tree.py's walks
# skip them): scripts, styles, what shows only without scripts, templates.
_UNSPOKEN_ELEMENTS = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")


def text_without_markup(page: str) -> str:
    """`page` without its tags and its unspoken elements' content (each replaced by a
    space), with its entities decoded."""
    return html.unescape(_TAG.sub(" ", _UNSPOKEN_ELEMENTS.sub(" ", page)))
