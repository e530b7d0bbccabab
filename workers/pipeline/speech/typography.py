"""Markup, invisible characters, quotes, dashes, ellipses, bullets, symbols, spaces."""

from __future__ import annotations

import html
import re

from workers.pipeline.speech.dates import join_date_spans
from workers.pipeline.speech.times import join_clock_ranges

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_INLINE_TAG = re.compile(
    r"</?(?:a|b|i|u|em|strong|span|small|mark|sup|sub|abbr|cite|q|s|code|font)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<(?:/?[A-Za-z][^<>]*|!--.*?--|![^<>]*)>", re.DOTALL)
_ENTITY_LEFT = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")


_PHONEME_BRACKETS = re.compile(r"\[{2,}|\]{2,}")


def strip_markup(text: str) -> str:
    """Drop HTML tags (inline ones without a gap), decode entities, drop unknown ones;
    '[[' and ']]' (espeak-ng's phoneme markup) become single brackets."""
    text = _SCRIPT.sub(" ", text)
    text = _INLINE_TAG.sub("", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _INLINE_TAG.sub("", text)
    text = _TAG.sub(" ", text)
    text = _ENTITY_LEFT.sub("", text)
    # "[[...]]" is espeak-ng's phoneme input: only the lexicon may write it
    return _PHONEME_BRACKETS.sub(lambda m: m.group(0)[0], text)


_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_ODD_SPACE = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\r\n\f\v]")


def fix_invisible(text: str) -> str:
    """Zero-width characters and soft hyphens out; non-breaking and odd spaces to ' '."""
    return _ODD_SPACE.sub(" ", _ZERO_WIDTH.sub("", text))


_QUOTES = str.maketrans(
    {
        "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "〝": '"', "〞": '"',
        "″": '"', "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "‹": "'", "›": "'",
        "`": "'",
    }
)  # fmt: skip


def straighten_quotes(text: str) -> str:
    """Curly quotes, guillemets and primes to straight ' and "."""
    return text.translate(_QUOTES).replace("''", '"')


_DASH_NUMBERS = re.compile(r"(?<=\d)\s?[‒–]\s?(?=[£$€]?\d)")
_DASH_JOINED = re.compile(r"(?<=[A-Za-z])[‒–](?=[A-Za-z])")
_DASH_PAUSE = re.compile(r"\s*(?:[‒–—―⸺⸻]+|--+)\s*")
_SPACED_HYPHEN = re.compile(r"(?<!\d)\s+-+(?=\s)|\s+-+(?=\s+(?![£$€]?\d))|\s+-+$")


def fix_dashes(text: str) -> str:
    """Dashes between words become ', ' (a pause); between numbers a hyphen (a range);
    between two clock times 'to' ('and' after 'between')."""
    text = text.replace("−", "-")
    text = join_clock_ranges(text, r"\s*[‒–-]\s*")
    text = join_date_spans(text)
    text = _DASH_NUMBERS.sub("-", text)
    text = _DASH_JOINED.sub("-", text)
    text = _DASH_PAUSE.sub(", ", text)
    text = _SPACED_HYPHEN.sub(",", text)
    return re.sub(r"^[\s,]+", "", text) if text.startswith((", ", ",")) else text


def fix_ellipsis(text: str) -> str:
    """'…' and '. . .' to '...'."""
    return re.sub(r"\.\s\.\s\.", "...", text.replace("…", "..."))


_BULLET_LEAD = re.compile(r"^\s*[•●◦▪▫■□►▶➢‣⁃∙·*-]+\s+")
_BULLET_MID = re.compile(r"\s+[•●◦▪▫■□►▶➢‣⁃∙]\s+(?=\S)")
_BULLET = re.compile(r"\s*[•●◦▪▫■□►▶➢‣⁃∙]+\s*")


def drop_bullets(text: str) -> str:
    """A leading list bullet is dropped; a bullet used as a separator becomes ', '."""
    text = _BULLET_MID.sub(", ", _BULLET_LEAD.sub("", text))
    return _BULLET.sub(" ", text).strip() if _BULLET.search(text) else text


_AMPERSAND = re.compile(r"(?<![A-Z])\s*&\s*|\s*&\s*(?![A-Z])")  # A&E, P&O, M&S stay
_SYMBOLS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(?<=\d)\s?\+(?=\s?\d)", " plus "),
        (r"(?<=[\w)])\+(?![\w])", " plus"),
        (r"(?<![\w])\+(?=\d)", "plus "),
        (r"(?<=\s)\+(?=\s)", "plus"),
        (r"#(?=\d)", "number "),
        (r"(?<![\w&])#(?=[A-Za-z])", "hashtag "),
        (r"(?<=\s)#(?=\s)", ""),
        (r"(?<![\w])@(?=\w)", "at "),
        (r"(?<=\s)@(?=\s)", "at"),
        (r"(?<![\w])x(?=\d+(?![\w.]))", "times "),
        (r"(?<=\d)x(?![\w])", " times"),
        (r"\s*\|\s*", ", "),
        (r"\band/or\b", "and or"),
        (r"(?<=[A-Za-z])/(?=[A-Za-z])", " or "),
        (r"(?<=\d)/(?=\d)", " slash "),
        (r"(?<=\d)\s?°", " degrees"),
        (r"~\s?(?=\d)", "about "),
        (r"(?<=\s)=(?=\s)", "equals"),
        (r"(?<=\s)<(?=\s)", "less than"),
        (r"(?<=\s)>(?=\s)", "more than"),
        (r"[*†‡]+", ""),
    )
)


def speak_symbols(text: str) -> str:
    """& 'and' (A&E kept), + 'plus', #1 'number 1', #tag 'hashtag tag', @ 'at', x2 'times 2'."""
    text = _AMPERSAND.sub(" and ", text)
    for pattern, replacement in _SYMBOLS:
        text = pattern.sub(replacement, text)
    return text


def tidy_spaces(text: str) -> str:
    """One space between words; no space before punctuation; no stray or doubled commas."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+-+(?=\s)", ",", text)  # a spaced hyphen left between words: a pause
    text = re.sub(r"\s+([,.;:!?)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"^[,;:]\s*", "", text)
    text = re.sub(r"\s*,$", "", text)
    return re.sub(r" {2,}", " ", text).strip()
